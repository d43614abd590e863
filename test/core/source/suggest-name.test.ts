import { describe, expect, it } from "vitest";
import { didYouMean, suggestName } from "../../../src/core/source/suggest-name.ts";

describe("suggestName", () => {
  const names = ["requester", "role", "account", "duration", "reason", "ticket", "emergency"];
  it.each([
    { input: "emergancy", expected: "emergency" },
    { input: "reqester", expected: "requester" },
    { input: "Role", expected: "role" },
    { input: "acount", expected: "account" },
    { input: "tikcet", expected: "ticket" },
    { input: "priority", expected: undefined },
    { input: "x", expected: undefined },
  ])("$input -> $expected", ({ input, expected }) => {
    expect(suggestName(input, names)).toBe(expected);
  });

  it("phrases the suggestion, or says nothing", () => {
    expect(didYouMean("rol", ["role"])).toBe(' Did you mean "role"?');
    expect(didYouMean("zzz", ["role"])).toBe("");
  });
});
