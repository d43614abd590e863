import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FigureRow, renderMarkdownTable, withFloor } from "../../bench/table.ts";

describe("the bench table", () => {
  it("has its place in the README, between markers that npm run bench:readme rewrites", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("<!-- bench:start -->");
    const end = readme.indexOf("<!-- bench:end -->");
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
  });

  it("prints a figure that misses its aim as not met, with its floor and ratio", () => {
    const slow = withFloor(
      { figure: "summary", value: 6, min: 5, unit: "s", aim: "≤ 1.3 ×", runs: 5 },
      4,
      (_, ratio) => ratio <= 1.3,
    );
    const count: FigureRow = {
      figure: "requests",
      value: 3,
      unit: "requests",
      aim: "≤ 3",
      met: true,
    };
    expect(slow).toMatchObject({ floor: 4, ratio: 1.5, met: false });
    expect(renderMarkdownTable([slow, count]).split("\n").slice(2)).toEqual([
      "| summary | 5 s | 6 s | 4 s | 1.50 × | ≤ 1.3 × | **not met** |  |",
      "| requests |  | 3 requests |  |  | ≤ 3 | met |  |",
    ]);
  });
});
