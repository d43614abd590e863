/**
 * The record of a refusal at merge: `<stem>.ungranted.json` on the base branch, so that
 * `hallpass history` reads offline why a merged request was not granted.
 */

import { type UngrantedRecord, ungrantedRecordSchema } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { errorMessage, parseJsonOrUndefined } from "../../core/text/error-message.ts";
import type { GitHubPort } from "../../ports/github.ts";
import type { MergedPull } from "./grant-types.ts";

export type RefusalRecording =
  | { status: "recorded"; path: string }
  | { status: "skipped"; why: string }
  | { status: "failed"; path: string; error: string };

/**
 * Records a refusal with its title and details. Idempotent: a record equal but for its time is
 * left as it is (a redelivery makes no commit); a different refusal of the same merge (the
 * quota was full, now the window has ended) replaces it, and git log keeps both.
 *
 * Nothing is written where the stem's records are not this refusal's to write: a grant or
 * revocation record is there (a redelivery of a granted request, or the other of `x.yaml` and
 * `x.yml`), an ungranted record of another request is there, or the pull request was merged
 * into a branch other than the default branch (records live next to merged requests).
 *
 * A refusal that later turns into a grant (quota freed, then a redelivery) keeps its record:
 * the grant record is committed beside it, and the history shows both, in their order.
 */
export async function recordRefusal(
  github: GitHubPort,
  pull: MergedPull,
  requestPath: string,
  refusal: { title: string; details: string[] },
  now: Date,
): Promise<RefusalRecording> {
  const { title, details } = refusal;
  const path = recordPath(requestPath, "ungranted");
  try {
    const branch = pull.baseRef;
    const defaultBranch = pull.defaultBranch ?? (await github.getDefaultBranch());
    if (branch !== defaultBranch) {
      return { status: "skipped", why: `merged into ${branch}, not ${defaultBranch}` };
    }
    // One request, all three at the same commit.
    const read = await github.readPaths({
      files: [recordPath(requestPath, "grant"), recordPath(requestPath, "revocation"), path].map(
        (p) => ({ ref: branch, path: p }),
      ),
      directories: [],
    });
    const [grantText, revocationText, ungrantedText] = read.files;
    if (grantText !== undefined || revocationText !== undefined) {
      return { status: "skipped", why: "a grant or revocation record is there" };
    }
    const record: UngrantedRecord = {
      version: 1,
      requestPath,
      pullRequest: {
        number: pull.number,
        url: pull.url,
        mergeCommit: pull.mergeCommitSha,
        mergedAt: pull.mergedAt,
        ...(pull.mergedBy ? { mergedBy: pull.mergedBy } : {}),
      },
      reportedAt: now.toISOString(),
      detail: `${title}: ${details.join(" ")}`,
      source: "app",
      reason: title,
      details,
    };
    if (ungrantedText !== undefined) {
      const parsed = ungrantedRecordSchema.safeParse(parseJsonOrUndefined(ungrantedText));
      if (parsed.success && parsed.data.requestPath !== requestPath) {
        return { status: "skipped", why: `the record is ${parsed.data.requestPath}'s` };
      }
      if (parsed.success && sameRefusal(parsed.data, ungrantedRecordSchema.parse(record))) {
        return { status: "recorded", path };
      }
    }
    await github.commitFiles(
      branch,
      [{ path, content: `${JSON.stringify(record, null, 2)}\n` }],
      `hallpass: refused ${requestPath}: ${title}\n\nPull request #${pull.number}, merge ${pull.mergeCommitSha}, merged by ${pull.mergedBy ?? "unknown"}.\n${details.map((d) => `- ${d}`).join("\n")}`,
    );
    return { status: "recorded", path };
  } catch (error) {
    return { status: "failed", path, error: errorMessage(error) };
  }
}

/** The same refusal of the same merge, whenever it was said (both parsed: same key order). */
function sameRefusal(a: UngrantedRecord, b: UngrantedRecord): boolean {
  const { reportedAt: _a, ...restA } = a;
  const { reportedAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
