import { describe, expect, it } from "vitest";
import {
  addSpan,
  commonCoverage,
  spanRead,
  spansToRead,
} from "../../../src/core/sweep/watch-coverage.ts";

const MIN = 60_000;
const at = (minutes: number) => minutes * MIN;
const span = (from: number, to: number) => ({ from: at(from), to: at(to) });

describe("what a lookup reads of a grant's window", () => {
  it("reads the whole window when nothing was read before", () => {
    expect(spansToRead(span(0, 60), [], 5 * MIN)).toEqual([span(0, 60)]);
  });

  it("reads what is new, back over the overlap, then resumes below where an earlier read stopped", () => {
    // An earlier run read 40..60 and was cut there; the window now ends at 65.
    expect(spansToRead(span(0, 65), [span(40, 60)], 5 * MIN)).toEqual([span(55, 65), span(0, 40)]);
  });

  it("reads the gaps between covered spans newest first, each from its top", () => {
    expect(spansToRead(span(0, 100), [span(10, 20), span(50, 90)], 5 * MIN)).toEqual([
      span(85, 100),
      span(20, 50),
      span(0, 10),
    ]);
  });

  it("reads again what lies within the overlap, even when it was covered", () => {
    expect(spansToRead(span(0, 65), [span(0, 60)], 30 * MIN)).toEqual([span(30, 65)]);
  });
});

describe("what a read covered", () => {
  it("covers the span when complete, from the second after the oldest event when cut", () => {
    expect(spanRead(span(0, 60), true, at(30))).toEqual(span(0, 60));
    expect(spanRead(span(0, 60), false, at(30))).toEqual({ from: at(30) + 1000, to: at(60) });
    expect(spanRead(span(0, 60), false, undefined)).toBeUndefined();
  });

  it("merges touching spans and keeps the rest apart", () => {
    expect(addSpan([span(0, 10), span(20, 30)], { from: at(10) + 1000, to: at(15) })).toEqual([
      span(0, 15),
      span(20, 30),
    ]);
  });

  it("is what every grant of a shared lookup covers", () => {
    expect(commonCoverage([[span(0, 30)], [span(10, 20), span(25, 40)]])).toEqual([
      span(10, 20),
      span(25, 30),
    ]);
    expect(commonCoverage([[span(0, 30)], []])).toEqual([]);
  });
});
