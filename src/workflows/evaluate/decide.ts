/**
 * Step 7 of the evaluation: decide, and say the outcome in one line for the check's title.
 */

import { type Decision, decideApproval } from "../../core/approval/decide-approval.ts";
import type { PullRequestInfo } from "../../ports/github.ts";

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

/** When the approvals age out: until when the title's approval holds, in its words. */
function until(decision: Decision): string {
  return decision.countsUntil ? `; the approvals count until ${decision.countsUntil}` : "";
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
      ? `Approved by ${counted.map((a) => `@${a.reviewer}`).join(", ")}${until(decision)}`
      : decision.status === "disapproved"
        ? `Changes requested by ${decision.blockedBy.map((b) => `@${b.reviewer}`).join(", ")}`
        : `Waiting for approval: ${decision.reasons.join("; ")}`;
  return emergency ? `BREAK-GLASS: ${title}` : title;
}
