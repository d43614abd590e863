import { describe, expect, it } from "vitest";
import {
  compilePattern,
  GLOB_STAR,
  MAX_CODEOWNERS_BYTES,
  matchOwners,
  parseCodeowners,
  parseOwner,
} from "../../../src/core/policy/codeowners.ts";

/** The example file from GitHub's documentation ("About code owners"), verbatim in substance. */
const GITHUB_DOCS_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

*       @global-owner1 @global-owner2

*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

docs/* docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github
`;

function ownersOf(text: string, path: string): string[] | null {
  const match = matchOwners(parseCodeowners("CODEOWNERS", text), path);
  return match ? match.owners.map((o) => o.text) : null;
}

describe("CODEOWNERS: GitHub's documented example", () => {
  it.each([
    ["README.md", ["@global-owner1", "@global-owner2"]],
    ["src/index.js", ["@js-owner"]],
    ["cmd/main.go", ["docs@example.com"]],
    ["notes/todo.txt", ["@octo-org/octocats"]],
    ["build/logs/app.log", ["@octocat"]], // **/logs comes later than /build/logs/
    ["build/logs/nested/deep.txt", ["@octocat"]],
    ["scripts/deploy.sh", ["@doctocat", "@octocat"]],
    ["scripts/logs/run.log", ["@octocat"]],
    ["deeply/nested/logs/x", ["@octocat"]],
    ["docs/getting-started.md", ["@doctocat"]], // /docs/ comes after docs/*
    ["apps/web/index.ts", ["@octocat"]],
    ["apps/github/index.ts", []], // a rule with no owners leaves the path unowned
    ["apps/github", []],
    ["lib/apps/x.ts", ["@octocat"]],
  ])("%s is owned by %j", (path, owners) => {
    expect(ownersOf(GITHUB_DOCS_EXAMPLE, path)).toEqual(owners);
  });
});

describe("CODEOWNERS patterns", () => {
  it.each([
    // [pattern, path, matches]
    ["*", "a", true],
    ["*", "a/b/c.txt", true],
    ["**", "a/b/c.txt", true],
    ["*.js", "a.js", true],
    ["*.js", "deep/dir/a.js", true],
    ["*.js", "a.jsx", false],
    ["*.js", "a.JS", false], // case-sensitive
    ["docs/*", "docs/getting-started.md", true],
    ["docs/*", "docs/build-app/troubleshooting.md", false],
    ["docs/*", "other/docs/a.md", false], // a middle slash anchors at the root
    ["/*", "top.md", true],
    ["/*", "dir/nested.md", false],
    ["docs/*.md", "docs/a.md", true],
    ["docs/*.md", "docs/a/b.md", false],
    ["apps/", "apps/x", true],
    ["apps/", "a/b/apps/x/y", true],
    ["apps/", "apps", false], // a directory pattern never matches a file of that name
    ["apps/", "myapps/x", false],
    ["/apps/", "x/apps/y", false],
    ["/apps/github", "apps/github", true],
    ["/apps/github", "apps/github/a/b", true],
    ["/apps/github", "apps/githubber", false],
    ["apps/github", "apps/github/x", true],
    ["apps/github", "src/apps/github/x", false],
    ["logs", "logs", true],
    ["logs", "a/logs", true],
    ["logs", "a/logs/b.txt", true],
    ["logs", "a/mylogs", false],
    ["**/logs", "logs/x", true],
    ["**/logs", "build/logs/x", true],
    ["**/logs", "build/logsx", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/x/y/b/c", true],
    ["a/**/b", "x/a/b", false],
    ["a/**", "a/x", true],
    ["a/**", "a/x/y", true],
    ["a/**", "a", false],
    ["db/**", "db-prod/x.yaml", false], // a trailing /** owns the directory, not a sibling prefix
    ["db/**", "db/x.yaml", true],
    ["/db/**", "db-prod/x.yaml", false],
    ["a/**/*.yaml", "a/b/c.yaml", true],
    ["a/**/*.yaml", "a/c.yaml", true],
    ["access-requests/**/*.yaml", "access-requests/team/alice.yaml", true],
    ["access-requests/", "access-requests/alice.yaml", true],
    ["?.md", "a.md", true],
    ["?.md", "ab.md", false],
    ["?.md", "a/b.md", true],
    ["a?b", "a/b", false], // ? never crosses a slash
    ["foo**bar", "fooxbar", true],
    ["foo**bar", "foo/bar", false], // ** inside a segment is a plain *
    ["foo**bar", "foor", false],
    ["a.b", "aXb", false], // dots are literal
    ["my\\ file.txt", "my file.txt", true],
    ["my\\ file.txt", "other.txt", false],
    ["\\*.md", "*.md", true], // an escaped * is a literal asterisk
    ["\\*.md", "a.md", false],
    ["a\\", "a\\", true], // a trailing backslash is itself
    ["*.js", ".js", true], // * matches nothing too
    ["*a", "aba", true], // after a false start, the * takes more
    ["a*", "a", true],
    ["a*b*", "ab", true],
    ["**/docs/*", "docs/a.md", true],
    ["**/docs/*", "x/docs/a.md", true],
    ["**/docs/*", "docs/a/b.md", false], // docs/* owns the direct children only, ** or not
    ["/a/*.md", "a", false],
    ["/a/*.md", "a/b.md", true],
    ["Docs/", "docs/a.md", false],
    ["/", "anything", false],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    const regex = compilePattern(pattern);
    if (typeof regex === "string") {
      expect(expected).toBe(false);
      return;
    }
    expect(regex.test(path)).toBe(expected);
  });
});

describe("CODEOWNERS parsing", () => {
  it("lets the last matching line win", () => {
    const text = "*.yaml @a\naccess-requests/ @b\n";
    expect(ownersOf(text, "access-requests/x.yaml")).toEqual(["@b"]);
    expect(ownersOf("access-requests/ @b\n*.yaml @a\n", "access-requests/x.yaml")).toEqual(["@a"]);
  });

  it("returns undefined when no line matches", () => {
    expect(ownersOf("docs/ @a\n", "src/x.ts")).toBeNull();
  });

  it.each([
    ["!secret.txt @a", "negation"],
    ["file[0-9].txt @a", "character ranges"],
    ["\\#hash @a", "escaping a leading #"],
    ["*.js @bad_user", "not a valid user"],
    ["*.js @org/", "not a valid team"],
    ["*.js not-an-owner", "not an owner"],
    ["a//b @a", "empty path segment"],
  ])("skips and reports the invalid line %j", (line, reason) => {
    const parsed = parseCodeowners(".github/CODEOWNERS", `* @fallback\n${line}\n`);
    expect(parsed.rules.map((r) => r.pattern)).toEqual(["*"]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ file: ".github/CODEOWNERS", line: 2 });
    expect(parsed.problems[0]?.message).toContain(reason);
    // GitHub skips the line: the earlier rule still applies.
    expect(ownersOf(`* @fallback\n${line}\n`, "file1.txt")).toEqual(["@fallback"]);
  });

  it("ignores comments, blank lines, inline comments and CRLF line ends", () => {
    const parsed = parseCodeowners("CODEOWNERS", "# c\r\n\r\n  *.md   @a  @org/t # note\r\n");
    expect(parsed.problems).toEqual([]);
    expect(parsed.rules).toHaveLength(1);
    expect(parsed.rules[0]).toMatchObject({ pattern: "*.md", line: 3 });
    expect(parsed.rules[0]?.owners.map((o) => o.text)).toEqual(["@a", "@org/t"]);
  });

  it("splits owners at tabs as at spaces, with or without escapes on the line", () => {
    expect(ownersOf("*.md\t@a\t\t@org/t\n", "x.md")).toEqual(["@a", "@org/t"]);
    expect(ownersOf("my\\ file.md\t@a\t@b\n", "my file.md")).toEqual(["@a", "@b"]);
  });

  it.each([
    // [line with an escape, pattern, owners]: the escape-aware tokenizer
    ["my\\ file.md  @a \t @b # note", "my\\ file.md", ["@a", "@b"]],
    ["my\\ file#1.md @a", "my\\ file#1.md", ["@a"]],
    ["a\\ b.md @a #", "a\\ b.md", ["@a"]],
    ["a\\ b.md", "a\\ b.md", []],
  ])("splits the escaped line %j into pattern and owners", (line, pattern, owners) => {
    const parsed = parseCodeowners("CODEOWNERS", `  ${line}\n`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rules.map((r) => [r.pattern, r.owners.map((o) => o.text)])).toEqual([
      [pattern, owners],
    ]);
  });

  it.each([
    ["a\\ b.md @a\\", '"@a\\" is not a valid user; GitHub ignores this line'],
    ["a\\ b.md @a#x", '"@a#x" is not a valid user; GitHub ignores this line'],
  ])(
    "keeps a trailing backslash or an inner # in the token on the escaped line %j",
    (line, message) => {
      const parsed = parseCodeowners("CODEOWNERS", `${line}\n`);
      expect(parsed.rules).toEqual([]);
      expect(parsed.problems.map((p) => p.message)).toEqual([message]);
    },
  );

  it("matches a path with a space and a # through an escaped pattern", () => {
    expect(ownersOf("my\\ file#1.md @a\n", "my file#1.md")).toEqual(["@a"]);
  });

  it("keeps a # inside a pattern", () => {
    expect(ownersOf("file#1.txt @a\n", "file#1.txt")).toEqual(["@a"]);
  });

  it("lower-cases logins, orgs and team slugs (they are case-insensitive on GitHub)", () => {
    expect(parseOwner("@OctoCat")).toMatchObject({ kind: "user", login: "octocat" });
    expect(parseOwner("@Octo-Org/Sec-Team")).toMatchObject({
      kind: "team",
      org: "octo-org",
      slug: "sec-team",
    });
    expect(parseOwner("Dev@Example.com")).toMatchObject({
      kind: "email",
      email: "dev@example.com",
    });
  });

  it("records the line of the winning rule", () => {
    const match = matchOwners(parseCodeowners("CODEOWNERS", "* @a\n\n/x/ @b\n"), "x/y");
    expect(match?.rule.line).toBe(3);
  });

  it("reads a CODEOWNERS file one byte under 3 MB and ignores one of exactly 3 MB", () => {
    const sized = (bytes: number) => `* @a\n${"#".repeat(bytes - "* @a\n".length)}`;
    expect(parseCodeowners("CODEOWNERS", sized(MAX_CODEOWNERS_BYTES - 1)).rules).toHaveLength(1);
    const atLimit = parseCodeowners("CODEOWNERS", sized(MAX_CODEOWNERS_BYTES));
    expect(atLimit.rules).toEqual([]);
    expect(atLimit.problems).toHaveLength(1);
  });

  it.each([
    ["/", "the pattern matches no path"],
    ["//", "the pattern matches no path"],
    ["a//b", "the pattern has an empty path segment (//)"],
    ["[ab].md", "character ranges ([ ]) are not supported in CODEOWNERS"],
    ["x[ab].md", "character ranges ([ ]) are not supported in CODEOWNERS"],
    ["!a.md", "negation (!) is not supported in CODEOWNERS"],
  ])("refuses the pattern %s: %s", (pattern, message) => {
    expect(compilePattern(pattern)).toBe(message);
  });

  it.each([
    ["@acme/sec!", '"@acme/sec!" is not a valid team (write @org/team-slug)'],
    ["@acme/!sec", '"@acme/!sec" is not a valid team (write @org/team-slug)'],
    ["x@y@z.co", '"x@y@z.co" is not an owner: write @login, @org/team-slug or an email address'],
    ["a@b.co@x", '"a@b.co@x" is not an owner: write @login, @org/team-slug or an email address'],
  ])("refuses the owner %s as a whole, not for a part of it", (text, message) => {
    expect(parseOwner(text)).toBe(message);
  });

  it("reports a skipped line as an error at its line", () => {
    const parsed = parseCodeowners("CODEOWNERS", "* @a\n!x @b\n");
    expect(parsed.problems).toEqual([
      {
        file: "CODEOWNERS",
        line: 2,
        column: 1,
        severity: "error",
        message:
          'pattern "!x": negation (!) is not supported in CODEOWNERS; GitHub ignores this line',
      },
    ]);
    expect(
      parseCodeowners("CODEOWNERS", "#".repeat(MAX_CODEOWNERS_BYTES)).problems[0],
    ).toMatchObject({ file: "CODEOWNERS", line: 1, column: 1, severity: "error" });
  });

  it("reads a pattern that is only an escape", () => {
    expect(ownersOf("\\* @a\n", "*")).toEqual(["@a"]);
    expect(ownersOf("\\* @a\n", "b")).toBeNull();
  });

  it("matches a pattern of more than 64 segments with ** (its state outgrows the first buffer)", () => {
    const deep = Array.from({ length: 70 }, (_, i) => `d${i}`);
    const pattern = compilePattern(`${deep.slice(0, 35).join("/")}/**/${deep.slice(35).join("/")}`);
    if (typeof pattern === "string") throw new Error(pattern);
    expect(pattern.test(deep.join("/"))).toBe(true);
    expect(pattern.test([...deep.slice(0, 35), "x", ...deep.slice(35)].join("/"))).toBe(true);
    expect(pattern.test([...deep.slice(0, 69), "other"].join("/"))).toBe(false);
  });

  const any = { kind: "any" };
  const literal = (text: string) => ({ kind: "literal", text });
  const star = { kind: "glob", codes: [GLOB_STAR] };
  it.each([
    ["docs", [any, literal("docs")], "self-or-descendants"],
    ["/docs/", [literal("docs")], "descendants"],
    ["docs/", [any, literal("docs")], "descendants"],
    ["*", [any, star], "self-or-descendants"],
    ["docs/*", [literal("docs"), star], "exact"],
    ["/a/b/c", [literal("a"), literal("b"), literal("c")], "self-or-descendants"],
    ["**", [any], "descendants"],
    ["**/logs", [any, literal("logs")], "self-or-descendants"],
    ["a/**", [literal("a")], "descendants"],
    ["a/**/", [literal("a")], "descendants"],
    ["/**/**/", [any], "descendants"],
    ["a/**/**/b", [literal("a"), any, literal("b")], "self-or-descendants"],
    ["a/**/b/**/**", [literal("a"), any, literal("b"), any], "descendants"],
  ])("compiles %s into exactly its segments and tail", (pattern, segments, tail) => {
    const compiled = compilePattern(pattern);
    if (typeof compiled === "string") throw new Error(compiled);
    expect([...compiled.segments]).toEqual(segments);
    expect(compiled.segments).toHaveLength(segments.length);
    expect(compiled.tail).toBe(tail);
  });

  it("reports an invalid owner at every line that names it", () => {
    const parsed = parseCodeowners("CODEOWNERS", "a @bad_user\nb @ok @bad_user\nc @ok\n");
    expect(parsed.problems.map((p) => [p.line, p.message])).toEqual([
      [1, '"@bad_user" is not a valid user; GitHub ignores this line'],
      [2, '"@bad_user" is not a valid user; GitHub ignores this line'],
    ]);
    expect(parsed.rules.map((r) => [r.pattern, r.owners.map((o) => o.text)])).toEqual([
      ["c", ["@ok"]],
    ]);
  });

  it("treats consecutive ** as one", () => {
    const pattern = compilePattern("a/**/**/b");
    if (typeof pattern === "string") throw new Error(pattern);
    expect(["a/b", "a/x/b", "a/x/y/b", "x/a/b"].map((p) => pattern.test(p))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("ignores a CODEOWNERS file of 3 MB or more entirely, as GitHub does", () => {
    const big = `* @a\n${"# padding line\n".repeat(230_000)}`;
    const parsed = parseCodeowners("CODEOWNERS", big);
    expect(parsed.rules).toEqual([]);
    expect(parsed.problems[0]?.message).toContain("3 MB");
    expect(matchOwners(parsed, "x")).toBeUndefined();
  });
});
