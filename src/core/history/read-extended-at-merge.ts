/**
 * What `hallpass verify` knows of the grant an extension names, as the app saw it at the
 * extension's merge commit (the commit its rules were read at): the same chain walk
 * (`walkExtensionChain`), whether a revocation was in the tree there, and the other extensions
 * of it beside it there. Which files were in the tree at a commit is told from the changes of
 * every path along the branch's first-parent line, so a record added after the merge (the
 * extension's own replacement of it, say) never counts against it, as it did not for the app.
 */

import type { ExtendedGrant } from "../approval/find-auto-approval.ts";
import {
  directoryOf,
  extendsNamedIn,
  gatherSiblingExtensions,
  isSiblingCandidate,
} from "../approval/find-sibling-extensions.ts";
import { walkExtensionChainWith } from "../approval/walk-extension-chain.ts";
import type { GrantRecord } from "../grant/records.ts";
import type { ChangedPath } from "../request/check-pull-request-contents.ts";
import { recordPath } from "../request/record-paths.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { PathChange } from "./build-access-history.ts";

/** The clone as `verify` read it: every path's changes along the line, and the files. */
export interface TreeHistory {
  /** Changes of every path under `access-requests/`, oldest first. */
  changes: ReadonlyMap<string, readonly PathChange[]>;
  /** The branch's first-parent line, newest first. */
  line: readonly string[];
  /** The files at the revision and the deleted requests as they were, by path. */
  files: ReadonlyMap<string, SourceFile>;
  /** Every readable grant record at the revision, by the path of the file it is in. */
  grantFiles: ReadonlyMap<string, GrantRecord>;
  /** The paths outside `access-requests/` each commit changed: the first few, and how many. */
  outsideChanges: ReadonlyMap<string, { paths: readonly string[]; count: number }>;
}

/** A reader of trees at commits of the line, with what it learnt kept for the next grant. */
export interface TreeReader {
  history: TreeHistory;
  position: Map<string, number>;
  /** The paths ever under each directory (direct children), built on first use. */
  directories?: Map<string, string[]>;
  /** What each sibling candidate extends (`extendsNamedIn`), read once. */
  extendsOf: Map<string, string | undefined | null>;
  /** The paths under `access-requests/` each commit changed, built on first use. */
  changedAt?: Map<string, ChangedPath[]>;
}

/** A reader of `history`. */
export function treeReader(history: TreeHistory): TreeReader {
  return {
    history,
    position: new Map(history.line.map((commit, i) => [commit, i])),
    extendsOf: new Map(),
  };
}

/**
 * Whether `path` was in the tree at `commit`; undefined when the commit is not on the line.
 * The line is newest first: a change at a position at or after the commit's came before it.
 */
export function presentAt(reader: TreeReader, path: string, commit: string): boolean | undefined {
  const at = reader.position.get(commit);
  if (at === undefined) return undefined;
  const changes = reader.history.changes.get(path) ?? [];
  for (let i = changes.length - 1; i >= 0; i--) {
    const position = reader.position.get(changes[i]!.commit);
    if (position !== undefined && position >= at) return changes[i]!.status !== "D";
  }
  return false;
}

/**
 * The grant of `path` that `extension` extends, as the tree of its merge commit showed it. The
 * grant records are those at the revision (a grant record is never rewritten), each read from
 * the file it is in; a commit not on the line leaves everything unknown: fail closed.
 */
export function readExtendedAtMerge(
  reader: TreeReader,
  path: string,
  extension: GrantRecord,
): ExtendedGrant {
  const merge = extension.pullRequest.mergeCommit;
  const grants = reader.history.grantFiles;
  const walked = walkExtensionChainWith(path, (p) => {
    const file = recordPath(p, "grant");
    return presentAt(reader, file, merge) === true ? grants.get(file) : undefined;
  });
  const revoked = presentAt(reader, recordPath(path, "revocation"), merge) !== false;
  const siblings = walked.record
    ? siblingsAt(reader, { path, record: walked.record }, extension.requestPath, merge)
    : undefined;
  return { ...walked, revoked, siblings };
}

/** The other extensions of the grant of `path` at `merge` (`findSiblingExtensions`). */
function siblingsAt(
  reader: TreeReader,
  extended: { path: string; record: GrantRecord },
  own: string,
  merge: string,
): string[] | undefined {
  if (!reader.position.has(merge)) return undefined;
  return gatherSiblingExtensions(extended, own, {
    listed: (d) => directoryPaths(reader, d).filter((p) => presentAt(reader, p, merge) === true),
    extendsOf: (candidate) => {
      if (reader.extendsOf.has(candidate)) return reader.extendsOf.get(candidate);
      const file = reader.history.files.get(candidate);
      // In the tree at the merge and gone since, content unknown: it might extend anything.
      const named = file ? extendsNamedIn(file) : null;
      reader.extendsOf.set(candidate, named);
      return named;
    },
  });
}

/** Every path ever directly in `directory` that the sibling check reads. */
function directoryPaths(reader: TreeReader, directory: string): string[] {
  if (!reader.directories) {
    reader.directories = new Map();
    for (const path of reader.history.changes.keys()) {
      const dir = directoryOf(path);
      if (!isSiblingCandidate(path, dir)) continue;
      const list = reader.directories.get(dir);
      if (list) list.push(path);
      else reader.directories.set(dir, [path]);
    }
  }
  return reader.directories.get(directory) ?? [];
}

const STATUS: Record<PathChange["status"], ChangedPath["status"]> = {
  A: "added",
  M: "modified",
  T: "changed",
  D: "removed",
};

/**
 * What `commit` changed against its first parent (a merge: what its pull request brought): every
 * path under `access-requests/`, then the first few outside it, and a last entry standing for
 * the rest when there were more. The app approves without review only a pull request that adds
 * its one request file and nothing else.
 */
export function changedAtCommit(reader: TreeReader, commit: string): ChangedPath[] {
  if (!reader.changedAt) {
    reader.changedAt = new Map();
    for (const [path, changes] of reader.history.changes) {
      for (const change of changes) {
        const list = reader.changedAt.get(change.commit);
        const entry = { path, status: STATUS[change.status] };
        if (list) list.push(entry);
        else reader.changedAt.set(change.commit, [entry]);
      }
    }
  }
  const outside = reader.history.outsideChanges.get(commit);
  const changed: ChangedPath[] = [...(reader.changedAt.get(commit) ?? [])];
  for (const path of outside?.paths ?? []) changed.push({ path, status: "changed" });
  const more = (outside?.count ?? 0) - (outside?.paths.length ?? 0);
  if (more > 0) changed.push({ path: `${more} more`, status: "changed" });
  return changed;
}
