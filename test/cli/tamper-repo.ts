import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Tampering with a real access repository the way someone with push access could: commits on
 * top as anyone, or history rewritten (files replaced from one commit on, authors and dates
 * kept, optionally every commit re-signed). Git runs with argument arrays.
 */

/** The no-reply identity the app's bot commits with (as `hallpass demo` and GitHub do). */
export const BOT = { name: "hallpass[bot]", email: "4242+hallpass[bot]@users.noreply.github.com" };

export class TamperRepo {
  readonly root: string;

  /** A copy of the repository at `source`, to tamper with. */
  constructor(source: string) {
    this.root = mkdtempSync(join(tmpdir(), "hallpass-tamper-"));
    cpSync(source, this.root, { recursive: true });
  }

  git(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}) {
    return execFileSync("git", args, {
      cwd: this.root,
      input: options.input ?? "",
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
        ...options.env,
      },
    }).trim();
  }

  /** Reads `path` at HEAD. */
  read(path: string, rev = "HEAD"): string {
    return this.git(["show", `${rev}:${path}`]);
  }

  /** The first-parent commit of main whose subject starts with `subject`. */
  commitOf(subject: string): string {
    const line = this.git(["log", "--first-parent", "--format=%H %s", "main"])
      .split("\n")
      .find((l) => l.slice(41).startsWith(subject));
    if (!line) throw new Error(`no commit "${subject}"`);
    return line.slice(0, 40);
  }

  /** Commits `files` on top of main as `who` (a person by default), signed with `signWith`. */
  commit(
    files: Record<string, string>,
    who = person("mallory"),
    signWith?: { key: string; gnupgHome: string },
  ) {
    const date = "2026-12-06T09:00:00Z";
    const tree = this.#tree("HEAD", files);
    const head = this.git(["rev-parse", "HEAD"]);
    const sign = signWith ? [`-S${signWith.key}`] : ["--no-gpg-sign"];
    const sha = this.git(["commit-tree", ...sign, tree, "-p", head], {
      input: "change",
      env: {
        ...identity(who, date, who, date),
        ...(signWith ? { GNUPGHOME: signWith.gnupgHome } : {}),
      },
    });
    this.#moveMain(sha);
    return sha;
  }

  /**
   * Rewrites main from `target` on: `files` replace their content at `target`, and in every
   * later commit where they still hold what they held at `target`. Authors, committers, dates
   * and messages are kept, and JSON files a commit changes name the rewritten commits instead
   * of the old ones (a grant record's merge commit); with `signWith`, every rewritten commit is
   * signed with that key.
   */
  rewrite(
    target: string,
    files: Record<string, string>,
    signWith?: { key: string; gnupgHome: string },
  ) {
    const line = this.git(["rev-list", "--first-parent", "--reverse", "main"]).split("\n");
    const from = line.indexOf(target);
    if (from < 0) throw new Error(`${target} is not on main`);
    // What each path held before and holds now: carried on while a later commit keeps it.
    const carried = new Map(
      Object.entries(files).map(([path, content]) => [
        path,
        { blob: this.#blob(target, path), content },
      ]),
    );
    let parent = from > 0 ? line[from - 1] : undefined;
    const mapped = new Map<string, string>();
    for (const commit of line.slice(from)) {
      for (const path of this.git([
        "diff-tree",
        "--no-commit-id",
        "-r",
        "--name-only",
        "--root",
        commit,
      ]).split("\n")) {
        if (!path.endsWith(".json") || carried.has(path)) continue;
        const before = this.read(path, commit);
        let text = before;
        for (const [old, now] of mapped) text = text.replaceAll(old, now);
        if (text !== before)
          carried.set(path, { blob: this.#blob(commit, path), content: `${text}\n` });
      }
      const replace: Record<string, string> = {};
      for (const [path, { blob, content }] of carried) {
        if (this.#blob(commit, path) === blob) replace[path] = content;
      }
      const tree = this.#tree(commit, replace);
      const [an, ae, ad, cn, ce, cd] = this.git([
        "log",
        "-1",
        "--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI",
        commit,
      ]).split("\0") as [string, string, string, string, string, string];
      const others = this.git(["rev-parse", `${commit}^@`])
        .split("\n")
        .filter((p) => p !== "")
        .slice(1);
      const parents = [...(parent ? [parent] : []), ...others];
      parent = this.git(
        [
          "commit-tree",
          ...(signWith ? [`-S${signWith.key}`] : ["--no-gpg-sign"]),
          tree,
          ...parents.flatMap((p) => ["-p", p]),
        ],
        {
          input: this.git(["log", "-1", "--format=%B", commit]),
          env: {
            ...identity({ name: an, email: ae }, ad, { name: cn, email: ce }, cd),
            ...(signWith ? { GNUPGHOME: signWith.gnupgHome } : {}),
          },
        },
      );
      mapped.set(commit, parent);
    }
    this.#moveMain(parent!);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  #blob(commit: string, path: string): string | undefined {
    try {
      return this.git(["rev-parse", `${commit}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** The tree of `commit` with `files` written into it. */
  #tree(commit: string, files: Record<string, string>): string {
    const index = mkdtempSync(join(tmpdir(), "hallpass-tamper-index-"));
    const env = { GIT_INDEX_FILE: join(index, "index") };
    try {
      this.git(["read-tree", commit], { env });
      for (const [path, content] of Object.entries(files)) {
        const blob = this.git(["hash-object", "-w", "--stdin"], { input: content });
        this.git(["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
      }
      return this.git(["write-tree"], { env });
    } finally {
      rmSync(index, { recursive: true, force: true });
    }
  }

  #moveMain(sha: string): void {
    this.git(["update-ref", "refs/heads/main", sha]);
    this.git(["reset", "-q", "--hard", "main"]);
  }
}

/** A person, with the no-reply address GitHub gives them. */
export function person(login: string): { name: string; email: string } {
  return { name: login, email: `${login}@users.noreply.github.com` };
}

function identity(
  author: { name: string; email: string },
  authorDate: string,
  committer: { name: string; email: string },
  committerDate: string,
): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: authorDate,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: committerDate,
  };
}
