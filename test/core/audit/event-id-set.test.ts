import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createEventIdSet,
  mixWords,
  uuidWords,
  type WordsHash,
} from "../../../src/core/audit/event-id-set.ts";
import { DUPLICATE_WINDOW_SECONDS, recentEventIds } from "../../../src/core/audit/unread-events.ts";

/**
 * `length` hex digits, often all zeros or all but the last: ids that share most of their
 * words, so that a comparison of part of an id would be caught.
 */
const hex = (length: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant("0".repeat(length)) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(..."01f").map((d) => `${"0".repeat(length - 1)}${d}`),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom(..."0123456789abcdef"),
        minLength: length,
        maxLength: length,
      }),
    },
  );

/** A lower-case UUID: the form CloudTrail writes, kept as bytes. */
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join("-"));

/**
 * Ids of every kind the table must tell apart: UUIDs (few, so that they repeat), the same in
 * upper case or with one character off (not UUIDs to the table: the string set takes them),
 * and other text.
 */
const anyId = fc.oneof(
  { weight: 6, arbitrary: uuid },
  uuid.map((u) => u.toUpperCase()),
  uuid.map((u) => `${u.slice(0, 35)}g`),
  uuid.map((u) => u.replace(/-/g, "")),
  uuid.map((u) => `${u.slice(0, 8)}x${u.slice(9)}`),
  fc.string({ maxLength: 40 }),
);

/** A few ids, then operations drawing from them, so that adds repeat ids. */
const operations = fc
  .array(anyId, { minLength: 1, maxLength: 60 })
  .chain((pool) =>
    fc.array(
      fc.oneof(
        { weight: 20, arbitrary: fc.constantFrom(...pool).map((id) => ({ add: id })) },
        { weight: 1, arbitrary: fc.constant({ clear: true as const }) },
      ),
      { maxLength: 400 },
    ),
  );

const hashes: [string, WordsHash][] = [
  ["the real hash", mixWords],
  ["a hash under which every id collides", () => 7],
  ["a one-bit hash", (w0, w1, w2, w3) => (w0 ^ w1 ^ w2 ^ w3) & 1],
];

describe("createEventIdSet", () => {
  it.each(hashes)("answers as a Set of strings does, with %s", (_, hash) => {
    fc.assert(
      fc.property(operations, (ops) => {
        const table = createEventIdSet(hash);
        let simple = new Set<string>();
        for (const op of ops) {
          if ("clear" in op) {
            table.clear();
            simple = new Set();
            continue;
          }
          expect(table.add(op.add)).toBe(simple.has(op.add));
          simple.add(op.add);
          expect(table.size).toBe(simple.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every id apart as it grows, with all of them colliding", () => {
    const table = createEventIdSet(() => 0);
    const ids = Array.from(
      { length: 300 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    for (const id of ids) expect(table.add(id)).toBe(false);
    for (const id of ids) expect(table.add(id)).toBe(true);
    expect(table.size).toBe(300);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.add(ids[5]!)).toBe(false);
  });
});

describe("uuidWords", () => {
  it("reads two UUIDs as the same words only when they are the same text", () => {
    fc.assert(
      fc.property(uuid, uuid, (a, b) => {
        const x = new Uint32Array(4);
        const y = new Uint32Array(4);
        expect(uuidWords(a, x)).toBe(true);
        expect(uuidWords(b, y)).toBe(true);
        expect(x.every((w, i) => w === y[i])).toBe(a === b);
      }),
    );
  });

  it.each([
    "00000000-0000-4000-8000-00000000000A",
    "00000000-0000-4000-8000-00000000000",
    "00000000-0000-4000-8000-0000000000000",
    "00000000x0000-4000-8000-000000000000",
    "0000000000000400080000000000000000000",
    "00000000-0000-4000-8000-00000000000\u0660",
    "",
  ])("leaves %j to the string set", (id) => {
    expect(uuidWords(id, new Uint32Array(4))).toBe(false);
  });
});

/** The simple implementation the ring of byte tables replaced: a ring of string sets. */
function simpleRecentEventIds() {
  const seconds: number[] = [];
  const sets: Set<string>[] = [];
  let oldest = 0;
  return (second: number, id: string): boolean => {
    const k = seconds.findIndex((s) => Object.is(s, second) || s === second);
    let ids = k >= 0 ? sets[k] : undefined;
    if (ids?.has(id)) return true;
    if (!ids) {
      ids = new Set();
      if (seconds.length < DUPLICATE_WINDOW_SECONDS) {
        seconds.push(second);
        sets.push(ids);
      } else {
        seconds[oldest] = second;
        sets[oldest] = ids;
        oldest = (oldest + 1) % DUPLICATE_WINDOW_SECONDS;
      }
    }
    ids.add(id);
    return false;
  };
}

describe("recentEventIds against the simple implementation", () => {
  it("answers the same for any seconds and ids, duplicates, non-UUIDs and forgotten seconds included", () => {
    const second = fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0, max: 2 * DUPLICATE_WINDOW_SECONDS }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
    );
    fc.assert(
      fc.property(
        fc
          .array(anyId, { minLength: 1, maxLength: 30 })
          .chain((pool) =>
            fc.array(fc.tuple(second, fc.constantFrom(...pool)), { maxLength: 500 }),
          ),
        (events) => {
          const ids = recentEventIds();
          const simple = simpleRecentEventIds();
          for (const [s, id] of events) expect(ids.seen(s, id)).toBe(simple(s, id));
        },
      ),
      { numRuns: 300 },
    );
  });
});
