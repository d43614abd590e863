/** Name of the inline deny that ends every session issued before the revocation. */
export const REVOKE_POLICY_NAME = "hallpass-revoke-older-sessions";

/** The first step of a revocation: the policy to put on the role before anything is removed. */
export interface RevocationPlan {
  policyName: string;
  /** Policy document (JSON text as sent to IAM). */
  document: string;
  /** Sessions issued before this second are denied everything. */
  revokedAt: string;
}

/**
 * Plans the deny IAM's console puts when you "revoke active sessions" (AWSRevokeOlderSessions):
 * every request signed with credentials issued before `now` is denied. It takes effect on live
 * sessions at once, unlike deleting the role, whose sessions keep working until they next ask
 * IAM for the role's policies. Rounded up to the next second so a session issued in the same
 * second as the revocation is denied too.
 *
 * Unlike the console's, it also denies sessions issued from then on: the role is being removed,
 * and its trust policy admits the requester until the expiry, so if the removal stops half-way
 * (and waits for a re-run) a fresh session must not get the role's permissions back.
 */
export function planRevocation(now: Date): RevocationPlan {
  const revokedAt = `${new Date(Math.ceil(now.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
  const document = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "HallpassRevokeOlderSessions",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: { "aws:TokenIssueTime": revokedAt } },
      },
      {
        Sid: "HallpassNoSessionsAfterRevocation",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateGreaterThanEquals: { "aws:TokenIssueTime": revokedAt } },
      },
    ],
  };
  return { policyName: REVOKE_POLICY_NAME, document: JSON.stringify(document), revokedAt };
}
