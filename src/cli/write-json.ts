/**
 * Writes `value` as `JSON.stringify(value, null, 2)` followed by a newline, the same bytes, but
 * in pieces of about `chunkSize` characters: the arrays of a top-level object are stringified
 * one element at a time. The history of 10,000 requests is 30 MB of JSON; built as one string
 * and then copied into the stream's buffer it would be held twice at the end of the run, when
 * memory is at its peak.
 */
export function writeJson(
  value: unknown,
  write: (text: string) => void,
  chunkSize = 1 << 16,
): void {
  if (value === null || typeof value !== "object" || Array.isArray(value) || "toJSON" in value) {
    write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  let pending = "";
  const put = (text: string) => {
    pending += text;
    if (pending.length >= chunkSize) {
      write(pending);
      pending = "";
    }
  };
  // Keys whose value JSON leaves out (undefined, functions, symbols) are left out here too,
  // decided from the value's type: stringifying each field to find out would build the very
  // text this writes in pieces.
  const keys = Object.keys(value).filter((key) => {
    const field = (value as Record<string, unknown>)[key];
    return field !== undefined && typeof field !== "function" && typeof field !== "symbol";
  });
  put(keys.length === 0 ? "{}" : "{");
  keys.forEach((key, i) => {
    const field = (value as Record<string, unknown>)[key];
    put(`${i > 0 ? "," : ""}\n  ${JSON.stringify(key)}: `);
    if (!Array.isArray(field) || field.length === 0) {
      put(indent(JSON.stringify(field, null, 2), "  "));
      return;
    }
    put("[");
    field.forEach((element, j) => {
      // An element JSON cannot show (undefined, a function) is null in an array, as there.
      const text = JSON.stringify(element, null, 2) ?? "null";
      put(`${j > 0 ? "," : ""}\n    ${indent(text, "    ")}`);
    });
    put("\n  ]");
  });
  put(keys.length === 0 ? "\n" : "\n}\n");
  if (pending.length > 0) write(pending);
}

/** JSON text nested one level deeper: strings never hold a raw newline, so every one is a line break. */
function indent(text: string, by: string): string {
  return text.replaceAll("\n", `\n${by}`);
}
