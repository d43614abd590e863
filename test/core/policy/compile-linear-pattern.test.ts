import { describe, expect, it } from "vitest";
import {
  compileLinearPattern,
  MAX_PATTERN_LENGTH,
} from "../../../src/core/policy/compile-linear-pattern.ts";

function compiled(source: string) {
  const pattern = compileLinearPattern(source);
  if (!pattern.ok) throw new Error(`${source}: ${pattern.reason}`);
  return pattern;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe("compileLinearPattern matches as JavaScript's RegExp#test does", () => {
  const table: [string, string, boolean][] = [
    ["^(INC|CHG)-[0-9]+$", "INC-42", true],
    ["^(INC|CHG)-[0-9]+$", "INC-42x", false],
    ["^(INC|CHG)-[0-9]+$", "xINC-42", false],
    ["CHG-\\d{3,5}", "see CHG-1234 please", true],
    ["^[A-Z][A-Z0-9_-]{1,9}-\\d+$", "OPS_2-7", true],
    ["^https://acme\\.example/browse/[A-Z]+-\\d+$", "https://acme.example/browse/OPS-1", true],
    ["^https://acme\\.example/browse/[A-Z]+-\\d+$", "https://acmexexample/browse/OPS-1", false],
    ["^[^\\s]+$", "a b", false],
    ["^a.c$", "a\nc", false],
    ["^(?:ab|a)*$", "abaab", true],
    ["^(?<id>x)?y$", "y", true],
    ["^a{2}$", "aaa", false],
    ["^a{2,}$", "aaaa", true],
    ["^a+?$", "aaa", true],
    ["[]", "anything", false],
    ["", "", true],
    ["^$", "x", false],
    ["^[a\\-z]+$", "-az", true],
    ["^[\\w.]+$", "a.b_c", true],
  ];
  it.each(table)("%s on %j is %s", (source, text, expected) => {
    expect(new RegExp(source).test(text)).toBe(expected);
    expect(compiled(source).test(text)).toBe(expected);
  });

  it("agrees with RegExp on random patterns and inputs", () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const atoms = ["a", "b", "[ab]", "[^a]", ".", "\\d", "\\w", "(a|b)", "(?:ab|a)", "^", "$"];
    const quantifiers = ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}"];
    const generate = (depth: number): string =>
      Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        const atom = depth > 0 && next() < 0.3 ? `(${generate(depth - 1)})` : pick(atoms);
        return atom === "^" || atom === "$" ? atom : atom + pick(quantifiers);
      }).join(next() < 0.1 ? "|" : "");
    let checked = 0;
    for (let i = 0; i < 2_000; i++) {
      const source = generate(2);
      const pattern = compileLinearPattern(source);
      if (!pattern.ok) continue;
      for (let j = 0; j < 5; j++) {
        const text = Array.from({ length: Math.floor(next() * 8) }, () =>
          pick(["a", "b", "1", " "]),
        ).join("");
        expect(pattern.test(text), `${source} on ${JSON.stringify(text)}`).toBe(
          new RegExp(source).test(text),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it("runs a catastrophic pattern on a long ticket without backtracking", () => {
    // RegExp would take longer than the universe here; the automaton reads each character once.
    expect(compiled("^(a+)+$").test(`${"a".repeat(10_000)}!`)).toBe(false);
    expect(compiled("^(a|a)*$").test("a".repeat(10_000))).toBe(true);
  });
});

describe("compileLinearPattern refuses what cannot run in linear time, saying why", () => {
  const table: [string, RegExp][] = [
    ["^(a)\\1$", /backreferences \(\\1 at character 5\) need backtracking/],
    ["^(?=a)a", /lookahead and lookbehind \("\(\?" at character 2\)/],
    ["(?<!a)b", /lookahead and lookbehind/],
    ["(a{50}){50}", /compiles to more than 200 steps/],
    ["a{51}", /repeat counts above 50/],
    ["a{,5}", /does not start a repeat count such as \{2,5\}; write \\\{/],
    ["a]", /a bare "]" at character 2 is ambiguous/],
    ["(ab", /the "\(" at character 1 is not closed/],
    ["ab)", /unmatched "\)" at character 3/],
    ["[ab", /the "\[" at character 1 is not closed/],
    ["*a", /has nothing to repeat/],
    ["a**", /a quantifier follows another/],
    ["\\bword", /the escape \\b at character 1 is not supported/],
    ["[z-a]", /out of order/],
    ["x".repeat(MAX_PATTERN_LENGTH + 1), /more than the 200 allowed/],
  ];
  it.each(table)("%s", (source, reason) => {
    const pattern = compileLinearPattern(source);
    expect(pattern.ok).toBe(false);
    if (!pattern.ok) expect(pattern.reason).toMatch(reason);
  });
});
