import { describe, expect, it } from "vitest";
import { countOf } from "../../../src/core/text/count-of.ts";

describe("countOf", () => {
  it.each([
    [0, "finding", undefined, "0 findings"],
    [1, "finding", undefined, "1 finding"],
    [2, "finding", undefined, "2 findings"],
    [1, "access", "accesses", "1 access"],
    [2, "access", "accesses", "2 accesses"],
  ])("%i %s (plural %s) reads %j", (count, one, many, text) => {
    expect(countOf(count, one, many)).toBe(text);
  });
});
