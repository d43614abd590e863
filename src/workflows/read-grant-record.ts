/** Reads the grant record of a request, as git holds it at one commit or branch. */

import { type GrantRecordRead, parseGrantRecord } from "../core/grant/parse-grant-record.ts";
import { recordPath } from "../core/request/record-paths.ts";
import type { GitHubPort } from "../ports/github.ts";

/** The grant record of `requestPath` at `ref` (see `parseGrantRecord`); throws when git cannot be read. */
export async function readGrantRecord(
  github: GitHubPort,
  ref: string,
  requestPath: string,
): Promise<GrantRecordRead> {
  return parseGrantRecord(await github.getFile(ref, recordPath(requestPath, "grant")));
}
