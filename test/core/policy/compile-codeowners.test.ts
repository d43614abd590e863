import { describe, expect, it } from "vitest";
import {
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
