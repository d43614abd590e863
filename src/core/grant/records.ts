import { z } from "zod";
import { planDigestSchema } from "./digest-grant-plan.ts";

/**
 * The formats of the lifecycle records committed next to a request file (where they live:
 * `src/core/request/record-paths.ts`). Additive changes only: old records must still parse.
 */

const isoTime = z.string().datetime({ offset: true });

export const approvalRecordSchema = z.strictObject({
  reviewer: z.string().describe("GitHub login of the approver."),
  reviewId: z.number().int().describe("Id of the approving review."),
  submittedAt: isoTime.describe("When the review was submitted."),
  commitId: z.string().describe("Head SHA the approval was given on."),
  rules: z
    .array(z.string())
    .describe(
      "The approval rule this approval counted for: one at most, as one person's approval counts for one rule only; empty when no rule needed it (records written before that rule may list several).",
    ),
  eligibleVia: z
    .array(z.string())
    .optional()
    .describe(
      "How the approver was eligible when the decision was made: @login when CODEOWNERS or a rule named them, @org/team for each team named by the file's code owners or a rule's group that they were an active member of. Team membership is not in git, so `hallpass verify` re-decides the grant offline from this. Absent in records written before it existed: such a grant is reported as not re-decidable.",
    ),
});

export const approvalBasisSchema = z
  .strictObject({
    headSha: z.string().describe("The pull request's head SHA: only approvals given on it count."),
    author: z.string().describe("GitHub login of the pull request's author (never an approver)."),
    pushers: z
      .array(z.string())
      .describe(
        "GitHub logins of every author and committer of the pull request's commits, lower-case and sorted (never approvers).",
      ),
    baseChangedAt: z
      .array(z.string())
      .describe(
        "When the pull request's base branch was changed (approvals before the latest change do not count).",
      ),
    requesterEligibleVia: z
      .array(z.string())
      .optional()
      .describe(
        "When the role lists who may request it (`eligible`): the entries that admitted the requester at decision time, @login or @org/team they were an active member of. Team membership is not in git, so `hallpass verify` re-checks eligibility offline from this. Absent when the role had no list, and in records written before it existed.",
      ),
  })
  .describe(
    "What the approval decision read from GitHub besides the reviews, CODEOWNERS and policies/ (which git holds), so that `hallpass verify` can run the same decision offline.",
  );

export const autoApprovalSchema = z
  .strictObject({
    kind: z
      .enum(["auto-approval", "extension"])
      .describe(
        "auto-approval: the role's autoApproval rule (a short request). extension: the role's extension.withoutApproval rule (one short extension of a live grant).",
      ),
    rule: z.string().describe("The rule's name as the check showed it."),
    limit: z.string().describe("The rule's limit as the policy wrote it (30m, 1h)."),
    extends: z
      .string()
      .optional()
      .describe("For an extension: the request path whose live grant it extended."),
  })
  .describe(
    "Why a request was approved without review: the policy rule that let it through, re-decided by `hallpass verify` from the policies at the merge's base.",
  );

export const grantRecordSchema = z.strictObject({
  version: z.literal(1),
  requestPath: z.string(),
  pullRequest: z.strictObject({
    number: z.number().int(),
    url: z.string(),
    mergeCommit: z.string(),
    mergedAt: isoTime,
    mergedBy: z.string(),
  }),
  requester: z.string(),
  role: z.string(),
  account: z.strictObject({ name: z.string(), id: z.string() }),
  emergency: z.boolean(),
  extends: z.string().optional().describe("Request path whose grant this one replaced."),
  approvals: z.array(approvalRecordSchema),
  approvalBasis: approvalBasisSchema
    .optional()
    .describe(
      "The decision's inputs that git does not hold. Absent in records written before it existed.",
    ),
  autoApproval: autoApprovalSchema
    .optional()
    .describe("Set when no review was needed: the rule that approved the request."),
  roleArn: z.string(),
  roleName: z.string(),
  sessionName: z.string(),
  sourceIdentity: z.string(),
  window: z.strictObject({ start: isoTime, end: isoTime }),
  grantedAt: isoTime,
  planDigest: planDigestSchema
    .optional()
    .describe(
      "Digest of the documents the grant role was planned with (trust, inline and managed policies, boundary, session length). The sweep revokes and alerts on a role that no longer matches it. Absent in records written before it existed.",
    ),
});

export const revocationRecordSchema = z.strictObject({
  version: z.literal(1),
  requestPath: z.string(),
  roleArn: z.string(),
  revokedAt: isoTime,
  reason: z
    .enum([
      "expired",
      "early-release",
      "alert",
      "unrecorded-role",
      "replaced-by-extension",
      "grant-failed",
    ])
    .describe(
      "Why access ended early or was removed. grant-failed: the grant could not be completed after its record was committed, so it was rolled back.",
    ),
  revokedBy: z.string().describe("GitHub login, or hallpass-app / hallpass-action."),
  detail: z.string().optional(),
});

export const ungrantedRecordSchema = z.strictObject({
  version: z.literal(1),
  requestPath: z.string(),
  pullRequest: z
    .strictObject({
      number: z.number().int(),
      url: z.string(),
      mergeCommit: z.string(),
      mergedAt: isoTime,
      mergedBy: z
        .string()
        .optional()
        .describe("GitHub login of who merged it (the app's records; the sweep does not know)."),
    })
    .describe("The merged pull request that added the request file."),
  reportedAt: isoTime.describe(
    "When the refusal was said on the PR: by the app at merge, or by the sweep when it found no grant record.",
  ),
  detail: z.string().describe("What was found, as told on the PR."),
  source: z
    .enum(["app", "sweep"])
    .optional()
    .describe(
      "Who wrote it. app: the app refused the grant at merge and recorded why (reason, details). sweep: the sweep found the merged request without a grant record and does not know why. Absent in records the sweep wrote before it wrote sweep: read as sweep.",
    ),
  reason: z
    .string()
    .optional()
    .describe(
      "Why the app refused, in one line, as in the PR comment's title (e.g. approvals do not hold at the merge commit). Absent in the sweep's records.",
    ),
  details: z
    .array(z.string())
    .optional()
    .describe(
      "The refusal's details, as listed on the PR (which approval rules were missing, who merged past the check, the quota, ...). Absent in the sweep's records.",
    ),
});

export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;
export type ApprovalBasis = z.infer<typeof approvalBasisSchema>;
export type AutoApprovalBasis = z.infer<typeof autoApprovalSchema>;
export type GrantRecord = z.infer<typeof grantRecordSchema>;
export type RevocationRecord = z.infer<typeof revocationRecordSchema>;
export type UngrantedRecord = z.infer<typeof ungrantedRecordSchema>;
