/**
 * Step 6c of the evaluation: the terms the decision applies besides the reviews: when it is
 * taken, how long an approval counts, and which policy rule (if any) approves without review.
 */

import type { ApprovalInput } from "../../core/approval/decide-approval.ts";
import { findAutoApproval, maxApprovalAgeOf } from "../../core/approval/find-auto-approval.ts";
import type { Approval, Policies } from "../../core/policy/policy-format.ts";
import type { ValidatedRequest } from "../../core/request/validate-request.ts";
import type { ChangedFile, GitHubPort, PullRequestInfo } from "../../ports/github.ts";
import { readExtendedGrant } from "./read-extended-grant.ts";

/** The decision's terms, and why the role's rule without review does not apply (if it has one). */
export interface ApprovalTerms {
  terms: Pick<ApprovalInput, "decidedAt" | "maxApprovalAge" | "autoApproval">;
  autoApprovalNote: string | undefined;
}

/**
 * The terms of the decision on `request`. The clock of a merged pull request's decision is its
 * merge: that is when the approvals had to hold (a redelivery days later decides the same).
 */
export async function readApprovalTerms(
  github: GitHubPort,
  at: {
    pullRequest: PullRequestInfo;
    rulesSha: string;
    now: Date;
    files: ChangedFile[];
    /** The approval that counts (the role's, or break-glass's for an emergency). */
    approval: Approval;
  },
  request: ValidatedRequest,
  policies: Policies,
): Promise<ApprovalTerms> {
  const { pullRequest } = at;
  const decidedAt = pullRequest.merged ? (pullRequest.mergedAt ?? undefined) : at.now.toISOString();
  const maxApprovalAge = maxApprovalAgeOf(at.approval, policies.settings);
  const extendsPath = request.request.extends;
  const extended =
    extendsPath !== undefined && request.role.extension && decidedAt !== undefined
      ? await readExtendedGrant(github, at.rulesSha, extendsPath, request.path)
      : undefined;
  const context = {
    requestPath: request.path,
    changedFiles: at.files,
    role: request.role,
    roleName: request.request.role,
    accountName: request.request.account,
    requester: request.request.requester,
    emergency: request.emergency,
    extends: extendsPath,
    durationSeconds: request.durationSeconds,
    ...(request.start ? { start: request.start.toISOString() } : {}),
    decidedAt: decidedAt ?? "",
  };
  // The other extensions beside the grant are the rule's last test (`checkExtendedGrant`):
  // decided first as if there were none, they are listed only when nothing else refused.
  let found = findAutoApproval({
    ...context,
    ...(extended ? { extended: { ...extended.grant, siblings: [] } } : {}),
  });
  if (found.applies && extended) {
    const siblings = await extended.readSiblings();
    found = findAutoApproval({ ...context, extended: { ...extended.grant, siblings } });
  }
  return {
    terms: {
      ...(decidedAt !== undefined ? { decidedAt } : {}),
      ...(maxApprovalAge ? { maxApprovalAge } : {}),
      ...(found.applies ? { autoApproval: found.basis } : {}),
    },
    autoApprovalNote: found.applies ? undefined : found.why,
  };
}
