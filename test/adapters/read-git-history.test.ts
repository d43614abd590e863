import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchParser,
  GitReadError,
  git,
  readBlobs,
  readGitHistory,
  treeBlobs,
} from "../../src/adapters/read-git-history.ts";
import { ALICE, BOB, buildStory, CAROL, GitRepo, UNRECORDED } from "./git-history-repo.ts";

let repo: GitRepo;
let story: ReturnType<typeof buildStory>;

beforeAll(() => {
  repo = new GitRepo();
  story = buildStory(repo);
});
afterAll(() => repo.cleanup());

function text(content: string | Uint8Array): string {
  return typeof content === "string" ? content : new TextDecoder().decode(content);
}

describe("readGitHistory", () => {
  it("reads the files under access-requests/ and policies/ at HEAD, without the schema and the .md copies", async () => {
    const git = await readGitHistory(repo.root);
    expect(git.revision).toBe(story.last);
    expect(git.shallow).toBe(false);
    expect(git.requestFiles.map((f) => f.path).sort()).toEqual(
      [
        "access-requests/infra/bob-net.grant.json",
        BOB,
        "access-requests/payments/alice-db.alerts.json",
        "access-requests/payments/alice-db.audit.json",
        "access-requests/payments/alice-db.grant.json",
        "access-requests/payments/alice-db.revocation.json",
        ALICE,
        UNRECORDED,
      ].sort(),
    );
    expect(git.policyFiles.map((f) => f.path)).toContain("policies/settings.yaml");
    const grant = git.requestFiles.find((f) => f.path.endsWith("alice-db.grant.json"))!;
    expect(JSON.parse(text(grant.content))).toEqual(story.grant);
    const bob = git.requestFiles.find((f) => f.path === BOB)!;
    expect(text(bob.content)).toContain("duration: 12h");
  });

  it("follows the branch's first-parent line: a request merged with a merge commit is added by the merge, edits inside the PR are not seen", async () => {
    const git = await readGitHistory(repo.root);
    expect(git.changes.get(ALICE)).toEqual([
      {
        commit: story.aliceMerge,
        status: "A",
        author: "bob <bob@example.com>",
        date: "2026-11-26T09:00:00+00:00",
      },
    ]);
  });

  it("lists every later change of a path, oldest first, including deletions", async () => {
    const git = await readGitHistory(repo.root);
    expect(git.changes.get(BOB)?.map((c) => [c.commit, c.status])).toEqual([
      [story.bobSquash, "A"],
      [story.bobChanged, "M"],
    ]);
    expect(git.changes.get(CAROL)?.map((c) => [c.commit, c.status, c.author])).toEqual([
      [story.carolAdded, "A", "carol <carol@example.com>"],
      [story.carolDeleted, "D", "mallory <mallory@example.com>"],
    ]);
  });

  it("gives the first-parent line and the commits that changed the rules, as git's own pathspec walks do", async () => {
    const git = await readGitHistory(repo.root);
    const lines = (...args: string[]) =>
      repo
        .git(...args)
        .trim()
        .split("\n")
        .filter(Boolean);
    expect(git.line).toEqual(lines("rev-list", "--first-parent", "HEAD"));
    const rules = ["policies/", ".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
    const changed = lines("log", "--first-parent", "-m", "--format=%H", "HEAD", "--", ...rules);
    expect(changed.length).toBeGreaterThan(0);
    expect([...git.ruleCommits].sort()).toEqual([...new Set(changed)].sort());
  });

  it("gives the paths each commit changed outside access-requests/, as git's own walk does", async () => {
    const git = await readGitHistory(repo.root);
    const outside = new Map<string, string[]>();
    const log = repo.git(
      "log",
      "--first-parent",
      "-m",
      "--no-renames",
      "--name-only",
      "--format=%x1e%H",
    );
    for (const entry of log.split("\x1e").filter(Boolean)) {
      const [commit, ...paths] = entry.split("\n").filter(Boolean);
      const others = paths.filter((p) => !p.startsWith("access-requests/"));
      if (others.length > 0) outside.set(commit!, others);
    }
    expect(outside.size).toBeGreaterThan(0);
    expect(new Map([...git.outsideChanges].map(([c, o]) => [c, o.paths]))).toEqual(outside);
    for (const o of git.outsideChanges.values()) expect(o.count).toBe(o.paths.length);
  });

  it("reads a deleted request as it was just before its deletion", async () => {
    const git = await readGitHistory(repo.root);
    expect(git.deletedRequests.map((f) => [f.path, text(f.content)])).toEqual([
      [CAROL, expect.stringContaining("requester: carol")],
    ]);
    expect(git.requestFiles.map((f) => f.path)).not.toContain(CAROL);
  });

  it("reads an earlier revision: its files and only the history up to it", async () => {
    const git = await readGitHistory(repo.root, "before-tamper");
    expect(git.revision).toBe(story.carolAdded);
    expect(git.requestFiles.map((f) => f.path)).toContain(CAROL);
    expect(text(git.requestFiles.find((f) => f.path === BOB)!.content)).toContain("duration: 1h");
    expect(git.changes.get(BOB)).toHaveLength(1);
    expect(git.changes.has(UNRECORDED)).toBe(false);
    expect(git.deletedRequests).toEqual([]);
  });

  it("works from a sub-folder of the repository", async () => {
    const git = await readGitHistory(join(repo.root, "access-requests", "payments"));
    expect(git.revision).toBe(story.last);
  });

  it("reads paths with spaces and non-ASCII characters as they are, whatever the git configuration", async () => {
    const other = new GitRepo();
    try {
      other.git("config", "color.ui", "always");
      other.git("config", "log.showSignature", "true");
      other.git("config", "core.quotePath", "true");
      const path = "access-requests/équipe paiements/alice db.yaml";
      other.write({ [path]: "requester: alice\n" });
      other.commit("odd name", "alice", "2026-11-26T08:00:00Z");
      const git = await readGitHistory(other.root);
      expect(git.requestFiles.map((f) => f.path)).toEqual([path]);
      expect(git.changes.get(path)?.[0]?.status).toBe("A");
    } finally {
      other.cleanup();
    }
  });

  it("does not read a symbolic link (it could point anywhere), but its history is there", async () => {
    const other = new GitRepo();
    try {
      const path = "access-requests/alice.yaml";
      other.write({ "access-requests/.keep": "" });
      symlinkSync("/etc/hostname", join(other.root, path));
      other.commit("a link", "alice", "2026-11-26T08:00:00Z");
      const git = await readGitHistory(other.root);
      expect(git.requestFiles.map((f) => f.path)).toEqual(["access-requests/.keep"]);
      expect(git.changes.get(path)?.map((c) => c.status)).toEqual(["A"]);
    } finally {
      other.cleanup();
    }
  });

  it("says when the clone is shallow", async () => {
    const target = mkdtempSync(join(tmpdir(), "hallpass-shallow-"));
    try {
      repo.git("clone", "-q", "--depth", "1", `file://${repo.root}`, join(target, "clone"));
      const git = await readGitHistory(join(target, "clone"));
      expect(git.shallow).toBe(true);
      // In a shallow clone the boundary commit seems to add everything: hence the finding.
      expect(git.changes.get(ALICE)?.[0]?.commit).toBe(story.last);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });

  const failures: { name: string; cwd: () => string; rev?: string; kind: GitReadError["kind"] }[] =
    [
      { name: "outside a repository", cwd: () => tmpdir(), kind: "not-a-repository" },
      {
        name: "an unknown revision",
        cwd: () => repo.root,
        rev: "no-such-tag",
        kind: "unknown-revision",
      },
      {
        name: "a revision that is an option",
        cwd: () => repo.root,
        rev: "--output=/tmp/x",
        kind: "unknown-revision",
      },
      {
        name: "a blob, not a commit",
        cwd: () => repo.root,
        rev: `HEAD:${ALICE}`,
        kind: "unknown-revision",
      },
    ];
  it.each(failures)("fails with $kind for $name", async ({ cwd, rev, kind }) => {
    const error = await readGitHistory(cwd(), rev).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitReadError);
    expect((error as GitReadError).kind).toBe(kind);
  });

  const missing = ["cat-file", "-t", "f".repeat(40)];
  it.each([
    ["alone", () => missing],
    ["after a -c setting", () => ["-c", "core.deltaBaseCacheLimit=16m", ...missing]],
    ["after two -c settings", () => ["-c", "a.b=c", "-c", "d.e=f", ...missing]],
    ["after -C and its folder", () => ["-C", repo.root, ...missing]],
    ["after --git-dir and its folder", () => ["--git-dir", join(repo.root, ".git"), ...missing]],
    ["after an option without a value", () => ["--no-pager", ...missing]],
  ])("names the git command that failed when it comes %s", async (_when, args) => {
    const error = await git(repo.root, args()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitReadError);
    expect((error as Error).message).toMatch(/^git cat-file failed: /);
  });
});

describe("readBlobs", () => {
  it("reads blobs that git's output splits anywhere, each whole and in order, and a missing one", async () => {
    const other = new GitRepo();
    try {
      // Blobs of many sizes around a pipe's 64 KB chunks, so that headers, bodies and the
      // newline after each fall on every side of a chunk's end.
      const files: Record<string, string> = {};
      for (let i = 0; i < 40; i++) {
        files[`f${i}.txt`] = `${i}:`.padEnd(
          1 + ((i * 7919) % 150_000),
          String.fromCharCode(97 + (i % 26)),
        );
      }
      files["empty.txt"] = "";
      other.write(files);
      const head = other.commit("blobs", "alice", "2026-11-26T08:00:00Z");
      const paths = Object.keys(files);
      const names = [...paths.map((p) => `${head}:${p}`), `${head}:no-such-file`];
      names.splice(3, 0, `${head}:also missing, with a space`);
      const shaped: number[] = [];
      const blobs = await readBlobs(other.root, names, (index, bytes, keep) => {
        shaped.push(index);
        return index % 2 === 0 ? keep(bytes) : new TextDecoder().decode(bytes);
      });
      expect(blobs).toHaveLength(names.length);
      names.forEach((name, i) => {
        const path = name.slice(head.length + 1);
        const blob = blobs[i];
        if (files[path] === undefined) expect(blob).toBeUndefined();
        else expect(typeof blob === "string" ? blob : text(blob!)).toBe(files[path]);
      });
      expect(shaped).toEqual(
        names.flatMap((n, i) => (files[n.slice(head.length + 1)] === undefined ? [] : [i])),
      );
    } finally {
      other.cleanup();
    }
  });
});

describe("BatchParser", () => {
  const blobs = ["", "a", "line\nline\n", "x".repeat(300), "é and ü"];
  const names = ["e0", "missing-one", "e1", "e2", "e3", "e4"];
  const output = Buffer.concat([
    ...blobs.slice(0, 1).map(answer),
    Buffer.from("missing-one missing\n"),
    ...blobs.slice(1).map(answer),
  ]);
  function answer(content: string): Buffer {
    const bytes = Buffer.from(content);
    return Buffer.concat([
      Buffer.from(`${"f".repeat(40)} blob ${bytes.length}\n`),
      bytes,
      Buffer.from("\n"),
    ]);
  }

  it.each([1, 2, 7, 45, 64, 1000])(
    "gives every blob whole when the output comes in pieces of %i bytes, in one reused buffer",
    (size) => {
      const piece = Buffer.alloc(size);
      const parser = new BatchParser(names, (_, bytes) => new TextDecoder().decode(bytes));
      for (let at = 0; at < output.length; at += size) {
        const n = output.copy(piece, 0, at, at + size);
        parser.take(piece.subarray(0, n));
        piece.fill(0x2a);
      }
      expect(parser.finish()).toEqual([blobs[0], undefined, ...blobs.slice(1)]);
    },
  );

  it("reads a header's size the same whether it is read from its bytes or as text", () => {
    const oid = "f".repeat(40);
    const one = (header: string, body: string) => {
      const parser = new BatchParser(["x"], (_, bytes) => new TextDecoder().decode(bytes));
      parser.take(Buffer.from(`${header}\n${body}\n`));
      return parser.finish()[0];
    };
    expect(one(`${oid} blob 0003`, "abc")).toBe("abc");
    // Read as text: more digits than the byte path reads, or a field after the size.
    expect(one(`${oid} blob 0000000000000003`, "abc")).toBe("abc");
    expect(one(`${oid} blob 3 more`, "abc")).toBe("abc");
    expect(() => one(`${oid} blobs 3`, "abc")).toThrow(GitReadError);
    expect(() => one(`${oid} x blob 3`, "abc")).toThrow(GitReadError);
    expect(() => one("blob 3", "abc")).toThrow(GitReadError);
  });

  it("fails when git's answer is not a blob, or output ends early", () => {
    const parser = new BatchParser(["HEAD"], () => "");
    expect(() => parser.take(Buffer.from(`${"f".repeat(40)} tree 10\n`))).toThrow(GitReadError);
    const short = new BatchParser(names, () => "");
    short.take(output.subarray(0, 50));
    expect(() => short.finish()).toThrow(/ended before answering every object/);
  });
});

describe("readGitHistory's compact option", () => {
  it("keeps a reduced file as it is returned, with what it carries besides its content", async () => {
    const read = await readGitHistory(repo.root, "HEAD", {
      compact: (file) =>
        file.path.endsWith(".grant.json") ? { path: file.path, content: "{}", mark: 1 } : file,
    });
    const grants = read.requestFiles.filter((f) => f.path.endsWith(".grant.json"));
    expect(grants.length).toBeGreaterThan(0);
    for (const f of grants) expect(f).toEqual({ path: f.path, content: "{}", mark: 1 });
  });
});

describe("treeBlobs", () => {
  /** The former reading, one regular expression per entry: the scan must give the same. */
  function byPattern(text: string): { path: string; object: string }[] {
    const blobs: { path: string; object: string }[] = [];
    for (const line of text.split("\0")) {
      const match = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line);
      if (match?.[2] !== "blob" || match[1] === "120000") continue;
      const path = match[4]!;
      if (path === "access-requests/schema.json" || path.endsWith(".md")) continue;
      if (path.startsWith("policies/") && !/\.ya?ml$/.test(path)) continue;
      blobs.push({ path, object: match[3]! });
    }
    return blobs;
  }
  const entry = fc.record({
    mode: fc.constantFrom("100644", "100755", "120000", "160000"),
    type: fc.constantFrom("blob", "blob", "commit"),
    object: fc.stringMatching(/^[0-9a-f]{40}$/),
    path: fc.tuple(
      fc.constantFrom("access-requests/", "policies/", "access-requests/a b/", "docs/"),
      fc.string({ unit: fc.constantFrom("x", " ", "\t", "\n", "é", "."), maxLength: 8 }),
      fc.constantFrom(".yaml", ".yml", ".json", ".md", "", "schema.json"),
    ),
  });

  it("reads every entry as the regular expression did: links, submodules, tabs and spaces in paths", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const text = entries
          .map((e) => `${e.mode} ${e.type} ${e.object}\t${e.path.join("")}\0`)
          .join("");
        expect(treeBlobs(text)).toEqual(byPattern(text));
      }),
    );
  });

  it("skips what is not an entry, as the regular expression did", () => {
    for (const text of [
      "",
      "\0",
      "garbage\0",
      "100644 blob\0",
      `100644 blob ${"a".repeat(40)}\0`,
    ]) {
      expect(treeBlobs(text)).toEqual(byPattern(text));
    }
  });
});

describe("git output folder", () => {
  it("says to set TMPDIR when no temporary folder can be made", async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(tmpdir(), "hallpass-no-such-folder", "below");
    try {
      const error = await readGitHistory(repo.root).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitReadError);
      expect((error as Error).message).toMatch(/set TMPDIR to a writable folder/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it("leaves no copy of git's output on disk while it is read, so an interrupted run leaves none", async () => {
    const saved = process.env.TMPDIR;
    const folder = mkdtempSync(join(tmpdir(), "hallpass-spool-test-"));
    process.env.TMPDIR = folder;
    const seen: string[][] = [];
    try {
      await git(repo.root, ["log", "--oneline"], undefined, {}, () => {
        seen.push(readdirSync(folder));
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.flat()).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("readGitHistory's log, against names that look like its own headers", () => {
  it("takes neither an author's name nor a file's name for a commit", async () => {
    const root = mkdtempSync(join(tmpdir(), "hallpass-log-names-"));
    const fake = (digit: string) =>
      `\x1e${digit.repeat(40)}\x1f2020-01-01T00:00:00Z\x1fmallory <m@m>`;
    const run = (args: string[], env: Record<string, string> = {}) =>
      execFileSync("git", args, {
        cwd: root,
        env: { ...process.env, GIT_AUTHOR_EMAIL: "a@e", GIT_COMMITTER_EMAIL: "a@e", ...env },
      })
        .toString("utf8")
        .trim();
    try {
      run(["init", "-q", "-b", "main"]);
      mkdirSync(join(root, "access-requests"));
      mkdirSync(join(root, "policies"));
      writeFileSync(join(root, "policies", "roles.yaml"), "roles: {}\n");
      writeFileSync(join(root, "access-requests", "d.yaml"), "requester: dan\n");
      // A file anywhere whose name carries a header, beside a request in the same commit.
      writeFileSync(join(root, `a${fake("3")}`), "x\n");
      run(["add", "."]);
      run(["commit", "-q", "-m", "one"], { GIT_AUTHOR_NAME: "dan", GIT_COMMITTER_NAME: "dan" });
      writeFileSync(join(root, "policies", "roles.yaml"), "roles: { a: {} }\n");
      run(["commit", "-q", "-am", "two"], {
        GIT_AUTHOR_NAME: `evil${fake("1")}`,
        GIT_COMMITTER_NAME: "evil",
      });
      const git = await readGitHistory(root);
      expect(git.line).toEqual(run(["rev-list", "--first-parent", "HEAD"]).split("\n"));
      const [second = "", first = ""] = git.line;
      expect(git.changes.get("access-requests/d.yaml")).toEqual([
        expect.objectContaining({ commit: first, author: "dan <a@e>" }),
      ]);
      expect([...git.ruleCommits].sort()).toEqual([first, second].sort());
      expect(git.outsideChanges.get(second)?.paths).toEqual(["policies/roles.yaml"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
