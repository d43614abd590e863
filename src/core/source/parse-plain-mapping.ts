/**
 * A fast reader for the plainest YAML files: one `key: value` per line, values plain scalars
 * on one line, ASCII only. Request files are almost always written so, and `hallpass history`
 * reads ten thousand of them: the full parser (`parseYaml`, which keeps every position for
 * messages) costs about a hundred times more per file.
 *
 * It never decides anything the full parser would decide differently: whatever it is not sure
 * of (quotes, comments after a value, numbers, nulls, indentation, tabs, non-ASCII text, ": "
 * or " #" inside a value, a duplicated key) makes it answer undefined, and the caller then
 * runs the full parser. A value it returns is the one `parseYaml` returns for the same text,
 * with no problem (test/core/source/parse-plain-mapping.test.ts checks this on generated
 * files).
 */

/** A key: a plain word, so it cannot be `__proto__` or need quoting. */
const LINE = /^([a-z][A-Za-z0-9]*): +([A-Za-z0-9].*)$/;

/** YAML 1.2 core schema: text that resolves to a boolean. */
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

/** YAML 1.2 core schema: text that resolves to null (the empty value is refused earlier). */
const NULL = /^(?:~|[Nn]ull|NULL)$/;

/**
 * YAML 1.2 core schema: text that resolves to a number (int, octal, hex, float with or
 * without exponent), as the yaml package tests it. Such values are left to the full parser.
 */
const NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+)$/;

/**
 * The mapping written in `content`, when the whole file is in the plain subset (ASCII
 * printable text and line feeds; lines empty, `#` comments, or `key: value` with a plain
 * value); undefined otherwise, and for a file larger than `maxBytes` or with no key.
 */
export function parsePlainMapping(
  content: string | Uint8Array,
  maxBytes: number,
): Record<string, string | boolean> | undefined {
  const text = plainText(content, maxBytes);
  if (text === undefined) return undefined;
  const mapping: Record<string, string | boolean> = {};
  let keys = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === "" || line.charCodeAt(0) === 0x23 /* # */) continue;
    const match = LINE.exec(line);
    if (!match) return undefined;
    const key = match[1]!;
    const value = plainValue(match[2]!);
    if (value === undefined || Object.hasOwn(mapping, key)) return undefined;
    mapping[key] = value;
    keys++;
  }
  return keys > 0 ? mapping : undefined;
}

/** The text when every character is printable ASCII or a line feed; undefined otherwise. */
function plainText(content: string | Uint8Array, maxBytes: number): string | undefined {
  // ASCII: one byte per character, so the length is the size in bytes either way.
  if (content.length > maxBytes) return undefined;
  for (let i = 0; i < content.length; i++) {
    const code = typeof content === "string" ? content.charCodeAt(i) : content[i]!;
    if ((code < 0x20 || code > 0x7e) && code !== 0x0a) return undefined;
  }
  return typeof content === "string" ? content : new TextDecoder().decode(content);
}

/**
 * A value written after `key: `, resolved as YAML's core schema would; undefined when it is
 * not a one-line plain scalar this reader is sure of.
 */
function plainValue(written: string): string | boolean | undefined {
  // Trailing spaces are not part of a plain scalar; ": " starts a nested mapping (an error),
  // " #" a comment, and a final ":" a key.
  const value = written.replace(/ +$/, "");
  if (value.includes(": ") || value.includes(" #") || value.endsWith(":")) return undefined;
  if (BOOLEAN.test(value)) return value.charCodeAt(0) === 0x74 || value.charCodeAt(0) === 0x54;
  if (NULL.test(value) || NUMBER.test(value)) return undefined;
  return value;
}
