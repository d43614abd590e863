import { describe, expect, it } from "vitest";
import { createMemoryCache } from "../../src/ports/cache.ts";

describe("createMemoryCache", () => {
  it("forgets an entry once its time to live has passed", () => {
    let now = 0;
    const cache = createMemoryCache({ maxEntries: 10, ttlMs: 1_000, now: () => now });
    cache.set("team:acme/sec@base", ["sue"]);
    now = 999;
    expect(cache.get("team:acme/sec@base")).toEqual(["sue"]);
    now = 1_000;
    expect(cache.get("team:acme/sec@base")).toBeUndefined();
  });

  it("evicts the least recently used entry beyond its size", () => {
    const cache = createMemoryCache({ maxEntries: 2, ttlMs: 60_000 });
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recently used
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
  });

  it("keeps null values (a file known not to exist) apart from misses", () => {
    const cache = createMemoryCache({ maxEntries: 2, ttlMs: 60_000 });
    cache.set("codeowners@base", null);
    expect(cache.get("codeowners@base")).toBeNull();
    expect(cache.get("other")).toBeUndefined();
  });
});
