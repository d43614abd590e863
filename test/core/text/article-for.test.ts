import { describe, expect, it } from "vitest";
import { articleFor } from "../../../src/core/text/article-for.ts";

describe("articleFor", () => {
  it.each([
    ["account", "an"],
    ["emergency", "an"],
    ["extends", "an"],
    ["identities", "an"],
    ["owner", "an"],
    ["unknown", "an"],
    ["requester", "a"],
    ["role", "a"],
    ["ticket", "a"],
    ["user", "a"],
    ["unit", "a"],
    ["url", "a"],
    ["accounts.audit.regions", "an"],
    ["regions", "a"],
    ['"### Account" line', "a"],
    ["", "a"],
  ])("%j takes %j", (word, article) => {
    expect(articleFor(word)).toBe(article);
  });
});
