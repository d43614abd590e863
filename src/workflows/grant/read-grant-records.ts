/**
 * Step 2 of the grant on merge: read what git already records for the request. A redelivered
 * merge event finds its own grant record and finishes that grant; a revocation ends the story.
 */

import { parseRevocation, revocationNote } from "../../core/grant/parse-grant-record.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { parseJsonOrUndefined } from "../../core/text/error-message.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { GitHubPort } from "../../ports/github.ts";
import { readGrantAndRevocation } from "../read-grant-record.ts";
import type { GrantStop } from "./grant-types.ts";

/** The request's grant record when an earlier run committed it and its window is still open. */
export interface GrantRecords {
  existing: GrantRecord | undefined;
}

/**
 * Reads the grant and revocation records of `requestPath` on `branch`, in one request (both at
 * the same commit). Stops when they are another request's, when a revocation is recorded (a
 * late redelivery must not grant again), when the grant record is unreadable, or when the
 * recorded window is over. Throws when they cannot be read: nothing is granted unread.
 */
export async function readGrantRecords(
  github: GitHubPort,
  at: { branch: string; requestPath: string; now: Date },
): Promise<GrantRecords | GrantStop> {
  const { branch, requestPath } = at;
  const grantPath = recordPath(requestPath, "grant");
  const revocationPath = recordPath(requestPath, "revocation");
  const { grantText, grant, revocationText } = await readGrantAndRevocation(
    github,
    branch,
    requestPath,
  );
  // `x.yaml` and `x.yml` share their records: a record of the other request is never this one's.
  const other = [recordOwner(grantText), recordOwner(revocationText)].find(
    (path) => path !== undefined && path !== requestPath,
  );
  if (other !== undefined) {
    return {
      stop: "refused",
      title: `its records would be those of ${other}`,
      details: [
        `${markdownCode(requestPath)} and ${markdownCode(other)} differ only in their extension, so they share ${markdownCode(grantPath)}. Nothing was changed for either. Open a new request under another file name.`,
      ],
    };
  }
  if (revocationText !== undefined) {
    const reason = `${revocationPath} records a revocation${revocationNote(parseRevocation(revocationText))}; not granting again`;
    return { stop: "finished", outcome: { status: "revoked", reason } };
  }
  if (grant.status === "missing") return { existing: undefined };
  if (grant.status === "unreadable") {
    return {
      stop: "refused",
      title: `${grantPath} is not a valid grant record`,
      details: [`It cannot be read (${grant.problem}); restore it from git history.`],
    };
  }
  // Over already: a late redelivery must neither re-create the role nor comment again.
  if (Date.parse(grant.record.window.end) <= at.now.getTime()) {
    return {
      stop: "finished",
      outcome: { status: "granted", record: grant.record, created: false },
    };
  }
  return { existing: grant.record };
}

/** The `requestPath` a record's text names, if it names one. */
function recordOwner(text: string | undefined): string | undefined {
  const parsed = text === undefined ? undefined : parseJsonOrUndefined(text);
  return typeof parsed === "object" && parsed !== null && "requestPath" in parsed
    ? String((parsed as { requestPath: unknown }).requestPath)
    : undefined;
}
