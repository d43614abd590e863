import type { z } from "zod";

/**
 * A `safeParse` for readers of thousands of records (`hallpass history`, `verify` and `report`
 * read a request file and four JSON records per request): the common value is judged by plain functions compiled
 * once from the schema's definition, without zod's machinery (a payload and an issue list per
 * value: about a tenth of the CPU of `hallpass history` on 10,000 requests), and zod itself is
 * asked whenever they are not sure: a value they refuse, or anything unusual (a `__proto__`
 * key). So zod alone decides every refusal and writes every message, and an accepted value
 * equals what zod's parse returns, keys in the same order (the schema's, then a loose object's
 * others as they came). The value itself is returned when it already is that (a record as
 * hallpass writes it), so hand it a value nothing else holds, as JSON.parse's; it is copied
 * otherwise. test/core/source/compile-safe-parse.test.ts checks all of it against zod on every
 * single change of each record and on random ones.
 *
 * Only what the records' schemas use is compiled: objects (strict, loose or stripping),
 * strings (with format patterns and minimum lengths), numbers (safe integers), booleans, literals, enums, arrays
 * (with a minimum length), optional, nullable and records of string keys. Anything else (a
 * transform, a refinement, a default, a union) is refused when compiling, so a schema that
 * grows one fails at once instead of being judged wrongly.
 */
export function compileSafeParse<T>(
  schema: z.ZodType<T>,
): (value: unknown) => z.ZodSafeParseResult<T> {
  const judge = compile(schema, "(root)");
  return (value) => {
    const data = judge(value);
    return data === NOT_SURE ? schema.safeParse(value) : { success: true, data: data as T };
  };
}

/** What a judge returns when zod must decide. */
const NOT_SURE = Symbol("not sure");

/** The parsed value (zod's output), or NOT_SURE. */
type Judge = (value: unknown) => unknown;

/** The parts of zod's definitions read here (zod 4's `_zod.def`). */
interface Def {
  type: string;
  coerce?: boolean;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
  keyType?: Schema;
  valueType?: Schema;
}

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  when?: unknown;
}

interface Schema {
  _zod: { def: Def; values?: ReadonlySet<unknown> };
}

function compile(schema: unknown, at: string): Judge {
  const def = (schema as Schema)._zod.def;
  if (def.coerce) unsupported(at, "coercion");
  switch (def.type) {
    case "string":
      return compileString(def, at);
    case "number":
      return compileNumber(def, at);
    case "boolean":
      noChecks(def, at);
      return (v) => (typeof v === "boolean" ? v : NOT_SURE);
    case "literal":
    case "enum": {
      noChecks(def, at);
      // The set zod itself tests (an enum's values without a native enum's reverse keys).
      const values = (schema as Schema)._zod.values!;
      return (v) => (values.has(v) ? v : NOT_SURE);
    }
    case "optional":
    case "nullable": {
      noChecks(def, at);
      const inner = compile(def.innerType, at);
      const allowed = def.type === "optional" ? undefined : null;
      return (v) => (v === allowed ? v : inner(v));
    }
    case "array":
      return compileArray(def, at);
    case "object":
      return compileObject(def, at);
    case "record":
      return compileRecord(def, at);
    default:
      return unsupported(at, def.type);
  }
}

function unsupported(at: string, what: string): never {
  throw new Error(
    `compileSafeParse: ${what} at ${at} is not supported; use the schema's safeParse`,
  );
}

function noChecks(def: Def, at: string): void {
  if (def.checks && def.checks.length > 0) unsupported(at, `a check on ${def.type}`);
}

/**
 * A string: each format pattern (a datetime, a `.regex()`) must match, and a minimum length
 * holds surely when the string has twice as many UTF-16 units (zod counts code points, one or
 * two units each); in between, zod counts.
 */
function compileString(def: Def, at: string): Judge {
  const patterns: RegExp[] = [];
  let minimum = 0;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check === "min_length" && check.minimum !== undefined) {
      minimum = Math.max(minimum, check.minimum);
    } else if (check.check === "string_format" && check.pattern && !check.when) {
      patterns.push(check.pattern);
    } else {
      unsupported(at, `the string check ${check.check}/${check.format}`);
    }
  }
  if (patterns.length === 0 && minimum === 0) {
    return (v) => (typeof v === "string" ? v : NOT_SURE);
  }
  return (v) => {
    if (typeof v !== "string" || v.length < 2 * minimum) return NOT_SURE;
    for (const pattern of patterns) {
      pattern.lastIndex = 0;
      if (!pattern.test(v)) return NOT_SURE;
    }
    return v;
  };
}

function compileNumber(def: Def, at: string): Judge {
  let integer = false;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check !== "number_format" || check.format !== "safeint" || check.when) {
      unsupported(at, `the number check ${check.check}/${check.format}`);
    }
    integer = true;
  }
  // z.number() refuses NaN and the infinities; .int() numbers outside the safe integers.
  return integer
    ? (v) => (Number.isSafeInteger(v) ? v : NOT_SURE)
    : (v) => (typeof v === "number" && Number.isFinite(v) ? v : NOT_SURE);
}

function compileArray(def: Def, at: string): Judge {
  let minimum = 0;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check !== "min_length" || check.minimum === undefined) {
      unsupported(at, `the array check ${check.check}`);
    }
    minimum = Math.max(minimum, check.minimum);
  }
  const element = compile(def.element, `${at}[]`);
  return (v) => {
    if (!Array.isArray(v) || v.length < minimum) return NOT_SURE;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = element(v[i]);
      if (item === NOT_SURE) return NOT_SURE;
      // Copied only from the first element whose output differs from it.
      if (item !== v[i] && !out) out = v.slice(0, i);
      out?.push(item);
    }
    return out ?? v;
  };
}

/**
 * An object: zod's output has the shape's keys in the shape's order (an absent optional key
 * left out), then, for a loose object, its other keys as they came (a stripping object drops
 * them). The value itself is returned when it already is that (a record as hallpass writes
 * it); it is copied otherwise. A strict object with another key, any `__proto__` key (zod
 * treats it apart) and a missing key are for zod.
 */
function compileObject(def: Def, at: string): Judge {
  noChecks(def, at);
  const keys = Object.keys(def.shape!);
  for (const key of keys) {
    // `key in input` (zod) would find these on every object's prototype.
    if (key in Object.prototype) unsupported(`${at}.${key}`, "a key named like Object's own");
  }
  const judges = keys.map((key) => compile(def.shape![key], `${at}.${key}`));
  const index = new Map(keys.map((key, i) => [key, i]));
  const isRequired = keys.map((key) => def.shape![key]!._zod.def.type !== "optional");
  const required = isRequired.filter(Boolean).length;
  const rest = def.catchall?._zod.def.type ?? "strip";
  if (rest !== "strip" && rest !== "never" && rest !== "unknown") {
    unsupported(at, `a catchall of ${rest}`);
  }
  // Judged again as it is copied: rare (a record hand-written in another order), and it keeps
  // the common path free of allocations.
  const copy = (input: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    keys.forEach((key, i) => {
      if (Object.hasOwn(input, key)) out[key] = judges[i]!(input[key]);
    });
    if (rest === "unknown") for (const key in input) if (!index.has(key)) out[key] = input[key];
    return out;
  };
  return (v) => {
    // A plain object, as JSON.parse makes: `for...in` and `in` then see only its own keys.
    if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) {
      return NOT_SURE;
    }
    const input = v as Record<string, unknown>;
    let changed = false;
    let last = -1;
    let present = 0;
    let other = false;
    for (const key in input) {
      if (key === "__proto__") return NOT_SURE;
      const i = index.get(key);
      if (i === undefined) {
        if (rest === "never") return NOT_SURE;
        // Stripped, or kept after the shape's keys.
        if (rest === "strip") changed = true;
        other = true;
        continue;
      }
      const value = judges[i]!(input[key]);
      if (value === NOT_SURE) return NOT_SURE;
      if (value !== input[key] || i < last || other) changed = true;
      last = i;
      if (isRequired[i]) present++;
    }
    if (present < required) return NOT_SURE;
    return changed ? copy(input) : input;
  };
}

/** A record of string keys: its keys as they came, each value judged. */
function compileRecord(def: Def, at: string): Judge {
  const keyDef = def.keyType!._zod.def;
  if (keyDef.type !== "string" || (keyDef.checks?.length ?? 0) > 0) {
    unsupported(at, "a record whose keys are not plain strings");
  }
  const value = compile(def.valueType, `${at}{}`);
  return (v) => {
    if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) {
      return NOT_SURE;
    }
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key in input) {
      if (key === "__proto__" || !Object.hasOwn(input, key)) return NOT_SURE;
      const item = value(input[key]);
      if (item === NOT_SURE) return NOT_SURE;
      out[key] = item;
    }
    return out;
  };
}
