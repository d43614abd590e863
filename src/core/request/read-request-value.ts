import { compileSafeParse } from "../source/compile-safe-parse.ts";
import { parsePlainMapping } from "../source/parse-plain-mapping.ts";
import type { Problem } from "../source/problem.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { AccessRequest } from "./request-format.ts";
import { accessRequestSchema } from "./request-format.ts";
import { MAX_REQUEST_FILE_BYTES, parseRequest } from "./validate-request.ts";

const parseAccessRequest = compileSafeParse(accessRequestSchema);

/**
 * A request file's value and its syntax and schema problems, as `parseRequest` gives them,
 * for readers of many files (`hallpass history`, `verify`, `report`). A file of plain
 * `key: value` lines that passes the schema is read without the full YAML parser; any other
 * file goes through `parseRequest`, which locates its problems. Both paths give the same
 * value (the plain reader never accepts what the full parser would read differently).
 */
export function readRequestValue(file: SourceFile): {
  value: AccessRequest | undefined;
  problems: Problem[];
} {
  const plain = parsePlainMapping(file.content, MAX_REQUEST_FILE_BYTES);
  if (plain !== undefined) {
    const result = parseAccessRequest(plain);
    if (result.success) return { value: result.data, problems: [] };
  }
  const { value, problems } = parseRequest(file);
  return { value, problems };
}
