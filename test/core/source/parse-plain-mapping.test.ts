import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePlainMapping } from "../../../src/core/source/parse-plain-mapping.ts";
import { parseYaml } from "../../../src/core/source/parse-yaml.ts";

const MAX = 64 * 1024;
const full = (content: string | Uint8Array) =>
  parseYaml({ path: "access-requests/x.yaml", content }, { maxBytes: MAX, kind: "request file" });

describe("parsePlainMapping reads the plain subset exactly as the full parser does", () => {
  it("reads a typical request file", () => {
    const text =
      "# on call\nrequester: alice\nrole: db-admin\naccount: production\nduration: 1d\n\nreason: Fail over the orders DB (it's read-only) before 09:00, see https://x.example/a#b\nemergency: True\n";
    expect(parsePlainMapping(text, MAX)).toEqual({
      requester: "alice",
      role: "db-admin",
      account: "production",
      duration: "1d",
      reason: "Fail over the orders DB (it's read-only) before 09:00, see https://x.example/a#b",
      emergency: true,
    });
    expect(parsePlainMapping(new TextEncoder().encode(text), MAX)).toEqual(
      full(text).parsed?.value,
    );
  });

  it.each([
    ["a number", "ticket: 4821\n"],
    ["a float", "ticket: 1.5e3\n"],
    ["a hex number", "ticket: 0x1F\n"],
    ["a null", "ticket: null\n"],
    ["an empty value", "ticket:\n"],
    ["a quoted value", 'reason: "quoted"\n'],
    ["a comment after the value", "reason: text # note\n"],
    ["a nested mapping", "reason: a: b\n"],
    ["a value ending in a colon", "reason: see:\n"],
    ["a continued value", "reason: first\n  second\n"],
    ["a duplicated key", "role: a\nrole: b\n"],
    ["a tab", "reason: a\tb\n"],
    ["a carriage return", "role: a\r\n"],
    ["non-ASCII text", "reason: réparer la base\n"],
    ["a bidirectional control", "reason: a\u202Eb\n"],
    ["a document marker", "---\nrole: a\n"],
    ["a key with an underscore", "__proto__: a\n"],
    ["no key at all", "# only a comment\n"],
    ["a list", "- a\n"],
    ["an anchor", "role: &a x\n"],
  ])("leaves %s to the full parser", (_, text) => {
    expect(parsePlainMapping(text, MAX)).toBeUndefined();
  });

  it("leaves a file larger than the limit to the full parser", () => {
    expect(parsePlainMapping(`reason: ${"a".repeat(100)}\n`, 50)).toBeUndefined();
  });

  it("agrees with parseYaml on generated files: same value, no problem", () => {
    // Mostly text the reader accepts, salted with YAML's indicators, comments, quotes,
    // numbers and spacing, so that both paths and their border are reached.
    const safe = fc.constantFrom(..."abZ09 -_./'\"(),!&*|>%@`{}[]?~+=\\".split(""));
    const tricky = fc.constantFrom(
      ..."#:\t\r".split(""),
      "true",
      "False",
      "null",
      "~",
      "0o7",
      "0x1f",
      ".5",
      "1e3",
      "12",
      ": ",
      " #",
      "  ",
      "é",
    );
    const first = fc.oneof(
      { arbitrary: fc.constantFrom(..."aZ09tTfFn".split("")), weight: 6 },
      { arbitrary: fc.oneof(safe, tricky), weight: 1 },
    );
    const rest = fc.array(
      fc.oneof({ arbitrary: safe, weight: 12 }, { arbitrary: tricky, weight: 1 }),
      { maxLength: 10 },
    );
    const value = fc.tuple(first, rest).map(([head, tail]) => head + tail.join(""));
    const key = fc.constantFrom(
      ..."requester role account duration reason ticket start emergency extends a1 Key _x b-c".split(
        " ",
      ),
    );
    const separator = fc.constantFrom(": ", ": ", ": ", ":  ", ":", " : ");
    const line = fc.oneof(
      { arbitrary: fc.tuple(key, separator, value).map((p) => p.join("")), weight: 8 },
      {
        arbitrary: fc.constantFrom("", "# comment", " # indented", "  continued", "---"),
        weight: 1,
      },
    );
    const file = fc
      .tuple(fc.array(line, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([lines, end]) => lines.join("\n") + (end ? "\n" : ""));
    let accepted = 0;
    fc.assert(
      fc.property(file, (text) => {
        const fast = parsePlainMapping(text, MAX);
        if (fast === undefined) return;
        accepted++;
        const slow = full(text);
        expect(slow.problems).toEqual([]);
        expect(slow.parsed?.value).toEqual(fast);
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the accepting path often enough to mean something.
    expect(accepted).toBeGreaterThan(300);
  });
});
