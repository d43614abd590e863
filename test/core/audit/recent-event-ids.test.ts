import { describe, expect, it } from "vitest";
import { DUPLICATE_WINDOW_SECONDS, recentEventIds } from "../../../src/core/audit/unread-events.ts";

const T = 1_795_000_000; // a second past the small-integer range, as real event times are

describe("recentEventIds", () => {
  it("knows an id again in the same second, not in another", () => {
    const ids = recentEventIds();
    expect(ids.seen(T, "a")).toBe(false);
    expect(ids.seen(T, "b")).toBe(false);
    expect(ids.seen(T, "a")).toBe(true);
    expect(ids.seen(T - 1, "a")).toBe(false);
    expect(ids.seen(T - 1, "a")).toBe(true);
    expect(ids.seen(T, "b")).toBe(true);
  });

  it(`remembers the ids of the latest ${DUPLICATE_WINDOW_SECONDS} distinct seconds added, and forgets the one added longest ago`, () => {
    const ids = recentEventIds();
    // Newest first, as LookupEvents gives them.
    for (let s = 0; s < DUPLICATE_WINDOW_SECONDS; s++) ids.seen(T - s, `id-${s}`);
    expect(ids.seen(T, "id-0")).toBe(true); // a second seen again does not count as added
    expect(ids.seen(T - DUPLICATE_WINDOW_SECONDS, "new")).toBe(false); // T is forgotten now
    expect(ids.seen(T - 1, "id-1")).toBe(true);
    expect(ids.seen(T, "id-0")).toBe(false); // T comes back empty, and T - 1 is forgotten
    expect(ids.seen(T - 1, "id-1")).toBe(false); // T - 1 comes back empty; T - 2 goes
    expect(ids.seen(T - 3, "id-3")).toBe(true);
  });

  it("takes a time that is not a number as one second, as a map of seconds did", () => {
    const ids = recentEventIds();
    expect(ids.seen(Number.NaN, "a")).toBe(false);
    expect(ids.seen(T, "b")).toBe(false);
    expect(ids.seen(Number.NaN, "a")).toBe(true);
  });

  it("holds the ids of its seconds only, however many events went by", () => {
    const ids = recentEventIds();
    for (let i = 0; i < 70_000; i++) ids.seen(T - Math.floor(i / 7), `id-${i}`);
    expect(ids.retainedEntries).toBe(DUPLICATE_WINDOW_SECONDS * 7);
  });
});
