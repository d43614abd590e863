import { describe, expect, it } from "vitest";
import { writeJson } from "../../src/cli/write-json.ts";

function written(value: unknown, chunkSize?: number): { text: string; pieces: number } {
  const pieces: string[] = [];
  writeJson(value, (text) => pieces.push(text), chunkSize);
  return { text: pieces.join(""), pieces: pieces.length };
}

describe("writeJson", () => {
  const shapes: [string, unknown][] = [
    [
      "an object with arrays of objects",
      {
        version: 1,
        entries: [
          { a: 1, b: [1, 2, { c: "x\ny" }] },
          { a: 2, b: [] },
        ],
        findings: [],
      },
    ],
    ["an empty object", {}],
    ["undefined fields and elements", { a: undefined, b: [undefined, () => 1, 3], c: null }],
    ["nested empty containers", { a: [[], {}], b: {} }],
    ["an array", [1, { a: 2 }]],
    ["a scalar", "text"],
    ["null", null],
    ["an object with toJSON", { toJSON: () => ({ z: 1 }) }],
    ["a date inside", { at: [new Date(0)] }],
  ];
  it.each(shapes)("writes the same bytes as JSON.stringify(value, null, 2): %s", (_, value) => {
    expect(written(value).text).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(written(value, 1).text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it("writes a large array in pieces rather than as one string", () => {
    const value = {
      entries: Array.from({ length: 1000 }, (_, i) => ({ i, text: "x".repeat(100) })),
    };
    const { text, pieces } = written(value, 4096);
    expect(text).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(pieces).toBeGreaterThan(10);
  });
});
