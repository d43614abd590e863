/**
 * The one sticky comment on a new access request, asking its eligible approvers to review,
 * and who to request reviews from. Found again by its marker, so re-runs edit it in place.
 */

import { formatDuration } from "../request/duration.ts";
import { countOf } from "../text/count-of.ts";
import { markdownMention, markdownOwner, markdownText } from "../text/escape-markdown.ts";
import type { RuleOutcome } from "./decide-approval.ts";
import type { PullRequestEvaluation } from "./pull-request-evaluation.ts";

/** One unsatisfied rule: how many approvals it still lacks, and who can give them. */
function missingLine(rule: RuleOutcome): string {
  const who =
    rule.canStillApprove.length > 0
      ? ` (can approve: ${rule.canStillApprove.map(markdownMention).join(", ")})`
      : " (nobody left who can approve: see the check)";
  return `- ${markdownText(rule.label)}: ${countOf(rule.missing, "more approval")}${who}`;
}

export const REVIEW_REQUEST_MARKER = "<!-- hallpass:review-request -->";

export interface ReviewRequest {
  body: string;
  /**
   * What the body says under its heading (who is asked for what, what is still missing, how to
   * approve): the reminder repeats it under a heading of its own.
   */
  details: string;
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
  // Ping only owners who can approve: the requester, the author and pushers cannot.
  const mentions = owners.owners
    .filter((o) => o.kind !== "user" || !excluded.has(o.login))
    .map((o) => markdownOwner(o.text))
    .join(" ");
  const missing = decision.rules.filter((rule) => !rule.satisfied);
  const r = request.request;
  const heading = request.emergency
    ? "### 🚨 Break-glass access request: please review now"
    : "### Access request: please review";
  const details = [
    "",
    // The requester is named, not pinged: they cannot approve, and they opened the PR.
    `${mentions ? `${mentions}: ` : ""}${markdownText(r.requester)} asks for **${markdownText(r.role)}** in **${markdownText(r.account)}** for **${formatDuration(request.durationSeconds)}**.`,
    "",
    `> ${markdownText(r.reason)}`,
    "",
    ...(missing.length > 0
      ? ["Still missing:", ...missing.map(missingLine)]
      : [
          "Every rule has its approvals; the `hallpass/approval` check says what else holds the merge.",
        ]),
    "",
    "Approve in **Files changed → Review changes → Approve**. An approval counts only on the latest commit; the requester, the author and anyone who pushed to this pull request cannot approve. The `hallpass/approval` check shows where things stand.",
  ].join("\n");
  return { body: [REVIEW_REQUEST_MARKER, heading, details].join("\n"), details, users, teams };
}
