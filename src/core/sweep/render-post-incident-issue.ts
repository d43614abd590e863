/**
 * The follow-up issue for a break-glass grant: emergency access skips part of the normal
 * approval, so its approvers review it after the fact. One issue per pull request, found
 * again by its marker.
 */

import type { PullRequestEvaluation } from "../approval/pull-request-evaluation.ts";
import { formatDuration } from "../request/duration.ts";
import { markdownMention, markdownText } from "../text/escape-markdown.ts";

export const POST_INCIDENT_LABEL = "hallpass:post-incident-review";

/** Marker of the follow-up issue of pull request `pullNumber`. */
export function postIncidentMarker(pullNumber: number): string {
  return `<!-- hallpass:post-incident-review:${pullNumber} -->`;
}

/** The follow-up issue for a merged break-glass request, or undefined when it is not one. */
export function renderPostIncidentIssue(
  evaluation: PullRequestEvaluation,
): { marker: string; title: string; body: string; labels: string[] } | undefined {
  const request = evaluation.request;
  if (!request?.emergency) return undefined;
  const pr = evaluation.pullRequest;
  const r = request.request;
  const approvers = evaluation.approvals.map((a) => markdownMention(a.reviewer));
  // The requester reviews nobody's access, least of all their own.
  const owners = (evaluation.owners?.owners.map((o) => o.text) ?? []).filter(
    (o) => o.toLowerCase() !== `@${r.requester.toLowerCase()}`,
  );
  const marker = postIncidentMarker(pr.number);
  const body = [
    marker,
    `Break-glass access was requested in ${pr.url}: ${markdownMention(r.requester)} got **${markdownText(r.role)}** in **${markdownText(r.account)}** for **${formatDuration(request.durationSeconds)}** under the reduced emergency approval.`,
    "",
    `> ${markdownText(r.reason)}`,
    "",
    `${[...new Set([...approvers, ...owners])].join(" ")}: please review this access after the incident.`,
    "",
    "- [ ] The emergency was real and the access was needed",
    "- [ ] The activity summary (written next to the request after expiry) shows only what the incident required",
    "- [ ] Follow-ups are filed (runbook, automation, permanent fix)",
    "",
    "Close this issue when the review is done.",
  ].join("\n");
  return {
    marker,
    title: `Post-incident review: break-glass ${r.role} access for @${r.requester} (#${pr.number})`,
    body,
    labels: [POST_INCIDENT_LABEL],
  };
}
