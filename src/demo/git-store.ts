import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real git repository used as the object store of the demo's GitHub stand-in: blobs, trees,
 * commits and branch refs are written with git's plumbing, so every SHA the stand-in hands out
 * is a real git object, and `hallpass history` (which reads git) sees what the app and the
 * action committed. Git runs with argument arrays, never through a shell.
 */

/** Who made a commit, and when. */
export interface Signature {
  name: string;
  email: string;
  date: Date;
}

/** One entry of a tree listing. */
export interface TreeEntry {
  path: string;
  type: "blob" | "tree";
  sha: string;
}

export class GitStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Whether git can be run at all (the demo needs it on the PATH). */
  static available(): boolean {
    try {
      execFileSync("git", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  }

  /** Creates an empty repository whose default branch is `main`. */
  init(): void {
    this.#git(["init", "--quiet", "--initial-branch=main"]);
  }

  #git(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}) {
    return execFileSync("git", ["-c", "core.quotepath=off", ...args], {
      cwd: this.root,
      input: options.input ?? "",
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...options.env },
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    }).toString("utf8");
  }

  /** The SHA `rev` names, or undefined when it names nothing. */
  resolve(rev: string): string | undefined {
    if (rev.startsWith("-")) return undefined;
    try {
      return this.#git(["rev-parse", "--verify", "--quiet", `${rev}^{object}`]).trim();
    } catch {
      return undefined;
    }
  }

  /** The tree SHA of a commit (or of a tree), or undefined when `rev` is not one. */
  treeOf(rev: string): string | undefined {
    return rev.startsWith("-") ? undefined : this.resolve(`${rev}^{tree}`);
  }

  /** The text of `path` at `rev`, or undefined when there is no such file. */
  readFile(rev: string, path: string): string | undefined {
    if (rev.startsWith("-")) return undefined;
    try {
      const type = this.#git(["cat-file", "-t", `${rev}:${path}`]).trim();
      if (type !== "blob") return undefined;
      return this.#git(["cat-file", "blob", `${rev}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** The entries of a tree (or of a commit's tree), recursively or one level. */
  listTree(treeish: string, recursive: boolean): TreeEntry[] | undefined {
    if (this.treeOf(treeish) === undefined) return undefined;
    const out = this.#git(["ls-tree", "-z", ...(recursive ? ["-r"] : []), treeish]);
    return out
      .split("\0")
      .filter((line) => line !== "")
      .map((line) => {
        const [meta, path] = line.split("\t") as [string, string];
        const [, type, sha] = meta.split(" ") as [string, "blob" | "tree", string];
        return { path, type, sha };
      });
  }

  /** Writes a tree: `base` (a tree SHA, or none) with `files` added or replaced. */
  writeTree(base: string | undefined, files: readonly { path: string; content: string }[]) {
    const index = mkdtempSync(join(tmpdir(), "hallpass-demo-index-"));
    const env = { GIT_INDEX_FILE: join(index, "index") };
    try {
      this.#git(base ? ["read-tree", base] : ["read-tree", "--empty"], { env });
      const lines = files.map((file) => {
        const blob = this.#git(["hash-object", "-w", "--stdin"], { input: file.content }).trim();
        return `100644 ${blob}\t${file.path}\n`;
      });
      this.#git(["update-index", "--add", "--index-info"], { env, input: lines.join("") });
      return this.#git(["write-tree"], { env }).trim();
    } finally {
      rmSync(index, { recursive: true, force: true });
    }
  }

  /** Writes a commit of `tree` on `parents` (unsigned: the demo has no GitHub key to sign with). */
  writeCommit(tree: string, parents: readonly string[], message: string, by: Signature): string {
    const date = `${Math.floor(by.date.getTime() / 1000)} +0000`;
    return this.#git(["commit-tree", "--no-gpg-sign", tree, ...parents.flatMap((p) => ["-p", p])], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: by.name,
        GIT_AUTHOR_EMAIL: by.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: by.name,
        GIT_COMMITTER_EMAIL: by.email,
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  /**
   * Moves `branch` to `sha` if it is still at `expected` (undefined: the branch must not exist
   * yet); false when it moved meanwhile.
   */
  updateBranch(branch: string, sha: string, expected: string | undefined): boolean {
    try {
      this.#git(["update-ref", `refs/heads/${branch}`, sha, expected ?? ""]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Creates the lightweight tag `name` at `sha`; false when a tag of that name exists. Pushing a
   * tag needs no review on GitHub, and git resolves a short name as a tag before a branch.
   */
  createTag(name: string, sha: string): boolean {
    try {
      this.#git(["update-ref", `refs/tags/${name}`, sha, ""]);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether `ancestor` is `sha` or one of its ancestors. */
  isAncestor(ancestor: string, sha: string): boolean {
    try {
      this.#git(["merge-base", "--is-ancestor", ancestor, sha]);
      return true;
    } catch {
      return false;
    }
  }

  /** Commits reachable from `head` but not from `base`, oldest first. */
  commitsBetween(base: string, head: string): { sha: string; email: string }[] {
    return this.#git(["log", "--reverse", "--format=%H %ae", `${base}..${head}`])
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [sha, email] = line.split(" ") as [string, string];
        return { sha, email };
      });
  }

  /** Files changed from `base` to `head`, as `git diff --name-status` tells them. */
  changedFiles(base: string, head: string): { path: string; status: string }[] {
    return this.#git(["diff", "--name-status", "--no-renames", "-z", base, head])
      .split("\0")
      .filter((part) => part !== "")
      .reduce<{ path: string; status: string }[]>((out, part, i, all) => {
        if (i % 2 === 0) out.push({ status: part, path: all[i + 1] ?? "" });
        return out;
      }, []);
  }

  /** Commits on `rev`'s history that touch `path`, newest first; at most `limit`. */
  commitsTouching(rev: string, path: string, limit: number): string[] {
    return this.#git(["log", `--max-count=${limit}`, "--format=%H", rev, "--", path])
      .split("\n")
      .filter((line) => line !== "");
  }

  /** `author: subject` of each commit of `range`, oldest first, first parent only. */
  log(range: string): string[] {
    return this.#git(["log", "--reverse", "--first-parent", "--format=%an: %s", range])
      .split("\n")
      .filter((line) => line !== "");
  }

  /** Makes the working folder show the checked-out branch (the stand-in writes objects and refs only). */
  syncWorkingTree(): void {
    this.#git(["reset", "--quiet", "--hard"]);
  }
}
