import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Codeowners,
  type CodeownersRule,
  compilePattern,
  matchOwners,
  parseCodeowners,
} from "../../../src/core/policy/codeowners.ts";
import { compileCodeowners } from "../../../src/core/policy/compile-codeowners.ts";

/**
 * The oracle: each pattern as the regular expression hallpass compiled it to before the index
 * (GitHub's semantics, checked by codeowners.test.ts), every rule tried, the last match wins.
 * It is wrong only for consecutive `**` segments, which the generator below never writes.
 */
function oracleRegex(pattern: string): RegExp {
  const escapeChar = (ch: string): string => (/[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch);
  const segmentToRegex = (segment: string): string => {
    let out = "";
    for (let i = 0; i < segment.length; i++) {
      const ch = segment[i]!;
      if (ch === "\\" && i + 1 < segment.length) out += escapeChar(segment[++i]!);
      else if (ch === "*") {
        while (segment[i + 1] === "*") i++;
        out += "[^/]*";
      } else out += ch === "?" ? "[^/]" : escapeChar(ch);
    }
    return out;
  };
  let body = pattern;
  const directoryOnly = body.endsWith("/");
  if (directoryOnly) body = body.slice(0, -1);
  const anchored = body.includes("/");
  if (body.startsWith("/")) body = body.slice(1);
  const segments = body.split("/");
  let re = anchored ? "^" : "^(?:.*/)?";
  const last = segments.length - 1;
  segments.forEach((segment, i) => {
    if (segment === "**") {
      re += i === 0 ? (i === last ? ".+" : "(?:.*/)?") : i === last ? "/.+" : "/(?:.*/)?";
      return;
    }
    if (i > 0 && segments[i - 1] !== "**") re += "/";
    re += segmentToRegex(segment);
  });
  const lastSegment = segments[last]!;
  if (lastSegment === "**") re += "$";
  else if (directoryOnly) re += "/.+$";
  else if (lastSegment === "*" && anchored) re += "$";
  else re += "(?:/.+)?$";
  return new RegExp(re);
}

function oracleOwnerLine(rules: readonly CodeownersRule[], path: string): number | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (oracleRegex(rule.pattern).test(path)) return rule.line;
  }
  return undefined;
}

/** A small seeded generator (LCG), so a failure names a case that can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(state / 65536) % n;
  };
}

// Few names, so that patterns and paths collide often: literals, extensions, globs.
const NAMES = ["a", "b", "docs", "logs", "x.js", "y.ts", "a.b.js", "ab", "ba"];
const PATTERN_SEGMENTS = [...NAMES, "*", "?", "*.js", "*.b.js", "a*", "*s", "?b", "**", "a**"];

function randomPattern(pick: (n: number) => number): string {
  const segments: string[] = [];
  const count = 1 + pick(4);
  while (segments.length < count) {
    const segment = PATTERN_SEGMENTS[pick(PATTERN_SEGMENTS.length)]!;
    if (segment === "**" && segments.at(-1) === "**") continue;
    segments.push(segment);
  }
  const lead = pick(3) === 0 ? "/" : "";
  const trail = pick(4) === 0 ? "/" : "";
  return `${lead}${segments.join("/")}${trail}`;
}

function randomPath(pick: (n: number) => number): string {
  return Array.from({ length: 1 + pick(5) }, () => NAMES[pick(NAMES.length)]!).join("/");
}

describe("compileCodeowners", () => {
  it("finds the same line as trying every rule, on 300 random files of 1 to 40 lines", () => {
    const pick = random(11);
    let matched = 0;
    for (let file = 0; file < 300; file++) {
      const lines = Array.from({ length: 1 + pick(40) }, (_, i) => {
        const owners = pick(8) === 0 ? "" : ` @owner-${i}`;
        return `${randomPattern(pick)}${owners}`;
      });
      const text = `${lines.join("\n")}\n`;
      const index = compileCodeowners(parseCodeowners("CODEOWNERS", text));
      for (let p = 0; p < 30; p++) {
        const path = randomPath(pick);
        const expected = oracleOwnerLine(index.codeowners.rules, path);
        const context = `${text}-> ${path}`;
        expect(index.match(path)?.rule.line, context).toBe(expected);
        expect(matchOwners(index.codeowners, path)?.rule.line, context).toBe(expected);
        if (expected !== undefined) matched++;
      }
    }
    // The generator must exercise both outcomes, or the comparison proves little.
    expect(matched).toBeGreaterThan(2000);
    expect(matched).toBeLessThan(8500);
  });

  it("keeps GitHub's documented example", () => {
    const text =
      "* @all\n*.js @js\n/build/logs/ @doc\ndocs/* @docs\napps/ @apps\n**/logs @logs\n/apps/github\n";
    const index = compileCodeowners(parseCodeowners("CODEOWNERS", text));
    const owners = (path: string): string[] | undefined =>
      index.match(path)?.owners.map((o) => o.text);
    expect(owners("README.md")).toEqual(["@all"]);
    expect(owners("src/a.js")).toEqual(["@js"]);
    expect(owners("build/logs/x")).toEqual(["@logs"]);
    expect(owners("docs/a.md")).toEqual(["@docs"]);
    expect(owners("docs/a/b.md")).toEqual(["@all"]);
    expect(owners("lib/apps/x")).toEqual(["@apps"]);
    expect(owners("apps/github/x")).toEqual([]);
  });

  it("returns undefined when no line matches", () => {
    const index = compileCodeowners(parseCodeowners("CODEOWNERS", "docs/ @a\n*.md @b\n"));
    expect(index.match("src/x.ts")).toBeUndefined();
  });
});

// Names whose extensions and globs collide: `.js` against `*.j?`, `.gz` under `*.tar.gz`, a
// trailing dot, an escaped `*`.
const EXTENSION_NAMES = ["a", "b", "a.js", "b.ts", "x.tar.gz", "a.", "ab.js", "*.js", "a.j"];
const EXTENSION_SEGMENTS = [
  ...EXTENSION_NAMES.slice(0, 4),
  "*",
  "?",
  "**",
  "*.js",
  "?.js",
  "a*.js",
  "*.j?",
  "*.*",
  "*.",
  "*.tar.gz",
  "?b.t?",
  "a?",
  "\\*.js",
];

describe("compileCodeowners against a plain last-match-wins scan", () => {
  it("finds the rule matchOwners finds, for any file and path (fast-check)", () => {
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.array(fc.constantFrom(...EXTENSION_SEGMENTS), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
      )
      .filter(([, segments]) => !segments.some((s, i) => s === "**" && segments[i - 1] === "**"))
      .map(
        ([lead, segments, trail]) => `${lead ? "/" : ""}${segments.join("/")}${trail ? "/" : ""}`,
      );
    const path = fc
      .array(fc.constantFrom(...EXTENSION_NAMES), { minLength: 1, maxLength: 4 })
      .map((names) => names.join("/"));
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 12 }),
        fc.array(path, { minLength: 1, maxLength: 12 }),
        (patterns, paths) => {
          const text = patterns.map((p, i) => `${p} @owner-${i}`).join("\n");
          const codeowners = parseCodeowners("CODEOWNERS", text);
          const index = compileCodeowners(codeowners);
          for (const p of paths) {
            expect(index.match(p)?.rule.line, `${text}\n-> ${p}`).toBe(
              matchOwners(codeowners, p)?.rule.line,
            );
          }
        },
      ),
      { numRuns: 400, seed: 13 },
    );
  });
});

/** `text` compiled with every rule's tries recorded, by line, in the order they happen. */
function countingIndex(text: string): { match: (path: string) => number[] } {
  const parsed = parseCodeowners("CODEOWNERS", text);
  const tried: number[] = [];
  const codeowners: Codeowners = {
    ...parsed,
    rules: parsed.rules.map((rule) => ({
      ...rule,
      compiled: {
        segments: rule.compiled.segments,
        tail: rule.compiled.tail,
        test: (path) => rule.compiled.test(path),
        matches: (segments) => {
          tried.push(rule.line);
          return rule.compiled.matches(segments);
        },
      },
    })),
  };
  const index = compileCodeowners(codeowners);
  return {
    match: (path) => {
      tried.length = 0;
      index.match(path);
      return [...tried];
    },
  };
}

describe("compileCodeowners tries only the rules that could match", () => {
  it.each([
    // [CODEOWNERS, path, the lines tried, in order]
    ["/docs/ @a", "x/docs/y", []], // an anchored prefix, looked up at the root only
    ["/docs/ @a", "docs/y", [1]],
    ["logs/ @b", "x/y", []], // a literal name anywhere
    ["logs/ @b", "x/logs/y", [1]],
    ["*.js @c", "a/b.ts", []], // an extension
    ["*.js @c", "a/b.js", [1]],
    ["?.md @d", "a/b.ts", []],
    ["?.md @d", "a/bb.md", [1]],
    ["*. @e", "a/b", []],
    ["*.j? @f", "a/b", [1]], // no extension to file it under: tried on every path
    ["**/a/b @g", "a/x/a/y", [1]], // found under `a` twice, tried once
    ["*.js @c\n/a/ @a\nx.js/ @b", "a/x.js", [3, 2]], // latest first, stops at a match
    ["* @all\n/docs/ @a", "docs/y", [2]], // an earlier catch-all cannot beat line 2
    ["/docs/ @a\n* @all", "docs/y", [1, 2]], // a later one can, and wins
  ] as const)("%j on %s tries lines %j", (text, path, lines) => {
    expect(countingIndex(text).match(path)).toEqual(lines);
  });
});

describe("CODEOWNERS patterns without backtracking", () => {
  it("answers at once for a line with many ** on a deep path that it does not match", () => {
    // As a backtracking regex, this took time growing like depth^12: minutes, not microseconds.
    const pattern = `${Array.from({ length: 12 }, (_, i) => `s${i}`).join("/**/")}/**/end`;
    const deep = Array.from({ length: 400 }, (_, i) => `s${i % 12}`).join("/");
    const compiled = compilePattern(pattern);
    if (typeof compiled === "string") throw new Error(compiled);
    expect(compiled.test(`${deep}/nope`)).toBe(false);
    expect(compiled.test(`${deep}/end`)).toBe(true);
  });

  it("reads consecutive ** segments as one, as gitignore does", () => {
    const compiled = compilePattern("a/**/**/b");
    if (typeof compiled === "string") throw new Error(compiled);
    expect(compiled.test("a/b")).toBe(true);
    expect(compiled.test("a/x/y/b/c")).toBe(true);
    expect(compiled.test("x/a/b")).toBe(false);
  });
});
