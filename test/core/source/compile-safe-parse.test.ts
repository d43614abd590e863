import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, z } from "zod";
import {
  grantRecordSchema,
  revocationRecordSchema,
  ungrantedRecordSchema,
} from "../../../src/core/grant/records.ts";
import { auditHeadlineSchema } from "../../../src/core/history/build-access-history.ts";
import { accessRequestSchema } from "../../../src/core/request/request-format.ts";
import { compileSafeParse } from "../../../src/core/source/compile-safe-parse.ts";
import { alertsRecordSchema } from "../../../src/core/sweep/evaluate-alerts.ts";
import {
  alertsRecord,
  appRefusalRecord,
  auditFiles,
  grantRecord,
  revocationRecord,
} from "../history/access-history-fixtures.ts";

/** A grant with every optional field, as the app writes one approved by an extension rule. */
function fullGrant(): unknown {
  return {
    ...grantRecord({ extends: "access-requests/payments/alice-db-1.yaml" }),
    approvals: [
      {
        reviewer: "carol",
        reviewId: 9001,
        submittedAt: "2026-11-26T08:55:00+02:00",
        commitId: "b".repeat(40),
        rules: ["db owners"],
        eligibleVia: ["@acme/dba"],
      },
    ],
    approvalBasis: {
      headSha: "b".repeat(40),
      author: "alice",
      pushers: ["alice"],
      baseChangedAt: ["2026-11-26T08:00:00Z"],
      requesterEligibleVia: ["@acme/payments"],
    },
    autoApproval: { kind: "extension", rule: "short", limit: "1h", extends: "x.yaml" },
    planDigest: {
      version: 1,
      trustPolicy: "a".repeat(64),
      inlinePolicies: { "0": "b".repeat(64), access: "c".repeat(64) },
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundary: "arn:aws:iam::123456789012:policy/hallpass-boundary",
      maxSessionDuration: 3600,
      allowPersistence: [],
    },
  };
}

/** Every construct compileSafeParse knows, in one schema. */
const everyConstruct = z.strictObject({
  text: z.string(),
  short: z.string().min(2),
  word: z.string().regex(/^[a-z]+$/g),
  time: z.string().datetime({ offset: true }).nullable(),
  count: z.number(),
  whole: z.number().int().optional(),
  flag: z.boolean(),
  one: z.literal(1),
  kind: z.enum(["a", "b"]),
  list: z.array(z.strictObject({ at: z.string() })).min(1),
  spans: z.record(z.string(), z.array(z.number())).optional(),
  stripped: z.object({ kept: z.string().optional() }),
  loose: z.looseObject({ name: z.string() }).nullable().optional(),
});

const CASES: [string, z.ZodType, () => unknown][] = [
  [
    "synthetic",
    everyConstruct,
    () => ({
      text: "t",
      short: "abcd",
      word: "abc",
      time: "2026-11-26T09:00:00Z",
      count: 1.5,
      whole: 3,
      flag: true,
      one: 1,
      kind: "a",
      list: [{ at: "x" }],
      spans: { a: [1], "2": [] },
      stripped: { kept: "k" },
      loose: { name: "n", other: [1] },
    }),
  ],
  [
    "request",
    accessRequestSchema,
    () => ({
      requester: "alice",
      role: "db-admin",
      account: "production",
      duration: "2h",
      reason: "r",
      ticket: "CHG-1",
      emergency: true,
    }),
  ],
  ["grant", grantRecordSchema, () => grantRecord()],
  ["grant with every field", grantRecordSchema, fullGrant],
  ["revocation", revocationRecordSchema, () => revocationRecord()],
  ["alerts", alertsRecordSchema, () => ({ ...alertsRecord(), watched: { "us-east-1": [] } })],
  ["refusal", ungrantedRecordSchema, () => appRefusalRecord()],
  ["audit headline (loose)", auditHeadlineSchema, auditSummary],
];

/** An audit summary as the sweep writes it, each list cut to its first item (fewer paths to try). */
function auditSummary(): unknown {
  const cut = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.slice(0, 1).map(cut)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]))
        : value;
  return cut(JSON.parse(auditFiles().json));
}

/** What must be equal: the outcome, the value with its keys' order, and zod's issues. */
function outcome(result: z.ZodSafeParseResult<unknown>) {
  return result.success
    ? { success: true, data: result.data, text: JSON.stringify(result.data) }
    : { success: false, issues: result.error.issues };
}

/**
 * `result` is zod's `expected`: the same outcome and issues, and a value deeply equal to zod's
 * (prototypes, own keys, undefined values) with its keys in the same order. (vitest's
 * toStrictEqual tells two objects apart by their `constructor` property, which a record may
 * hold as a key.)
 */
function expectSame(result: z.ZodSafeParseResult<unknown>, expected: ReturnType<typeof outcome>) {
  const got = outcome(result);
  expect(got.success).toBe(expected.success);
  if (got.success && expected.success) {
    expect(got.text).toBe(expected.text);
    expect(isDeepStrictEqual(got.data, expected.data)).toBe(true);
  } else {
    expect(got.issues).toEqual(expected.issues);
  }
}

/** Every path to a value inside `value`, the root included. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const inner =
    value !== null && typeof value === "object"
      ? Object.entries(value).flatMap(([k, v]) =>
          paths(v, [...at, Array.isArray(value) ? Number(k) : k]),
        )
      : [];
  return [at, ...inner];
}

type Mutation =
  | { kind: "set"; value: unknown }
  | { kind: "delete" }
  | { kind: "add"; key: string; value: unknown }
  | { kind: "reverse" };

/** `value` with the thing at `path` changed by `m` (a fresh copy; `value` is left alone). */
function mutate(value: unknown, path: (string | number)[], m: Mutation): unknown {
  const root = { value: structuredClone(value) };
  const full = ["value", ...path];
  let parent = root as Record<string | number, unknown>;
  for (const step of full.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = full.at(-1)!;
  const target = parent[last];
  if (m.kind === "set") parent[last] = m.value;
  else if (m.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (target !== null && typeof target === "object" && !Array.isArray(target)) {
    const entries = Object.entries(target);
    const ordered: [string, unknown][] =
      m.kind === "reverse" ? entries.reverse() : [...entries, [m.key, m.value]];
    // Defined as own properties, as JSON.parse makes them (`__proto__` included).
    const next: Record<string, unknown> = {};
    for (const [k, v] of ordered) {
      Object.defineProperty(next, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    parent[last] = next;
  }
  return root.value;
}

/** Values of every kind the schemas use, valid and not, each set at every path in turn. */
const EDGE_VALUES: unknown[] = [
  "2026-11-26T09:00:00Z",
  "2026-11-26T09:00:00.123+05:30",
  "2026-02-29T09:00:00Z",
  "2024-02-29T23:59:59-00:00",
  "2026-11-26T09:00:00",
  "2026-11-26 09:00:00Z",
  "2026-11-26T24:00:00Z",
  "expired",
  "early-release",
  "high",
  "extension",
  "app",
  "",
  "x",
  "ab",
  "\u{1F600}",
  "\u{1F600}\u{1F600}",
  "a-",
  "db-admin",
  0,
  1,
  2,
  -0,
  -7,
  1.5,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  [],
  ["x"],
  [1],
  [{ from: "2026-11-26T09:00:00Z", to: "2026-11-26T09:00:00Z" }],
  {},
  { x: "y" },
  null,
  undefined,
  true,
  false,
];

/** Keys added to every object in turn. */
const EDGE_KEYS = ["__proto__", "extra", "version", "constructor", "toString", "0"];

/** Every single change of `base`: each path set to each edge value, deleted, added to, reversed. */
function singleChanges(base: unknown): unknown[] {
  return paths(base).flatMap((path) => [
    ...EDGE_VALUES.map((value) => mutate(base, path, { kind: "set", value })),
    mutate(base, path, { kind: "delete" }),
    mutate(base, path, { kind: "reverse" }),
    ...EDGE_KEYS.flatMap((key) =>
      [1, "x", "c".repeat(64), null, [], { a: 1 }].map((value) =>
        mutate(base, path, { kind: "add", key, value }),
      ),
    ),
  ]);
}

/** Values a field may be changed to: valid ones of every kind the schemas use, and invalid ones. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    "2026-11-26T09:00:00Z",
    "2026-11-26T09:00:00.123+05:30",
    "2026-02-29T09:00:00Z",
    "2026-11-26T09:00:00",
    "2026-11-26 09:00:00Z",
    "2024-02-29T23:59:59-00:00",
    "expired",
    "early-release",
    "high",
    "extension",
    "app",
    "sweep",
    1,
    2,
    -0,
    1.5,
    2 ** 53,
    2 ** 53 - 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "",
    [],
    {},
    null,
    undefined,
    true,
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer(),
  fc.string(),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  anyValue.map((value) => ({ kind: "set" as const, value })),
  fc.constant({ kind: "delete" as const }),
  fc.constant({ kind: "reverse" as const }),
  fc
    .tuple(fc.constantFrom("__proto__", "extra", "version", "constructor", "0"), anyValue)
    .map(([key, value]) => ({ kind: "add" as const, key, value })),
);

describe("compileSafeParse gives zod's answer", () => {
  it.each(CASES)(
    "compiles a %s record's schema whole, and accepts the record as zod does",
    (_, schema, make) => {
      // Strict: zod throws instead of keeping its regular parser for what it cannot compile.
      expect(() => compile(schema, { strict: true })).not.toThrow();
      const value = make();
      const expected = outcome(schema.safeParse(value));
      expect(expected.success).toBe(true);
      expectSame(compileSafeParse(schema)(value), expected);
    },
  );

  it.each(CASES)("agrees with zod on every single change of a %s record", (_, schema, make) => {
    const parse = compileSafeParse(schema);
    let accepted = 0;
    for (const value of singleChanges(make())) {
      const expected = outcome(schema.safeParse(value));
      if (expected.success) accepted++;
      expectSame(parse(value), expected);
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it.each(CASES)("agrees with zod on randomly mutated %s records", (_, schema, make) => {
    const parse = compileSafeParse(schema);
    const base = make();
    const all = paths(base);
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (i, ms) => {
          let value = base;
          for (const m of ms) value = mutate(value, all[i]!, m);
          const expected = outcome(schema.safeParse(value));
          if (expected.success) accepted++;
          expectSame(parse(value), expected);
          // Judged once more from JSON text: JSON.parse's objects are what readers hand it.
          const text = JSON.stringify(value);
          if (text !== undefined) {
            const again = JSON.parse(text);
            expectSame(parse(again), outcome(schema.safeParse(again)));
          }
        },
      ),
      { numRuns: 1500 },
    );
    // The property reached both sides of the border.
    expect(accepted).toBeGreaterThan(50);
  });

  it("agrees with zod on any JSON value", () => {
    for (const [, schema] of CASES) {
      const parse = compileSafeParse(schema);
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expectSame(parse(value), outcome(schema.safeParse(value)));
        }),
        { numRuns: 200 },
      );
    }
  });

  it("keeps zod's key order, and strips or keeps unknown keys as zod does", () => {
    const schema = z.looseObject({ a: z.string(), b: z.number().optional() });
    const parse = compileSafeParse(schema);
    for (const value of [
      { a: "x", b: 1, c: true },
      { b: 1, a: "x" },
      { c: true, a: "x" },
    ]) {
      expectSame(parse(value), outcome(schema.safeParse(value)));
    }
    const strip = z.object({ a: z.string() });
    expect(compileSafeParse(strip)({ a: "x", z: 1 })).toEqual({ success: true, data: { a: "x" } });
  });

  it.each([
    [
      "a schema that is itself a format",
      z.object({ t: z.iso.datetime({ offset: true }) }),
      { t: "x" },
    ],
    ["a whole number", z.int(), 1.5],
    ["a base64 string", z.string().base64(), "abc"],
    ["a refined record", z.record(z.string(), z.string()).refine((r) => "a" in r), { b: "x" }],
    ["a transform", z.string().transform((s) => s.length), 1],
    ["a default", z.object({ a: z.string().default("x") }), { a: 1 }],
  ])("refuses what zod refuses in %s", (_, schema, value) => {
    const parse = compileSafeParse(schema as z.ZodType);
    expect(parse(value).success).toBe(false);
    expectSame(parse(value), outcome((schema as z.ZodType).safeParse(value)));
  });
});
