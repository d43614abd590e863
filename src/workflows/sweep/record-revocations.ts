import type { SweepPlan } from "../../core/sweep/plan-sweep.ts";
import { mapPool } from "../map-pool.ts";
import { revokeRole } from "./revoke-role.ts";
import type { StepOutcome, SweepRun } from "./types.ts";

/**
 * Records the revocation of expired grants whose role was already gone when the run listed the
 * account, so that git says when and why each grant ended.
 */
export async function recordRevocations(
  run: SweepRun,
  items: SweepPlan["recordRevocation"],
): Promise<StepOutcome> {
  const out: StepOutcome = { revoked: [], issues: [] };
  await mapPool(items, run.concurrency, async ({ grant }) => {
    const target = run.targets.get(grant.account.id)!;
    await revokeRole(
      run,
      {
        account: { name: target.name, id: target.id },
        roleName: grant.roleName,
        roleArn: grant.roleArn,
        requestPath: grant.requestPath,
        reason: "expired",
        detail: "the role was already gone when the sweep looked; recorded now",
        // Not looked up by name: the listing showed no role of this ARN, and the record's name
        // might be another role's.
        recordOnly: true,
        expected: { tags: {} },
      },
      out,
    );
  });
  return out;
}
