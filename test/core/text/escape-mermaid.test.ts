import { describe, expect, it } from "vitest";
import { mermaidLabel } from "../../../src/core/text/escape-mermaid.ts";

describe("mermaidLabel", () => {
  it.each([
    ["a --> b; c", "a -- b c"],
    ["x :crit, 2026-01-01, 1d", "x crit, 2026-01-01, 1d"],
    ["name #59; %% comment", "name 59 comment"],
    ["two\nlines", "two lines"],
    ["<b>html</b>", "b html /b"],
    ["a|b{c}[d]", "a b c d"],
  ])("keeps %j to plain text: %j", (value, label) => {
    expect(mermaidLabel(value)).toBe(label);
  });

  it("keeps the characters ordinary names have", () => {
    expect(mermaidLabel("@dan db-admin in production (2 calls, 1 write)")).toBe(
      "@dan db-admin in production (2 calls, 1 write)",
    );
    expect(mermaidLabel("Zoë's s3.amazonaws.com")).toBe("Zoë's s3.amazonaws.com");
  });

  it("never starts with a statement word, and is never empty", () => {
    expect(mermaidLabel("click x href")).toBe("· click x href");
    expect(mermaidLabel("section")).toBe("· section");
    expect(mermaidLabel(":::")).toBe("(none)");
  });
});
