import { describe, expect, it } from "vitest";
import { matchesGlob } from "../../../src/core/policy/match-glob.ts";

/** The reference meaning, as a regular expression: fine on the short texts used here. */
function referenceOf(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? "[^]*" : c === "?" ? "[^]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

function reference(glob: string, text: string): boolean {
  return referenceOf(glob).test(text);
}

describe("matchesGlob", () => {
  it.each([
    ["iam:*", "iam:CreateRole", true],
    ["iam:*", "iam:", true],
    ["*", "", true],
    ["?", "", false],
    ["??", "ab", true],
    ["a*b?c", "AxxbYc", true],
    ["a*b?c", "abc", false],
    ["*:delete*", "rds:DeleteDBInstance", true],
    ["s3:Get.bject", "s3:GetObject", false],
  ])("%s on %s is %s", (glob, text, expected) => {
    expect(matchesGlob(glob, text)).toBe(expected);
    expect(reference(glob, text)).toBe(expected);
  });

  it("agrees with the reference on every short glob and text", () => {
    const texts = words("abA", 5);
    for (const glob of words("ab*?", 4)) {
      const expected = referenceOf(glob);
      const wrong = texts.filter((text) => matchesGlob(glob, text) !== expected.test(text));
      expect(wrong, glob).toEqual([]);
    }
  });
});

/** Every word of up to `length` letters over `alphabet`. */
function words(alphabet: string, length: number): string[] {
  let level = [""];
  const all = [""];
  for (let i = 0; i < length; i++) {
    level = level.flatMap((word) => [...alphabet].map((c) => word + c));
    all.push(...level);
  }
  return all;
}
