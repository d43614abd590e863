import type { RecordVersion, RulesAtMerge, SignatureStatus } from "../core/history/verify-trail.ts";
import { CODEOWNERS_LOCATIONS } from "../core/policy/codeowners.ts";
import type { SourceFile } from "../core/source/source-file.ts";
import { type GitHistory, git, readBlobs } from "./read-git-history.ts";

/**
 * Reads what `hallpass verify` needs from git beyond what `history` reads: every version of the
 * records that may only grow, policies/ and CODEOWNERS as they were at the base of each grant's
 * merge, and (when asked) the signature of every commit that wrote a record. A fixed number of
 * git processes whatever the size of the history (one `cat-file --batch` for the
 * versions, one `ls-tree` and one `cat-file` per version of the rules, one `log --no-walk` for
 * the signatures); the first-parent line and the commits that changed the rules come from the
 * history's walk. Git runs with argument arrays, never through a shell.
 */

/** What was read. */
export interface GitTrail {
  /** Every version of each alerts, audit and revocation record, oldest first. */
  versions: Map<string, RecordVersion[]>;
  /** The rules at the base of each merge commit asked for; undefined when not on the branch. */
  rules: Map<string, RulesAtMerge | undefined>;
  /** The signature of each commit that changed a record, when signatures were asked for. */
  signatures?: Map<string, SignatureStatus>;
}

export interface TrailOptions {
  /** Merge commits named by grant records. */
  mergeCommits: readonly string[];
  /** Check signatures with this GnuPG home (the keyring the user supplies). */
  signatures?: { gnupgHome: string | undefined };
}

const CODEOWNERS_PATHS = CODEOWNERS_LOCATIONS;
const GROWING = /\.(alerts|audit|revocation)\.(json|md)$/;
const RECORD = /\.(grant|revocation|alerts|audit|ungranted)\.(json|md)$/;

/** Reads the trail's evidence in the repository `history` was read from. */
export async function readGitTrail(history: GitHistory, options: TrailOptions): Promise<GitTrail> {
  const root = history.root;
  // Every version of each growing record, and the ones to read (a deletion has no content).
  const versions = new Map<string, RecordVersion[]>();
  const toRead: { version: RecordVersion; name: string }[] = [];
  for (const [path, changes] of history.changes) {
    if (!GROWING.test(path) || changes.length < 2) continue;
    const list = changes.map((c) => ({
      commit: c.commit,
      author: c.author,
      date: c.date,
      content: null as string | null,
    }));
    versions.set(path, list);
    list.forEach((version, i) => {
      if (changes[i]!.status !== "D") toRead.push({ version, name: `${version.commit}:${path}` });
    });
  }
  const [contents, rules, signatures] = await Promise.all([
    readBlobs(
      root,
      toRead.map((r) => r.name),
    ),
    readRulesAtMerges(history, options.mergeCommits),
    options.signatures ? readSignatures(history, options.signatures.gnupgHome) : undefined,
  ]);
  toRead.forEach(({ version }, i) => {
    const bytes = contents[i];
    // A blob git does not have (a partial clone) is left without content.
    if (bytes !== undefined) {
      version.content = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
    }
  });
  return { versions, rules, ...(signatures ? { signatures } : {}) };
}

/**
 * For each merge commit: its first parent on the branch's first-parent line (the base the
 * request was merged onto) and policies/ and CODEOWNERS as they were there. The line and the
 * commits that changed the rules come from the history's own walk; rules are read once per
 * version (the commits that changed them), not once per grant.
 */
async function readRulesAtMerges(
  history: GitHistory,
  mergeCommits: readonly string[],
): Promise<Map<string, RulesAtMerge | undefined>> {
  const result = new Map<string, RulesAtMerge | undefined>();
  if (mergeCommits.length === 0) return result;
  // Newest first: position i's first parent on the line is position i + 1.
  const commits = history.line;
  const position = new Map(commits.map((c, i) => [c, i]));
  // The version of the rules in force at each position: the nearest change at or after it.
  const versionAt: (string | undefined)[] = new Array(commits.length);
  let current: string | undefined;
  for (let i = commits.length - 1; i >= 0; i--) {
    if (history.ruleCommits.has(commits[i]!)) current = commits[i];
    versionAt[i] = current;
  }
  const versions = new Map<string, { policyFiles: SourceFile[]; codeowners: SourceFile | null }>();
  for (const merge of new Set(mergeCommits)) {
    const at = position.get(merge);
    const base = at === undefined ? undefined : commits[at + 1];
    if (at === undefined || base === undefined) {
      result.set(merge, undefined);
      continue;
    }
    const version = versionAt[at + 1];
    if (version !== undefined && !versions.has(version)) {
      versions.set(version, await readRulesAt(history.root, version));
    }
    const rules = version ? versions.get(version)! : { policyFiles: [], codeowners: null };
    result.set(merge, { base, version: version ?? null, ...rules });
  }
  return result;
}

/** policies/*.yaml and the first CODEOWNERS found, at one commit. */
async function readRulesAt(
  root: string,
  commit: string,
): Promise<{ policyFiles: SourceFile[]; codeowners: SourceFile | null }> {
  const tree = await git(root, [
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    commit,
    "--",
    "policies/",
    ...CODEOWNERS_PATHS,
  ]);
  const blobs: { path: string; object: string }[] = [];
  for (const entry of tree.toString("utf8").split("\0")) {
    const match = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!match || match[1] === "120000") continue;
    const path = match[3]!;
    if (path.startsWith("policies/") && !/\.ya?ml$/.test(path)) continue;
    blobs.push({ path, object: match[2]! });
  }
  const contents = await readBlobs(
    root,
    blobs.map((b) => b.object),
  );
  const files = blobs.map((b, i) => ({ path: b.path, content: contents[i] ?? new Uint8Array() }));
  const codeowners =
    CODEOWNERS_PATHS.map((p) => files.find((f) => f.path === p)).find((f) => f !== undefined) ??
    null;
  return { policyFiles: files.filter((f) => f.path.startsWith("policies/")), codeowners };
}

/**
 * The signature status of every commit that added, changed or deleted a record, in one
 * `git log --no-walk` (git asks gpg, with the keyring in `gnupgHome`, as `git verify-commit`
 * does). `%G?`: G good, U good with a key of unknown trust, B bad, X/Y expired, R revoked, E the
 * key is not in the keyring, N no signature.
 */
async function readSignatures(
  history: GitHistory,
  gnupgHome: string | undefined,
): Promise<Map<string, SignatureStatus>> {
  const commits = new Set<string>();
  for (const [path, changes] of history.changes) {
    if (RECORD.test(path)) for (const c of changes) commits.add(c.commit);
  }
  const result = new Map<string, SignatureStatus>();
  if (commits.size === 0) return result;
  const out = await git(
    history.root,
    ["log", "--no-walk=unsorted", "--stdin", "--no-color", "--format=%H %G? %GK"],
    `${[...commits].join("\n")}\n`,
    gnupgHome ? { GNUPGHOME: gnupgHome } : {},
  );
  for (const line of out.toString("utf8").split("\n")) {
    const [commit, status, key] = line.split(" ");
    if (commit && status) result.set(commit, { status, key: key ?? "" });
  }
  return result;
}
