/**
 * Step 3 of the grant on merge: plan the role from the approved request and the policies at the
 * merge commit, and check the plan against a grant record an earlier run committed. No I/O.
 */

import { digestGrantPlan, type PlanDigest } from "../../core/grant/digest-grant-plan.ts";
import {
  DEFAULT_IAM_LIMITS,
  type GrantPlan,
  type GrantWindow,
  type IamLimits,
  planGrant,
} from "../../core/grant/plan-grant.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import type { ValidatedRequest } from "../../core/request/validate-request.ts";
import { formatProblem } from "../../core/source/problem.ts";
import type { AccountTarget } from "../../ports/aws.ts";
import type { GrantStop, MergedPull } from "./grant-types.ts";

/** What the grant makes: the role's plan, its window and digest, where and under which ARN. */
export interface PlannedGrant {
  plan: GrantPlan;
  window: GrantWindow;
  planDigest: PlanDigest;
  account: AccountTarget;
  roleArn: string;
}

export interface GrantPlanInput {
  request: ValidatedRequest;
  policies: Policies;
  pull: MergedPull;
  /** `owner/name` of the access repository. */
  repository: string;
  requestPath: string;
  /** The grant record of an earlier run, which the plan must still match. */
  existing: GrantRecord | undefined;
  now: Date;
  limits: IamLimits | undefined;
}

/**
 * Plans the grant role. Stops (refused) when the window, sizes or limits do not allow it, or
 * when an earlier run recorded another role name or other role documents than the plan gives.
 */
export function planGrantRole(input: GrantPlanInput): PlannedGrant | GrantStop {
  const { request, pull, existing } = input;
  const grantPath = recordPath(input.requestPath, "grant");
  const planned = planGrant(
    request,
    input.policies,
    {
      mergeCommit: pull.mergeCommitSha,
      mergedAt: new Date(pull.mergedAt),
      now: input.now,
      pullRequest: pull.number,
      repository: input.repository,
    },
    input.limits ?? DEFAULT_IAM_LIMITS,
  );
  if (!planned.plan || !planned.window) {
    return {
      stop: "refused",
      title: "the grant cannot be made",
      details: planned.problems.map((p) => formatProblem(p)),
    };
  }
  const plan = planned.plan;
  if (existing && existing.roleName !== plan.roleName) {
    return {
      stop: "refused",
      title: `${grantPath} names another role`,
      details: [
        `The record names ${existing.roleName}, the plan ${plan.roleName}. An administrator must check which role is real.`,
      ],
    };
  }
  const planDigest = digestGrantPlan(plan);
  if (existing?.planDigest && JSON.stringify(existing.planDigest) !== JSON.stringify(planDigest)) {
    // policies/ changed since the grant was recorded: the role would no longer match its record.
    return {
      stop: "refused",
      title: `${grantPath} records other role documents than policies/ gives now`,
      details: [
        "The role's policies, boundary or session length changed in policies/ since this grant was recorded, so hallpass will not re-make the role from today's plan. Open a new request for the access you need.",
      ],
    };
  }
  const account: AccountTarget = {
    name: request.request.account,
    id: request.account.id,
    brokerRole: request.account.brokerRole,
  };
  const partition = /^arn:(aws[a-z-]*):/.exec(account.brokerRole)?.[1] ?? "aws";
  const roleArn = `arn:${partition}:iam::${account.id}:role${plan.rolePath}${plan.roleName}`;
  return { plan, window: planned.window, planDigest, account, roleArn };
}
