/**
 * Step 6 of the grant on merge: create (or converge) the grant role from its plan. The grant
 * record is committed already, so the role is never seen in AWS without it.
 */

import type { GrantPlan } from "../../core/grant/plan-grant.ts";
import type { GrantStore } from "../../ports/aws.ts";
import type { AlertDeps } from "./grant-types.ts";
import { alert, type TellContext } from "./tell.ts";

/** `created`: this run created the role; `error`: creating it failed (to be rolled back). */
export type RoleCreation = { created: boolean } | { error: unknown };

/**
 * Ensures the planned role in `store`. A role of this grant that someone had changed is put back
 * to the plan, and never silently: that raises an alert.
 */
export async function createRole(
  deps: AlertDeps,
  store: GrantStore,
  context: TellContext & { requestPath: string },
  role: { plan: GrantPlan; roleArn: string },
): Promise<RoleCreation> {
  let created: boolean;
  let corrected: string[] = [];
  try {
    ({ created, corrected = [] } = await store.ensureRole(role.plan));
  } catch (error) {
    return { error };
  }
  if (corrected.length > 0) {
    const { pull, requestPath } = context;
    await alert(
      deps,
      pull.number,
      pull.url,
      requestPath,
      "the grant role had been changed by hand",
      [
        ...corrected.map((c) => `${role.roleArn}: ${c}`),
        "hallpass put the role back to the approved plan. Find out who changed it (CloudTrail).",
      ],
    );
  }
  return { created };
}
