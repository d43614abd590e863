/**
 * Step 4 of the grant on merge (first run only): check that the account can take the role
 * before anything is recorded: no role of that name made for something else, room under the
 * role quota.
 */

import { errorMessage } from "../../core/text/error-message.ts";
import { GRANT_TAGS, type GrantStore, MANAGED_BY } from "../../ports/aws.ts";
import type { GrantStop } from "./grant-types.ts";
import type { PlannedGrant } from "./plan-grant-role.ts";

/**
 * Looks the planned role up in `store` (and the quota when it is not there). Undefined when the
 * grant may go on; a stop when AWS cannot be read (failed, nothing created), when the name is
 * taken by a role not made for this request (hallpass never takes one over), or when the
 * account is at its quota.
 */
export async function checkAccount(
  store: GrantStore,
  planned: Pick<PlannedGrant, "account" | "plan">,
  owner: { requestPath: string; pull: { mergeCommitSha: string } },
): Promise<GrantStop | undefined> {
  const { account } = planned;
  const { roleName } = planned.plan;
  let current: Awaited<ReturnType<GrantStore["getRole"]>>;
  let quota: Awaited<ReturnType<GrantStore["getRoleQuota"]>> | undefined;
  try {
    current = await store.getRole(roleName);
    if (!current) quota = await store.getRoleQuota();
  } catch (error) {
    const reason = `AWS account ${account.name} (${account.id}) could not be read: ${errorMessage(error)}`;
    return {
      stop: "failed",
      title: "AWS could not be reached",
      details: [
        `${reason}. Nothing was created. Fix the cause, then redeliver the merge event (or ask an administrator to) to try again.`,
      ],
      reason,
      rolledBack: true,
    };
  }
  if (
    current &&
    (current.tags[GRANT_TAGS.managedBy] !== MANAGED_BY ||
      current.tags[GRANT_TAGS.request] !== owner.requestPath ||
      current.tags[GRANT_TAGS.mergeCommit] !== owner.pull.mergeCommitSha)
  ) {
    return {
      stop: "refused",
      title: `a role named ${roleName} already exists`,
      details: [
        `${current.roleArn} was not made for this request; hallpass never takes over a role.`,
      ],
    };
  }
  if (quota && quota.roles + 1 > quota.quota) {
    return {
      stop: "refused",
      title: `account ${account.name} (${account.id}) is at its IAM role quota`,
      details: [
        `It holds ${quota.roles} of ${quota.quota} roles. Delete unused roles or ask AWS to raise the "Roles per account" quota, then open a new request.`,
      ],
    };
  }
  return undefined;
}
