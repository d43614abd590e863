/** Reads the grant and revocation records of a request, as git holds them at one commit or branch. */

import { type GrantRecordRead, parseGrantRecord } from "../core/grant/parse-grant-record.ts";
import { revocationRecordSchema } from "../core/grant/records.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { parseJsonOrUndefined } from "../core/text/error-message.ts";
import { type GitHubPort, UnreadableFileError } from "../ports/github.ts";

/** The grant record of `requestPath` at `ref` (see `parseGrantRecord`); throws when git cannot be read. */
export async function readGrantRecord(
  github: GitHubPort,
  ref: string,
  requestPath: string,
): Promise<GrantRecordRead> {
  return parseGrantRecord(await github.getFile(ref, recordPath(requestPath, "grant")));
}

/** A request's grant and revocation records, read together at one commit. */
export interface GrantAndRevocation {
  /** The grant record's text; undefined when there is none. */
  grantText: string | undefined;
  /** The grant record, read from `grantText`. */
  grant: GrantRecordRead;
  /**
   * The revocation record's text; undefined when there is none. Any text means revoked,
   * readable as a record or not: fail closed.
   */
  revocationText: string | undefined;
}

/**
 * The grant and revocation records of `requestPath` at `ref`, in one request, so both are read
 * at the same commit. A record GraphQL cannot give as text (binary, too large) is read with
 * `getFile` instead, as `getFiles` does: such a grant record then reads as unreadable, and such a
 * revocation still counts. Throws when git cannot be read.
 */
export async function readGrantAndRevocation(
  github: GitHubPort,
  ref: string,
  requestPath: string,
): Promise<GrantAndRevocation> {
  const paths = [recordPath(requestPath, "grant"), recordPath(requestPath, "revocation")];
  const texts = await github
    .readPaths({ files: paths.map((path) => ({ ref, path })), directories: [] })
    .then((read) => read.files)
    .catch((error: unknown) => {
      if (!(error instanceof UnreadableFileError)) throw error;
      return Promise.all(paths.map((path) => github.getFile(ref, path)));
    });
  const [grantText, revocationText] = texts;
  return { grantText, grant: parseGrantRecord(grantText), revocationText };
}

/** The revocation record read from `text`, when it is one. */
export function parseRevocation(text: string) {
  const parsed = revocationRecordSchema.safeParse(parseJsonOrUndefined(text));
  return parsed.success ? parsed.data : undefined;
}

/** ` (reason, revokedAt)` of the revocation record in `text`; empty when it is not one. */
export function revocationNote(text: string): string {
  const revocation = parseRevocation(text);
  return revocation ? ` (${revocation.reason}, ${revocation.revokedAt})` : "";
}
