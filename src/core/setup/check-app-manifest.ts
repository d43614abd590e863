import { parseYaml } from "../source/parse-yaml.ts";
import type { Problem } from "../source/problem.ts";
import type { SourceFile } from "../source/source-file.ts";

/**
 * Checks the GitHub App manifest (`app.yml`) for text that Probot's setup page cannot carry.
 *
 * Probot's setup page (`npm start` without credentials) puts the manifest, as JSON, into the
 * HTML attribute `value='…'` of the "Register GitHub App" button without escaping it, and the
 * browser posts that attribute to GitHub. A `'` anywhere in the manifest ends the attribute, so
 * GitHub receives truncated JSON and refuses it; an `&` starts an HTML character reference
 * that the browser may replace (`&copy` becomes ©), silently changing the text. JSON escapes
 * neither, so every key and every string value of the file must be free of both.
 */
export function checkAppManifest(file: SourceFile): Problem[] {
  const { parsed, problems } = parseYaml(file, { maxBytes: 64 * 1024, kind: "app manifest" });
  if (!parsed) return problems;
  const found = [...problems];
  for (const text of stringsOf(parsed.value, [])) {
    const message = unsafeTextMessage(text.value);
    if (message === undefined) continue;
    const position = parsed.locate(text.path, text.part);
    found.push({
      file: file.path,
      line: position.line,
      column: position.column,
      field: text.path.join("."),
      severity: "error",
      message,
    });
  }
  return found;
}

/**
 * Why `value` cannot stand in Probot's single-quoted manifest attribute, or undefined when it
 * can. Exported for the other values that end up in the manifest (`WEBHOOK_PROXY_URL`).
 */
export function unsafeTextMessage(value: string): string | undefined {
  if (value.includes("'")) {
    return `${JSON.stringify(value)} contains ', which ends the HTML attribute Probot's setup page puts the manifest in, so GitHub would receive truncated JSON. Write ’ (U+2019) or rephrase.`;
  }
  if (value.includes("&")) {
    return `${JSON.stringify(value)} contains &, which the browser may read as an HTML character reference on Probot's setup page and change. Write "and" or rephrase.`;
  }
  return undefined;
}

interface TextAt {
  path: PropertyKey[];
  part: "key" | "value";
  value: string;
}

/** Every key and string value of a parsed YAML value, with where it is. */
function* stringsOf(value: unknown, path: PropertyKey[]): Generator<TextAt> {
  if (typeof value === "string") {
    yield { path, part: "value", value };
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* stringsOf(item, [...path, index]);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      yield { path: [...path, key], part: "key", value: key };
      yield* stringsOf(item, [...path, key]);
    }
  }
}
