/** Reads the grant and revocation records of a request, as git holds them at one commit or branch. */

import { type GrantRecordRead, parseGrantRecord } from "../core/grant/parse-grant-record.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { type GitHubPort, UnreadableFileError } from "../ports/github.ts";

/** The grant record of `requestPath` at `ref` (see `parseGrantRecord`); throws when git cannot be read. */
export async function readGrantRecord(
  github: GitHubPort,
  ref: string,
  requestPath: string,
): Promise<GrantRecordRead> {
  return parseGrantRecord(await github.getFile(ref, recordPath(requestPath, "grant")));
}

/** A request's grant and revocation records, read together (see `readGrantAndRevocation`). */
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
 * The grant and revocation records of `requestPath` at `ref`, in one GraphQL request. At a
 * commit id both are that commit's; at a branch each is read at the branch as the one query
 * finds it, not pinned to a head read first. A record GraphQL cannot give as text (binary, too
 * large) sends both reads to `getFile` instead, as `getFiles` does: two more requests, which at
 * a branch are separate reads of it and may see two heads when a commit lands between them.
 * Such a grant record reads as unreadable, and such a revocation still counts. Throws when git
 * cannot be read.
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
