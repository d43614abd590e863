/** Helpers to spell hostile inputs byte by byte. */

/** A corpus file: text (written as UTF-8) or exact bytes. */
export type CorpusInput = string | Uint8Array;

/** The cases of one category: file name (with extension) -> content. */
export type CorpusCases = Record<string, CorpusInput>;

/** Concatenates text (as UTF-8) and raw byte runs into one buffer. */
export function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  return Buffer.concat(
    parts.map((part) =>
      typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part as number[]),
    ),
  );
}

/** `text` encoded as UTF-16 (little- or big-endian), with or without its byte-order mark. */
export function utf16(text: string, endian: "le" | "be", bom: boolean): Uint8Array {
  const le = Buffer.from(`${bom ? "\uFEFF" : ""}${text}`, "utf16le");
  if (endian === "le") return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/** `text` encoded as UTF-32 little-endian with its byte-order mark. */
export function utf32le(text: string): Uint8Array {
  const points = [0xfeff, ...[...text].map((c) => c.codePointAt(0)!)];
  const out = Buffer.alloc(points.length * 4);
  points.forEach((p, i) => {
    out.writeUInt32LE(p, i * 4);
  });
  return out;
}

/** `text` padded with `fill` (repeated) so that it is exactly `size` bytes of UTF-8. */
export function padTo(text: string, size: number, fill = "x"): string {
  const missing = size - Buffer.byteLength(text, "utf8");
  if (missing < 0) throw new Error(`text is already ${-missing} bytes over ${size}`);
  return text + fill.repeat(Math.floor(missing / Buffer.byteLength(fill, "utf8")));
}
