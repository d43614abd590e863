/**
 * The pull request comments of the timed moments: the reminder to approvers, the closing of a
 * stale request and the expiry warning. Each carries its hidden marker, which is also the
 * record that it was said (the sweep looks for it before saying it). Pure.
 */

import type { PullRequestEvaluation } from "../approval/pull-request-evaluation.ts";
import { renderReviewRequest } from "../approval/render-review-request.ts";
import { formatDuration } from "../request/duration.ts";
import { markdownCode, markdownCommentText } from "../text/escape-markdown.ts";

export const REMINDER_MARKER = "<!-- hallpass:reminder -->";
export const STALE_CLOSED_MARKER = "<!-- hallpass:stale-closed -->";
/**
 * Added to the stale-closing comment once the pull request is closed. The comment is written
 * first (so the reason is there when the request closes), so without this line a closing that
 * failed after it could not be told from a request someone reopened, and would never be retried.
 */
export const STALE_CLOSED_DONE = "<!-- hallpass:stale-closed:done -->";

/** The marker of a grant's expiry warning (one per request, on its pull request). */
export function expiryWarningMarker(requestPath: string): string {
  return `<!-- hallpass:expiry-warning ${markdownCommentText(requestPath)} -->`;
}

/**
 * The reminder: the review request again (who can approve, pinged), headed by how long the
 * request has waited. Undefined when the evaluation has nobody to ask.
 */
export function renderReminderComment(
  evaluation: PullRequestEvaluation,
  repositoryOwner: string,
  waitedSeconds: number,
): { body: string; users: string[]; teams: string[] } | undefined {
  const ask = renderReviewRequest(evaluation, repositoryOwner);
  if (!ask) return undefined;
  // The review request's details, under the reminder's own marker and heading.
  const body = [
    REMINDER_MARKER,
    `### ⏰ Reminder: this access request has waited ${formatDuration(waitedSeconds)} without a review`,
    ask.details,
  ].join("\n");
  return { body, users: ask.users, teams: ask.teams };
}

/** Why a stale request was closed, and what to do now; `done` once it is closed. */
export function renderStaleClosedComment(
  waitedSeconds: number,
  closeAfter: string,
  done = false,
): string {
  return [
    done ? `${STALE_CLOSED_MARKER}\n${STALE_CLOSED_DONE}` : STALE_CLOSED_MARKER,
    `### Closed: nobody reviewed this access request in ${formatDuration(waitedSeconds)}`,
    "",
    `hallpass closes access requests that wait longer than ${markdownCode(closeAfter)} without any review (\`settings.notifications.closeAfter\` in policies/). Nothing was granted.`,
    "",
    "If the access is still needed, reopen this pull request (hallpass will not close it again) and ask a reviewer directly, or open a new request.",
  ].join("\n");
}

/** The warning on a grant's pull request shortly before it expires. */
export function renderExpiryWarningComment(
  requestPath: string,
  expiresAt: string,
  secondsLeft: number,
): string {
  return [
    expiryWarningMarker(requestPath),
    `### ⏳ This access expires in ${formatDuration(Math.max(60, secondsLeft))}`,
    "",
    `The grant of ${markdownCode(requestPath)} ends at ${markdownCode(expiresAt)}; AWS refuses its sessions from that second on.`,
    "",
    "To keep working, comment `/hallpass extend <duration>` (for example `/hallpass extend 1h`) on this pull request: it opens the extension request for review. Or open a new request with `extends:` naming this one. To give the access back now, comment `/hallpass revoke`.",
  ].join("\n");
}
