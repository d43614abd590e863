/**
 * Step 7 of the evaluation: decide, make sure the pull request did not move meanwhile, and say
 * the outcome in one line for the check's title.
 */

import { type Decision, decideApproval } from "../../core/approval/decide-approval.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { GitHubPort, PullRequestInfo } from "../../ports/github.ts";

/** What the decision is taken on: see `decideApproval`'s input. */
export type DecisionInput = Omit<Parameters<typeof decideApproval>[0], "reviewedBefore">;

/**
 * Decides the approvals of `pullRequest`. Once it is merged, only reviews submitted before the
 * merge count: an approval given after an admin merged past a red check is not one.
 */
export function decide(pullRequest: PullRequestInfo, input: DecisionInput): Decision {
  return decideApproval({
    ...input,
    ...(pullRequest.merged && pullRequest.mergedAt ? { reviewedBefore: pullRequest.mergedAt } : {}),
  });
}

/**
 * The reads of the evaluation are not one snapshot: a push between them could pair the reviews
 * of one head with the files and commits of another. A green check is written only when the
 * head is still the one everything was judged for (the push's own event evaluates the new
 * head). Answers why the evaluation is pending when an open, approved pull request moved.
 */
export async function confirmUnmoved(
  github: GitHubPort,
  pullRequest: PullRequestInfo,
  decision: Decision,
): Promise<{ title: string; reasons: string[] } | undefined> {
  if (decision.status !== "approved" || pullRequest.merged) return undefined;
  const again = await github.getPullRequest(pullRequest.number);
  if (again.headSha === pullRequest.headSha && again.baseRef === pullRequest.baseRef) {
    return undefined;
  }
  const moved =
    again.headSha !== pullRequest.headSha
      ? `The head moved from ${pullRequest.headSha.slice(0, 7)} to ${again.headSha.slice(0, 7)}`
      : `The base branch changed from ${markdownCode(pullRequest.baseRef)} to ${markdownCode(again.baseRef)}`;
  return {
    title: "The pull request changed while it was evaluated",
    reasons: [
      `${moved} during the evaluation; the pull request is evaluated again on its own event.`,
    ],
  };
}

/**
 * The check's title for `decision`. It names the approvals that counted for a rule; a surplus
 * one (one approval counts for one rule only) is listed under "Not counted" in the summary.
 */
export function decisionTitle(decision: Decision, emergency: boolean): string {
  const counted = decision.approvals.filter((a) => a.rules.length > 0);
  const auto = decision.autoApproved;
  const title = auto
    ? `Approved without review: ${auto.rule}`
    : decision.status === "approved"
      ? `Approved by ${counted.map((a) => `@${a.reviewer}`).join(", ")}`
      : decision.status === "disapproved"
        ? `Changes requested by ${decision.blockedBy.map((b) => `@${b.reviewer}`).join(", ")}`
        : `Waiting for approval: ${decision.reasons.join("; ")}`;
  return emergency ? `BREAK-GLASS: ${title}` : title;
}
