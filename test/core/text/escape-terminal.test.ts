import { describe, expect, it } from "vitest";
import { terminalText } from "../../../src/core/text/escape-terminal.ts";

describe("terminalText", () => {
  it.each([
    ["\u001b[2J\u001b[Hx", "\\u001b[2J\\u001b[Hx"],
    ["a\nb\rc\td", "a\\nb\\rc\\td"],
    ["nul\u0000del\u007f", "nul\\u0000del\\u007f"],
    ["csi\u009b2J", "csi\\u009b2J"],
    ["line\u2028para\u2029", "line\\u2028para\\u2029"],
    ["rlo\u202eabc\u2066\u2069", "rlo\\u202eabc\\u2066\\u2069"],
    ["mark\u200e\u200f\u061c", "mark\\u200e\\u200f\\u061c"],
  ])("writes %j as escapes", (text, shown) => {
    expect(terminalText(text)).toBe(shown);
  });

  it("leaves printable text alone, non-ASCII letters and backslashes included", () => {
    const text = 'héllo wörld "аlice" \\n 日本 🙂 --format=json';
    expect(terminalText(text)).toBe(text);
  });
});
