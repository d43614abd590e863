/**
 * Step 6b of the evaluation, for an extension only: read what git records of the grant it
 * extends (its grant record, whether it was revoked, the chain of grants behind it, and the
 * other extensions of it beside it), at the commit the rules are read at, so that the merge
 * re-check reads the records as they were at the merge. What may be extended without approval
 * is decided in core (`findAutoApproval`); the chain is walked by `walkExtensionChain`, as
 * `hallpass verify` walks it.
 */

import type { ExtendedGrant } from "../../core/approval/find-auto-approval.ts";
import {
  extendsNamedIn,
  findSiblingExtensions,
  isSiblingCandidate,
  siblingDirectories,
} from "../../core/approval/find-sibling-extensions.ts";
import { walkExtensionChain } from "../../core/approval/walk-extension-chain.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import { type GitHubPort, UnreadableFileError } from "../../ports/github.ts";
import { readGrantAndRevocation, readGrantRecord } from "../read-grant-record.ts";

/** What `readExtendedGrant` read, and how to read the other extensions beside it. */
export interface ExtendedGrantRead {
  grant: Omit<ExtendedGrant, "siblings">;
  /**
   * The other extensions of the grant (`ExtendedGrant.siblings`), read on demand: a listing of
   * up to two directories, worth making only when they are what remains to decide.
   */
  readSiblings: () => Promise<ExtendedGrant["siblings"]>;
}

/** The grant of `path` extended by `requestPath`, and what surrounds it, as recorded at `ref`. */
export async function readExtendedGrant(
  github: GitHubPort,
  ref: string,
  path: string,
  requestPath: string,
): Promise<ExtendedGrantRead> {
  const { grant, revocationText } = await readGrantAndRevocation(github, ref, path);
  const first = grant.status === "found" ? grant.record : undefined;
  // Any revocation file counts, readable or not: fail closed.
  const revoked = revocationText !== undefined;
  const walk = walkExtensionChain(path);
  walk.next(undefined); // It asks for `path` first: read above, beside its revocation.
  let step = walk.next(first);
  while (!step.done) step = walk.next(await readGrant(github, ref, step.value));
  const { record } = step.value;
  return {
    grant: { ...step.value, revoked },
    readSiblings: async () =>
      record ? readSiblings(github, ref, { path, record }, requestPath) : undefined,
  };
}

/**
 * The other extensions of the grant of `path` where free ones may sit (`extensionDirectories`,
 * direct children, at `ref`); undefined when the extension is elsewhere (no free one then) or
 * a file there cannot be read as text: fail closed. A failed API call is thrown, so that the
 * evaluation fails and is run again (at the merge: redelivered) rather than refuse the free
 * extension for good over a passing error.
 */
async function readSiblings(
  github: GitHubPort,
  ref: string,
  extended: { path: string; record: GrantRecord },
  requestPath: string,
): Promise<string[] | undefined> {
  const directories = siblingDirectories(extended, requestPath);
  if (!directories) return undefined;
  const listed = await Promise.all(directories.map((d) => github.listFiles(ref, d)));
  const paths = listed.flatMap((list, i) =>
    list.filter((p) => isSiblingCandidate(p, directories[i]!)),
  );
  const read = await github
    .readPaths({ files: paths.map((p) => ({ ref, path: p })), directories: [] })
    .catch((error: unknown) => {
      if (error instanceof UnreadableFileError) return undefined;
      throw error;
    });
  if (!read) return undefined;
  // Listed but gone: it extends nothing any more.
  const beside = paths.flatMap((p, i) => {
    const content = read.files[i];
    return content === undefined
      ? []
      : [{ path: p, extends: extendsNamedIn({ path: p, content }) }];
  });
  return findSiblingExtensions(beside, extended.path, requestPath);
}

/** What the grant record of `path` holds, when it is there and readable. */
async function readGrant(
  github: GitHubPort,
  ref: string,
  path: string,
): Promise<GrantRecord | undefined> {
  const read = await readGrantRecord(github, ref, path);
  return read.status === "found" ? read.record : undefined;
}
