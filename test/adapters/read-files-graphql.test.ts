import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  filesQuery,
  objectExpression,
  withGraphQlFileReads,
} from "../../src/adapters/read-files-graphql.ts";
import { readPathsGraphQl } from "../../src/adapters/read-paths-graphql.ts";
import { FakeGitHub } from "../support/sweep-fakes.ts";

describe("batch file reads over GraphQL", () => {
  function setup(answer: (path: string) => unknown) {
    const port = new FakeGitHub();
    port.files.set("a/truncated.json", "the whole file");
    const queries: Record<string, unknown>[] = [];
    const reader = withGraphQlFileReads(
      {
        owner: port.owner,
        repo: port.repo,
        getFile: (ref: string, path: string) => port.getFile(ref, path),
      } as never,
      async (_query, variables) => {
        queries.push(variables);
        const repository: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(variables)) {
          if (k.startsWith("e")) repository[`f${k.slice(1)}`] = answer(String(v).split(":")[1]!);
        }
        return { repository };
      },
    );
    return { port, reader, queries };
  }

  it("reads 100 files a query, naming each by ref:path", async () => {
    const paths = Array.from({ length: 250 }, (_, i) => `a/${i}.json`);
    const { reader, queries } = setup((p) => ({
      text: `text of ${p}`,
      isBinary: false,
      isTruncated: false,
    }));
    const files = await reader.getFiles!("main", paths);
    expect(queries.map((q) => Object.keys(q).length - 2)).toEqual([100, 100, 50]);
    expect(queries[0]).toMatchObject({
      owner: "acme",
      repo: "access",
      e0: "refs/heads/main:a/0.json",
    });
    expect(files.get("a/249.json")).toBe("text of a/249.json");
  });

  it("gives undefined for a missing file or a directory and reads a truncated one with getFile", async () => {
    const { reader, port } = setup((p) =>
      p === "a/missing.json"
        ? null
        : p === "a/directory"
          ? {} // a tree: the Blob fragment's fields are left out
          : { text: "cut", isBinary: false, isTruncated: true },
    );
    const paths = ["a/missing.json", "a/directory", "a/truncated.json"];
    const files = await reader.getFiles!("main", paths);
    expect(files.get("a/missing.json")).toBeUndefined();
    expect(files.has("a/directory")).toBe(true);
    expect(files.get("a/directory")).toBeUndefined();
    expect(files.get("a/truncated.json")).toBe("the whole file");
    expect(port.count("getFile")).toBe(1);
  });

  it("asks for blobs' text with one variable per file", () => {
    expect(filesQuery(2)).toBe(
      [
        "query ($owner: String!, $repo: String!, $e0: String!, $e1: String!) {",
        "  repository(owner: $owner, name: $repo) {",
        "    f0: object(expression: $e0) { ... on Blob { text isBinary isTruncated } }",
        "    f1: object(expression: $e1) { ... on Blob { text isBinary isTruncated } }",
        "  }",
        "}",
      ].join("\n"),
    );
  });
});

describe("objectExpression", () => {
  it("names a branch in full and a commit as it is", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(objectExpression("main", "a/b.json")).toBe("refs/heads/main:a/b.json");
    expect(objectExpression(sha, "a/b.json")).toBe(`${sha}:a/b.json`);
    expect(objectExpression("refs/heads/main", "a")).toBe("refs/heads/main:a");
  });

  it("reads the branch, not a tag named like it (git's rules let the tag win)", () => {
    const root = mkdtempSync(join(tmpdir(), "hallpass-tag-shadow-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
        cwd: root,
        stdio: ["ignore", "pipe", "ignore"],
      }).toString("utf8");
    try {
      git("init", "-q", "-b", "main");
      writeFileSync(join(root, "record.json"), "before\n");
      git("add", ".");
      git("commit", "-q", "-m", "one");
      // Someone who may push tags (no review needed) names one like the branch, at the old commit.
      git("tag", "main");
      writeFileSync(join(root, "record.json"), "revoked\n");
      git("commit", "-q", "-am", "two");
      expect(git("cat-file", "blob", "main:record.json")).toBe("before\n");
      const [ref, path] = objectExpression("main", "record.json").split(":") as [string, string];
      expect(git("cat-file", "blob", `${ref}:${path}`)).toBe("revoked\n");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("readPathsGraphQl", () => {
  it("reads files beyond the first hundred a hundred a query, in the order asked", async () => {
    const asked: number[] = [];
    const graphql = async (_query: string, variables: Record<string, unknown>) => {
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        if (!/^f\d+$/.test(name)) continue;
        const path = String(value).split(":")[1]!;
        repository[name] = { text: `text of ${path}`, isBinary: false, isTruncated: false };
      }
      asked.push(Object.keys(repository).length);
      return { repository };
    };
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const files = Array.from({ length: 250 }, (_, i) => ({ ref: sha, path: `a/${i}.yaml` }));
    const read = await readPathsGraphQl(
      graphql,
      { owner: "acme", repo: "access" },
      { files, directories: [] },
    );
    expect(asked).toEqual([100, 100, 50]);
    expect(read.files).toEqual(files.map((f) => `text of ${f.path}`));
  });
});
