/**
 * Step 5 of the grant on merge: record the grant in git BEFORE the role exists, so that a role
 * hallpass made is never seen in AWS without its record (the sweep revokes unrecorded roles).
 */

import type { PullRequestEvaluation } from "../../core/approval/pull-request-evaluation.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import type { ValidatedRequest } from "../../core/request/validate-request.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import type { GitHubPort } from "../../ports/github.ts";
import type { GrantStop, MergedPull } from "./grant-types.ts";
import type { PlannedGrant } from "./plan-grant-role.ts";

/** The grant record of a planned grant, as it is committed. */
export function buildGrantRecord(input: {
  pull: MergedPull;
  requestPath: string;
  request: ValidatedRequest;
  evaluation: Pick<PullRequestEvaluation, "approvals" | "decision">;
  planned: PlannedGrant;
  now: Date;
}): GrantRecord {
  const { pull, request, evaluation, planned } = input;
  const { plan, account } = planned;
  return {
    version: 1,
    requestPath: input.requestPath,
    pullRequest: {
      number: pull.number,
      url: pull.url,
      mergeCommit: pull.mergeCommitSha,
      mergedAt: pull.mergedAt,
      mergedBy: pull.mergedBy ?? "",
    },
    requester: request.request.requester,
    role: request.request.role,
    account: { name: account.name, id: account.id },
    emergency: request.emergency,
    ...(request.request.extends ? { extends: request.request.extends } : {}),
    approvals: evaluation.approvals,
    // What `hallpass verify` needs to re-decide offline (git holds the rest).
    ...(evaluation.decision ? { approvalBasis: evaluation.decision.basis } : {}),
    // A request no review approved says which policy rule did, for verify to re-decide.
    ...(evaluation.decision?.autoApproved
      ? { autoApproval: evaluation.decision.autoApproved }
      : {}),
    roleArn: planned.roleArn,
    roleName: plan.roleName,
    sessionName: plan.sessionName,
    sourceIdentity: plan.sourceIdentity,
    window: planned.window,
    grantedAt: input.now.toISOString(),
    planDigest: planned.planDigest,
  };
}

/**
 * Commits `record` on `branch`. Undefined once committed; a stop (failed) when the commit
 * fails, with nothing to roll back since nothing exists in AWS yet.
 */
export async function commitGrantRecord(
  github: GitHubPort,
  branch: string,
  record: GrantRecord,
): Promise<GrantStop | undefined> {
  const grantPath = recordPath(record.requestPath, "grant");
  try {
    await github.commitFiles(
      branch,
      [{ path: grantPath, content: `${JSON.stringify(record, null, 2)}\n` }],
      `hallpass: grant ${record.requestPath} until ${record.window.end}\n\nPull request #${record.pullRequest.number}, merge ${record.pullRequest.mergeCommit}.\nRole: ${record.roleArn}\n${approvedBy(record)}`,
      // Just merged, the branch most likely still points at the merge commit, where no record
      // was found: commit there without reading the branch (GitHub refuses it if it moved on).
      { expectedHead: record.pullRequest.mergeCommit },
    );
    return undefined;
  } catch (error) {
    // Nothing exists in AWS yet: there is nothing to roll back.
    const reason = `committing ${grantPath} failed: ${errorMessage(error)}`;
    return {
      stop: "failed",
      title: "the grant record could not be committed",
      details: [
        `${reason}. Nothing was created in AWS. Redeliver the merge event (or ask an administrator to) to try again.`,
      ],
      reason,
      rolledBack: true,
    };
  }
}

/** Who or what approved the grant, for the commit message. */
function approvedBy(record: GrantRecord): string {
  const reviewers = record.approvals.map((a) => a.reviewer).join(", ");
  if (!record.autoApproval) return `Approved by: ${reviewers}`;
  return `Approved without review by the policy rule: ${record.autoApproval.rule}${reviewers ? ` (reviews: ${reviewers})` : ""}`;
}
