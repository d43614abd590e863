import { spawn } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PathChange } from "../core/history/build-access-history.ts";
import { CODEOWNERS_LOCATIONS } from "../core/policy/codeowners.ts";
import type { SourceFile } from "../core/source/source-file.ts";

/**
 * Reads what `hallpass history` needs from a local git repository, offline: the files under
 * `access-requests/` and `policies/` at one revision, and the first-parent history of
 * `access-requests/` up to it. Five git processes whatever the size of the history: two
 * `rev-parse`, one `log`, one `ls-tree`, one `cat-file --batch --buffer` (a second one only when a
 * request was deleted). Git is run with argument
 * arrays, never through a shell, so a revision or path can never become a command.
 */

/** What was read. */
export interface GitHistory {
  /** The repository's top-level folder. */
  root: string;
  /** The commit `rev` resolved to. */
  revision: string;
  shallow: boolean;
  /** Files under `access-requests/` (except the generated schema.json) at the revision. */
  requestFiles: SourceFile[];
  /** Request files deleted before the revision, as they were just before their deletion. */
  deletedRequests: SourceFile[];
  /** Policy files (`policies/**.yaml`) at the revision. */
  policyFiles: SourceFile[];
  /** Changes of each path under `access-requests/`, oldest first. */
  changes: Map<string, PathChange[]>;
  /** Every commit of the first-parent line up to the revision, newest first. */
  line: string[];
  /** The commits of that line that changed `policies/` or a CODEOWNERS file. */
  ruleCommits: Set<string>;
  /**
   * For each commit of the line that changed a path outside `access-requests/`: the first few
   * of those paths and how many there were. verify tells a merge approved without review that
   * changed anything but its request file.
   */
  outsideChanges: Map<string, OutsideChanges>;
}

/** Paths a commit changed outside `access-requests/`: the first `MAX_OUTSIDE`, and the count. */
export interface OutsideChanges {
  paths: string[];
  count: number;
}

const MAX_OUTSIDE = 10;

/** Git could not be read; `kind` tells a usage error from a failure. */
export class GitReadError extends Error {
  override name = "GitReadError";
  readonly kind: "not-a-repository" | "unknown-revision" | "git-failed";
  constructor(kind: GitReadError["kind"], message: string) {
    super(message);
    this.kind = kind;
  }
}

const REQUESTS = "access-requests";
const POLICIES = "policies";

/**
 * Runs git with `args` in `cwd` (with `env` added to the environment); resolves with stdout as
 * bytes, rejects with its stderr. With `sink`, stdout goes to it in pieces instead (and the
 * promise resolves with an empty buffer), so a large output is never held whole; a piece is
 * valid only during the call.
 *
 * Git writes its stdout to a temporary file, read once it has exited, rather than through a
 * pipe: the 80 MB that `cat-file` answers for 10,000 requests cost the CLI about 0.45 s of CPU
 * through a pipe (a 64 KB read, a Buffer and a stream event at a time, and git blocked on
 * every full pipe) and less than 0.1 s from a file read 1 MB at a time. The file is in a
 * folder of its own that only this user can read, removed as soon as it is open.
 */
export async function git(
  cwd: string,
  args: readonly string[],
  input?: string,
  env: Readonly<Record<string, string>> = {},
  sink?: (chunk: Buffer) => void,
): Promise<Buffer> {
  const dir = spoolFolder();
  let fd: number;
  try {
    fd = spoolIo("git's output file could not be made", () =>
      openSync(join(dir, "stdout"), "w+", 0o600),
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // Removed at once, while open: git writes and this reads through the descriptor, so a run cut
  // short (Ctrl-C, a kill, no memory) leaves no copy of the records behind. Where an open file
  // cannot be removed (Windows), it is removed once closed.
  const removed = removeNow(dir);
  try {
    await runGit(cwd, args, input, env, fd);
    return readSpool(fd, sink);
  } finally {
    closeSync(fd);
    if (!removed) rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes `dir`; false when the system refuses while a file in it is open. */
function removeNow(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * git's output could not be kept or read back (no temporary folder, no file, a failed read):
 * not a fact about the repository, so never reported as one.
 */
class SpoolError extends GitReadError {
  constructor(message: string) {
    super("git-failed", message);
  }
}

/** `io()`, its failure a `SpoolError` saying what could not be done. */
function spoolIo<T>(what: string, io: () => T): T {
  try {
    return io();
  } catch (error) {
    throw new SpoolError(
      `${what} (${(error as Error).message}): set TMPDIR to a writable folder with room`,
    );
  }
}

/** A new private folder for git's output; a clear error where none can be made. */
function spoolFolder(): string {
  const parent = tmpdir();
  try {
    return mkdtempSync(join(parent, "hallpass-git-"));
  } catch (error) {
    throw new SpoolError(
      `no temporary folder for git's output could be made in ${parent} (${(error as Error).message}): set TMPDIR to a writable folder`,
    );
  }
}

/** Git's options before the command that take their value as the next argument. */
const OPTIONS_WITH_VALUE = new Set(["-c", "-C", "--git-dir", "--work-tree", "--namespace"]);

/**
 * The git command `args` run (`log`, `cat-file`): the first argument that is neither an option
 * nor the value of one (`-c name=value`, `-C <folder>`), for the error message.
 */
function commandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-")) return arg;
    if (OPTIONS_WITH_VALUE.has(arg)) i++;
  }
  return "(no command)";
}

/** Runs git with its stdout on the file `stdout`; rejects with its stderr when it fails. */
function runGit(
  cwd: string,
  args: readonly string[],
  input: string | undefined,
  env: Readonly<Record<string, string>>,
  stdout: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // -c core.quotepath=off: paths come back as they are (with -z nothing is quoted anyway).
    const child = spawn("git", ["-c", "core.quotepath=off", ...args], {
      cwd,
      stdio: ["pipe", stdout, "pipe"],
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...env },
    });
    // Both are pipes (stdio above); the types cannot tell.
    const stdin = child.stdin!;
    const err: Buffer[] = [];
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) =>
      reject(new GitReadError("git-failed", `git could not be started: ${error.message}`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve();
      else {
        const message = Buffer.concat(err).toString("utf8").trim();
        reject(
          new GitReadError(
            "git-failed",
            `git ${commandOf(args)} failed: ${message || `exit ${code}`}`,
          ),
        );
      }
    });
    stdin.on("error", () => {
      // git exits early on a bad argument; the close handler reports it.
    });
    stdin.end(input ?? "");
  });
}

const SPOOL_PIECE = 1 << 20;

/** The file git wrote: whole, or handed to `sink` a piece at a time (one buffer, reused). */
function readSpool(fd: number, sink: ((chunk: Buffer) => void) | undefined): Buffer {
  const size = spoolIo("git's output could not be read back", () => fstatSync(fd).size);
  const buffer = Buffer.allocUnsafe(sink ? Math.min(size, SPOOL_PIECE) : size);
  let position = 0;
  while (position < size) {
    const read = spoolIo("git's output could not be read back", () =>
      readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position),
    );
    if (read === 0) break;
    if (sink) sink(buffer.subarray(0, read));
    position += read;
  }
  if (position < size) {
    throw new SpoolError("git's output could not be read back whole");
  }
  return sink ? Buffer.alloc(0) : buffer;
}

/** How to read. */
export interface ReadOptions {
  /**
   * Reduces each file under `access-requests/` or `policies/` at the revision to what the
   * reader needs, as it arrives (history: `compactHistoryFile`); returns the file itself to
   * keep it whole. A reduced file is kept as returned, with any other property it carries.
   */
  compact?: (file: SourceFile) => SourceFile;
}

/** Reads the files at `rev` and the history of `access-requests/` up to it. */
export async function readGitHistory(
  cwd: string,
  rev = "HEAD",
  options: ReadOptions = {},
): Promise<GitHistory> {
  if (rev.startsWith("-")) {
    throw new GitReadError(
      "unknown-revision",
      `"${rev}" is not a revision (it looks like an option)`,
    );
  }
  let root: string;
  let shallow: boolean;
  try {
    const [top = "", isShallow] = (
      await git(cwd, ["rev-parse", "--show-toplevel", "--is-shallow-repository"])
    )
      .toString("utf8")
      .trim()
      .split("\n");
    root = top;
    shallow = isShallow === "true";
  } catch (error) {
    if (error instanceof SpoolError) throw error;
    throw new GitReadError(
      "not-a-repository",
      `${cwd} is not inside a git repository: run it in a clone of the access repository`,
    );
  }
  let revision: string;
  try {
    revision = (await git(root, ["rev-parse", "--verify", "--end-of-options", `${rev}^{commit}`]))
      .toString("utf8")
      .trim();
  } catch (error) {
    if (error instanceof SpoolError) throw error;
    // In a repository that exists, HEAD names no commit only before the first one: say that,
    // not git's "unknown revision", which would send the reader after a typo.
    const why =
      rev === "HEAD"
        ? `${root} has no commit yet: commit the access repository (README, "Make it your own"), then run this again.`
        : `"${rev}" is not a commit in ${root}`;
    throw new GitReadError("unknown-revision", why);
  }

  // The log and the files at the revision are read side by side: git walks the history while
  // the blobs stream in (about 80 MB for 10,000 requests with their records).
  const [log, files] = await Promise.all([
    git(root, [
      "log",
      // The branch's own line: a change made inside a pull request before its merge is not a
      // change to a merged request; the merge commit, diffed against its first parent, adds it.
      "--first-parent",
      // The user's configuration must not change what is parsed (color.ui=always,
      // log.showSignature=true would both add text to the output).
      "--no-color",
      "--no-show-signature",
      "-m",
      "--no-renames",
      "--name-status",
      "-z",
      // The author last: a name may hold any character but NUL, \x1e and \x1f included.
      LOG_FORMAT,
      // No pathspec: with one, git diffs every commit twice (once to simplify the history,
      // once to print it), which doubles its time; the paths are filtered here instead, and
      // the same walk gives verify the line and the commits that changed the rules.
      revision,
    ]),
    readFilesAt(root, revision, options.compact),
  ]);
  const { changes, line, ruleCommits, outsideChanges } = parseLog(log.toString("utf8"));
  const { requestFiles, policyFiles } = files;
  // A deleted request is read as it was just before the commit that deleted it (its first
  // parent: the branch as it stood), so the history still says what had been asked for.
  const present = new Set(requestFiles.map((f) => f.path));
  const deleted: string[] = [];
  const objects: string[] = [];
  for (const [path, list] of changes) {
    const last = list.at(-1);
    if (
      last?.status === "D" &&
      !present.has(path) &&
      /\.ya?ml$/.test(path) &&
      !path.includes("\n")
    ) {
      deleted.push(path);
      objects.push(`${last.commit}^1:${path}`);
    }
  }
  const contents = await readBlobs(root, objects);
  const deletedRequests: SourceFile[] = [];
  deleted.forEach((path, i) => {
    const content = contents[i];
    if (content) deletedRequests.push({ path, content });
  });
  return {
    root,
    revision,
    shallow,
    requestFiles,
    policyFiles,
    deletedRequests,
    changes,
    line,
    ruleCommits,
    outsideChanges,
  };
}

/** The files under `access-requests/` and `policies/` at `revision`: one ls-tree, one cat-file. */
async function readFilesAt(
  root: string,
  revision: string,
  compact: ((file: SourceFile) => SourceFile) | undefined,
): Promise<{ requestFiles: SourceFile[]; policyFiles: SourceFile[] }> {
  const tree = await git(root, [
    // A small cache of delta bases: with git's default (96 MB) ls-tree fills it with the
    // trees it resolves, each a fresh allocation, and spent most of its time in page faults
    // (0.07-0.08 s of CPU for 10,000 requests, 0.03 s with 16 MB, packed by fast-import or
    // cloned alike). cat-file and log reuse their bases and are faster with the default.
    "-c",
    "core.deltaBaseCacheLimit=16m",
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    revision,
    "--",
    `${REQUESTS}/`,
    `${POLICIES}/`,
  ]);
  const blobs = treeBlobs(tree.toString("utf8"));
  // Compacted as each blob arrives, so the whole of every file is never held at once.
  // A compacted file is kept as compact returned it, with what it carries besides its content.
  const compacted: (SourceFile | undefined)[] = [];
  const shape: BlobShape | undefined = compact
    ? (index, bytes, keep) => {
        const file = { path: blobs[index]!.path, content: bytes };
        const reduced = compact(file);
        if (reduced === file) return keep(bytes);
        compacted[index] = reduced;
        return reduced.content;
      }
    : undefined;
  const contents = await readBlobs(
    root,
    blobs.map((b) => b.object),
    shape,
  );
  const requestFiles: SourceFile[] = [];
  const policyFiles: SourceFile[] = [];
  blobs.forEach((b, i) => {
    const file = compacted[i] ?? { path: b.path, content: contents[i] ?? new Uint8Array() };
    (b.path.startsWith(`${POLICIES}/`) ? policyFiles : requestFiles).push(file);
  });
  return { requestFiles, policyFiles };
}

/**
 * The files to read of `git ls-tree -r -z` output: regular files (not links, not submodules)
 * under `access-requests/` (not the schema, not the .md copies) and the YAML of `policies/`.
 * Scanned in place: a regular expression and an array of strings per entry made about a
 * tenth of the garbage collections of reading 10,000 requests.
 */
export function treeBlobs(text: string): { path: string; object: string }[] {
  const blobs: { path: string; object: string }[] = [];
  for (let at = 0; at < text.length; ) {
    // <mode> SP <type> SP <object> TAB <path> NUL; only the path may hold any other character.
    let end = text.indexOf("\0", at);
    if (end < 0) end = text.length;
    const typeAt = text.indexOf(" ", at) + 1;
    const objectAt = typeAt > 0 ? text.indexOf(" ", typeAt) + 1 : 0;
    const pathAt = objectAt > 0 ? text.indexOf("\t", objectAt) + 1 : 0;
    const entry = at;
    at = end + 1;
    if (pathAt === 0 || pathAt > end) continue;
    if (text.slice(typeAt, objectAt - 1) !== "blob" || text.startsWith("120000 ", entry)) continue;
    const path = text.slice(pathAt, end);
    if (path === `${REQUESTS}/schema.json` || path.endsWith(".md")) continue;
    if (path.startsWith(`${POLICIES}/`) && !/\.ya?ml$/.test(path)) continue;
    blobs.push({ path, object: text.slice(objectAt, pathAt - 1) });
  }
  return blobs;
}

/** Each commit's header: `\x1e`, its id, its committer date and its author, last. */
const LOG_FORMAT = "--format=%x1e%H%x1f%cI%x1f%an <%ae>";

const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** One commit of the log, and where its `status NUL path NUL` pairs lie in the text. */
interface LoggedCommit {
  commit: string;
  author: string;
  date: string;
  from: number;
  to: number;
}

/**
 * Parses `git log -z --name-status` in `LOG_FORMAT` of the whole first-parent line: the
 * changes of each path under `access-requests/` (oldest first), every commit of the line
 * (newest first) and those that changed `policies/` or a CODEOWNERS file.
 */
function parseLog(
  text: string,
): Pick<GitHistory, "changes" | "line" | "ruleCommits" | "outsideChanges"> {
  const changes = new Map<string, PathChange[]>();
  const ruleCommits = new Set<string>();
  const outsideChanges = new Map<string, OutsideChanges>();
  const commits = logCommits(text);
  // From the oldest, so that every list ends up oldest first.
  for (let i = commits.length - 1; i >= 0; i--) {
    const { commit, author, date, from, to } = commits[i]!;
    for (let at = from; at < to; ) {
      const statusEnd = text.indexOf("\0", at);
      const pathEnd = text.indexOf("\0", statusEnd + 1);
      const status = text.charAt(at);
      const path = text.slice(statusEnd + 1, pathEnd);
      at = pathEnd + 1;
      if (!path.startsWith(`${REQUESTS}/`)) {
        if (isRulesPath(path)) ruleCommits.add(commit);
        const outside = outsideChanges.get(commit);
        if (!outside) outsideChanges.set(commit, { paths: [path], count: 1 });
        else if (outside.count++ < MAX_OUTSIDE) outside.paths.push(path);
        continue;
      }
      if (status !== "A" && status !== "M" && status !== "D" && status !== "T") continue;
      const change: PathChange = { commit, status, author, date };
      const list = changes.get(path);
      if (list) list.push(change);
      else changes.set(path, [change]);
    }
  }
  return { changes, line: commits.map((c) => c.commit), ruleCommits, outsideChanges };
}

/**
 * The commits of the log, newest first, read token by token from the start. A path or an
 * author may hold \x1e and \x1f (git allows any character but NUL), so a commit is found only
 * where a header can stand: first, or after its predecessor's last `status NUL path NUL`
 * pair, a status being a letter. Searched for anywhere, a file or author named like a header
 * would have added a commit, or taken a commit's changes as another's, in what history says
 * and verify re-decides.
 */
function logCommits(text: string): LoggedCommit[] {
  const commits: LoggedCommit[] = [];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf("\0", at);
    if (end < 0) end = text.length;
    const header = text.slice(at, end);
    const idEnd = header.indexOf("\x1f");
    const dateEnd = header.indexOf("\x1f", idEnd + 1);
    const commit = header.slice(1, idEnd);
    if (header.charCodeAt(0) !== 0x1e || dateEnd < 0 || !COMMIT_ID.test(commit)) {
      throw new GitReadError("git-failed", `git log gave an unexpected line at byte ${at}`);
    }
    // After the header's NUL, a newline, then `status NUL path NUL` per changed path.
    const from = text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
    let to = from;
    while (to < text.length && text.charCodeAt(to) !== 0x1e) {
      const pathEnd = text.indexOf("\0", text.indexOf("\0", to) + 1);
      if (pathEnd < 0) throw new GitReadError("git-failed", "git log ended inside a change");
      to = pathEnd + 1;
    }
    commits.push({
      commit,
      date: header.slice(idEnd + 1, dateEnd),
      author: header.slice(dateEnd + 1),
      from,
      to,
    });
    at = to;
  }
  return commits;
}

/** Whether a change to `path` changes the rules: `policies/` or a CODEOWNERS GitHub reads. */
function isRulesPath(path: string): boolean {
  return (
    path.startsWith(`${POLICIES}/`) ||
    CODEOWNERS_LOCATIONS.some((c) => path === c || path.startsWith(`${c}/`))
  );
}

const SLAB_BYTES = 1 << 20;

/**
 * What to keep of the `index`th blob as it arrives: `bytes` are valid only during the call;
 * `keep` copies them to keep them as they are.
 */
export type BlobShape = (
  index: number,
  bytes: Uint8Array,
  keep: (bytes: Uint8Array) => Uint8Array,
) => Uint8Array | string;

/**
 * Reads objects in one `git cat-file --batch --buffer`: `<object> blob <size>\n<bytes>\n` each,
 * or `<name> missing\n`. Names may be object ids or `<commit>:<path>`.
 */
export async function readBlobs(
  root: string,
  names: readonly string[],
  shape?: BlobShape,
): Promise<(Uint8Array | string | undefined)[]> {
  if (names.length === 0) return [];
  // Blobs are copied into slabs of 1 MB, not each into its own buffer: 50,000 small buffers
  // cost an allocation and a V8 object each and left the memory fragmented (about 40 MB more
  // at the peak of reading 10,000 requests).
  let slab = new Uint8Array(0);
  let used = 0;
  const keep = (bytes: Uint8Array): Uint8Array => {
    if (bytes.length > slab.length - used) {
      slab = new Uint8Array(Math.max(SLAB_BYTES, bytes.length));
      used = 0;
    }
    const copy = slab.subarray(used, used + bytes.length);
    copy.set(bytes);
    used += bytes.length;
    return copy;
  };
  const parser = new BatchParser(names, (index, bytes) =>
    shape ? shape(index, bytes, keep) : keep(bytes),
  );
  // --buffer: git writes its answer in large pieces instead of flushing after every object
  // (50,000 small writes, each waking this process, cost about 0.2 s of CPU on 10,000 requests).
  await git(root, ["cat-file", "--batch", "--buffer"], `${names.join("\n")}\n`, {}, (chunk) =>
    parser.take(chunk),
  );
  return parser.finish();
}

const SPACE = 0x20;
const BLOB = Buffer.from(" blob ");

/**
 * The size in a `<object> blob <size>` header that lies in `chunk` from `from` to `to` (its
 * newline), read from the bytes; -1 for any other line, which is then read as text. 50,000
 * headers made into strings and split made about 2 % of reading 10,000 requests.
 */
function blobSize(chunk: Buffer, from: number, to: number): number {
  let digits = to;
  while (digits > from && chunk[digits - 1]! >= 0x30 && chunk[digits - 1]! <= 0x39) digits--;
  // At most 15 digits: always a safe integer. The object name holds no space, as split(" ")
  // in start() requires.
  const typeAt = digits - BLOB.length;
  if (digits === to || to - digits > 15 || typeAt <= from) return -1;
  if (chunk.indexOf(SPACE, from) !== typeAt) return -1;
  for (let i = 0; i < BLOB.length; i++) if (chunk[typeAt + i] !== BLOB[i]) return -1;
  let size = 0;
  for (let i = digits; i < to; i++) size = size * 10 + chunk[i]! - 0x30;
  return size;
}

/**
 * Parses `git cat-file --batch` output piece by piece, split anywhere: a blob that lies within
 * one piece is handed to `found` where it lies, so the 80 MB of 10,000 requests' records are
 * copied once (into what `found` keeps); only a blob split between pieces is assembled. A
 * piece may be reused once `take` returns: nothing of it is held.
 */
export class BatchParser {
  private readonly blobs: (Uint8Array | string | undefined)[] = [];
  /** A header line split between chunks, its first part. */
  private header: Buffer | undefined;
  /** A blob split between chunks, and how much of it has arrived. */
  private body: Uint8Array | undefined;
  private filled = 0;
  /** The newline that ends each blob is still to come. */
  private newline = false;
  private readonly names: readonly string[];
  private readonly found: (index: number, bytes: Uint8Array) => Uint8Array | string;

  constructor(
    names: readonly string[],
    found: (index: number, bytes: Uint8Array) => Uint8Array | string,
  ) {
    this.names = names;
    this.found = found;
  }

  take(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.blobs.length < this.names.length) {
      if (this.newline) {
        if (chunk[at] !== 0x0a) this.fail("a blob not followed by a newline");
        this.newline = false;
        at++;
      } else if (this.body) {
        at = this.fill(chunk, at);
      } else {
        const end = chunk.indexOf(0x0a, at);
        if (end < 0) {
          // Copied: the chunk's memory is reused for the next piece.
          this.header = Buffer.concat(
            this.header ? [this.header, chunk.subarray(at)] : [chunk.subarray(at)],
          );
          return;
        }
        // A header within the chunk is read where it lies; one split between chunks, or any
        // other answer than a blob's, as text.
        const size = this.header ? -1 : blobSize(chunk, at, end);
        if (size >= 0) {
          at = this.blob(size, chunk, end + 1);
          continue;
        }
        const part = chunk.subarray(at, end);
        const line = (this.header ? Buffer.concat([this.header, part]) : part).toString("utf8");
        this.header = undefined;
        at = this.start(line, chunk, end + 1);
      }
    }
  }

  /** Reads one header line; returns where its blob's bytes (or the next header) start. */
  private start(line: string, chunk: Buffer, at: number): number {
    const name = this.names[this.blobs.length]!;
    // endsWith first: the name's own string is built only for the rare missing object.
    if (line.endsWith(" missing") && line === `${name} missing`) {
      this.blobs.push(undefined);
      return at;
    }
    const [, type, sizeText] = line.split(" ");
    const size = Number(sizeText);
    if (type !== "blob" || sizeText === undefined || !Number.isSafeInteger(size) || size < 0) {
      throw new GitReadError("git-failed", `git cat-file answered "${line}" for ${name}`);
    }
    return this.blob(size, chunk, at);
  }

  /** Takes a blob of `size` bytes from `at`; returns where its use of the chunk ends. */
  private blob(size: number, chunk: Buffer, at: number): number {
    if (at + size <= chunk.length) {
      this.blobs.push(this.found(this.blobs.length, chunk.subarray(at, at + size)));
      this.newline = true;
      return at + size;
    }
    this.body = new Uint8Array(size);
    this.filled = 0;
    return this.fill(chunk, at);
  }

  /** Copies what `chunk` holds of the split blob; returns where its use of the chunk ends. */
  private fill(chunk: Buffer, at: number): number {
    const body = this.body!;
    const n = Math.min(body.length - this.filled, chunk.length - at);
    body.set(chunk.subarray(at, at + n), this.filled);
    this.filled += n;
    if (this.filled === body.length) {
      this.blobs.push(this.found(this.blobs.length, body));
      this.body = undefined;
      this.newline = true;
    }
    return at + n;
  }

  private fail(what: string): never {
    throw new GitReadError("git-failed", `git cat-file answered ${what}`);
  }

  /** Every object's answer, once git has exited. */
  finish(): (Uint8Array | string | undefined)[] {
    if (this.blobs.length !== this.names.length) {
      throw new GitReadError("git-failed", "git cat-file ended before answering every object");
    }
    return this.blobs;
  }
}
