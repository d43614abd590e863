/**
 * The one sticky comment on a new access request, asking its eligible approvers to review,
 * and who to request reviews from. Found again by its marker, so re-runs edit it in place.
 */

import { formatDuration } from "./duration.ts";
import type { PullRequestEvaluation } from "./pull-request-evaluation.ts";

/** The requester's words on one line, with @mentions defused so a reason cannot ping anyone. */
function quote(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/@/g, "@\u200b");
}

export const REVIEW_REQUEST_MARKER = "<!-- hallpass:review-request -->";

export interface ReviewRequest {
  body: string;
  /** Users to request a review from (never the author, requester or a pusher). */
  users: string[];
  /** Team slugs (of the repository's organisation) to request a review from. */
  teams: string[];
}

/** The review request for an evaluated, valid request; undefined when there is nothing to ask. */
export function renderReviewRequest(
  evaluation: PullRequestEvaluation,
  repositoryOwner: string,
): ReviewRequest | undefined {
  const { request, decision, owners } = evaluation;
  if (!request || !decision || !owners || evaluation.status === "approved") return undefined;
  const excluded = new Set(decision.excluded.map((e) => e.login));
  const users = owners.owners
    .filter((o) => o.kind === "user" && !excluded.has(o.login))
    .map((o) => (o.kind === "user" ? o.login : ""));
  // Only teams of the repository's own organisation can be requested as reviewers.
  const teams = owners.owners
    .filter((o) => o.kind === "team" && o.org === repositoryOwner.toLowerCase())
    .map((o) => (o.kind === "team" ? o.slug : ""));
  const mentions = owners.owners.map((o) => o.text).join(" ");
  const r = request.request;
  const lines = [
    REVIEW_REQUEST_MARKER,
    request.emergency
      ? "### 🚨 Break-glass access request: please review now"
      : "### Access request: please review",
    "",
    `${mentions}: @${r.requester} asks for **${r.role}** in **${r.account}** for **${formatDuration(request.durationSeconds)}**.`,
    "",
    `> ${quote(r.reason)}`,
    "",
    "What is still needed:",
    ...decision.rules.map(
      (rule) =>
        `- ${rule.label}: ${rule.rule.count} approval${rule.rule.count === 1 ? "" : "s"}${rule.canStillApprove.length > 0 ? ` (can approve: ${rule.canStillApprove.map((l) => `@${l}`).join(", ")})` : ""}`,
    ),
    "",
    "Approve in **Files changed → Review changes → Approve**. An approval counts only on the latest commit; the requester, the author and anyone who pushed to this pull request cannot approve. The `hallpass/approval` check shows where things stand.",
  ];
  return { body: lines.join("\n"), users, teams };
}
