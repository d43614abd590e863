import type { z } from "zod";
import { articleFor } from "../text/article-for.ts";
import type { ParsedYaml } from "./parse-yaml.ts";
import type { Problem } from "./problem.ts";
import { didYouMean } from "./suggest-name.ts";

/** Most problems listed for one file; a file with more is not a typo, and the rest is noise. */
export const MAX_PROBLEMS_PER_FILE = 50;

/**
 * Turns zod's issues for a parsed YAML file into located problems with messages a person can
 * act on: a missing field is named, an unknown key gets "did you mean", a number where text
 * is expected is told to use quotes. Every issue becomes one problem; none is dropped.
 */
export function describeSchemaIssues(
  path: string,
  parsed: ParsedYaml,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): Problem[] {
  const problems: Problem[] = [];
  const problem = (
    fieldPath: readonly PropertyKey[],
    part: "key" | "value",
    message: string,
  ): Problem => {
    const position = parsed.locate(fieldPath, part);
    const field = fieldPath.map(String).join(".");
    return {
      file: path,
      line: position.line,
      column: position.column,
      ...(field === "" ? {} : { field }),
      severity: "error",
      message,
    };
  };

  for (const issue of issues) {
    if (problems.length >= MAX_PROBLEMS_PER_FILE) break;
    const fieldPath = issue.path;
    const name = fieldName(fieldPath);
    const value = valueAt(parsed.value, fieldPath);
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeys(schema, fieldPath);
        for (const key of issue.keys.slice(0, MAX_PROBLEMS_PER_FILE)) {
          const listing = known.length > 0 ? ` Known fields here: ${known.join(", ")}.` : "";
          const hint = didYouMean(key, known);
          problems.push(
            problem(
              [...fieldPath, key],
              "key",
              `unknown field "${key}".${hint === "" ? listing : hint}`,
            ),
          );
        }
        break;
      }
      case "invalid_type": {
        if (value === undefined) {
          const parent = fieldPath.slice(0, -1);
          problems.push(
            problem(
              fieldPath,
              parent.length === 0 ? "value" : "key",
              `missing required field "${name}": add ${articleFor(name)} "${name}:" line.`,
            ),
          );
        } else {
          problems.push(
            problem(fieldPath, "value", typeMessage(name, issue.expected, value, fieldPath)),
          );
        }
        break;
      }
      case "invalid_key": {
        const inner = issue.issues[0]?.message ?? "is not a valid name";
        problems.push(problem(fieldPath, "key", `the name "${name}" ${mustPhrase(inner)}`));
        break;
      }
      case "too_small":
      case "too_big":
        problems.push(problem(fieldPath, "value", `"${name}" ${sizeMessage(issue)}`));
        break;
      case "invalid_value":
        problems.push(
          problem(
            fieldPath,
            "value",
            `"${name}" must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${JSON.stringify(value)}.`,
          ),
        );
        break;
      case "invalid_union": {
        // Name the accepted shapes ("text or a list") rather than zod's "Invalid input".
        const expected = issue.errors
          .flat()
          .filter((inner) => inner.code === "invalid_type" && inner.path.length === 0)
          .map((inner) => describeExpected((inner as z.core.$ZodIssueInvalidType).expected));
        const message =
          expected.length > 0
            ? `"${name}" must be ${[...new Set(expected)].join(" or ")}, but is ${describeValue(value)}.`
            : `"${name}" ${mustPhrase(issue.message)}`;
        problems.push(problem(fieldPath, "value", message));
        break;
      }
      default:
        problems.push(problem(fieldPath, "value", `"${name}" ${mustPhrase(issue.message)}`));
    }
  }
  const total = issues.reduce(
    (sum, issue) => sum + (issue.code === "unrecognized_keys" ? issue.keys.length : 1),
    0,
  );
  if (total > problems.length) {
    const shown = problems.slice(0, MAX_PROBLEMS_PER_FILE);
    shown.push({
      file: path,
      line: 1,
      column: 1,
      severity: "error",
      message: `${total - shown.length} more problems in this file are not listed; fix the listed ones first.`,
    });
    return shown;
  }
  return problems;
}

function fieldName(path: readonly PropertyKey[]): string {
  const last = path.at(-1);
  if (last === undefined) return "the file";
  if (typeof last === "number") return `${String(path.at(-2) ?? "item")}[${last}]`;
  return String(last);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function mustPhrase(message: string): string {
  const text = message.endsWith(".") ? message : `${message}.`;
  return /^must\b/.test(text) ? text : `is invalid: ${text}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function typeMessage(
  name: string,
  expected: string,
  value: unknown,
  path: readonly PropertyKey[],
): string {
  const wanted = describeExpected(expected);
  let hint = "";
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    hint =
      path.at(-1) === "id"
        ? ` Put it in quotes ("${String(value).padStart(12, "0")}") so YAML keeps it as text with its leading zeros.`
        : ` Put it in quotes ("${String(value)}").`;
  } else if (expected === "boolean" && typeof value === "string") {
    hint = " YAML 1.2 reads only true and false as booleans: write true or false without quotes.";
  } else if (value === null) {
    hint = " Give it a value or remove the line.";
  }
  return `"${name}" must be ${wanted}, but is ${describeValue(value)}.${hint}`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "string":
      return "text";
    case "boolean":
      return "true or false";
    case "object":
      return "a mapping (indented key: value lines)";
    case "array":
      return "a list (lines starting with - )";
    default:
      return `a ${expected}`;
  }
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  switch (issue.origin) {
    case "string":
      return small && limit === 1
        ? "must not be empty."
        : `must be ${small ? "at least" : "at most"} ${limit} characters long.`;
    case "array":
    case "set":
      return small && limit === 1
        ? "must list at least one item."
        : `must list ${small ? "at least" : "at most"} ${limit} items.`;
    default:
      return `must be ${small ? "at least" : "at most"} ${limit}.`;
  }
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
};

/** The field names the schema accepts at `path`, for "did you mean" and listings. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  let i = 0;
  while (node !== undefined) {
    const def: Def = (node as unknown as { _zod: { def: Def } })._zod.def;
    if (def.innerType) {
      node = def.innerType;
      continue;
    }
    if (def.type === "pipe") {
      node = def.in;
      continue;
    }
    if (i === path.length) return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
    const segment = path[i++];
    if (def.type === "object") node = def.shape?.[String(segment)];
    else if (def.type === "array") node = def.element;
    else if (def.type === "record") node = def.valueType;
    else return [];
  }
  return [];
}
