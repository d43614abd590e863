import type { ExpectedRole } from "../../core/grant/check-revocation-target.ts";
import type { RevocationRecord } from "../../core/grant/records.ts";
import type { SweepAccount } from "../../core/sweep/plan-sweep.ts";
import { issueOf, type StepOutcome, type SweepRun } from "./types.ts";

/** One role to revoke, and why. */
export interface RoleToRevoke {
  account: SweepAccount;
  roleName: string;
  roleArn: string;
  requestPath: string;
  reason: RevocationRecord["reason"];
  detail: string;
  /** What the role must still be (see revoke-grant.ts); a role swapped in is not touched. */
  expected: ExpectedRole;
  /** The listing showed the role gone: only the record is written, no AWS call by name. */
  recordOnly?: boolean;
}

/**
 * Revokes one role with the shared revoke routine, which records it in git, and notes the
 * revocation (or the failure) in `out`. Returns whether it was revoked; a dry run revokes nothing.
 */
export async function revokeRole(
  run: SweepRun,
  item: RoleToRevoke,
  out: StepOutcome,
): Promise<boolean> {
  if (run.dryRun) return false;
  try {
    const target = run.targets.get(item.account.id)!;
    await run.deps.revokeGrant(
      {
        account: { name: target.name, id: target.id, brokerRole: target.brokerRole },
        roleName: item.roleName,
        roleArn: item.roleArn,
        requestPath: item.requestPath,
        reason: item.reason,
        detail: item.detail,
        expected: item.expected,
        ...(item.recordOnly ? { recordOnly: true } : {}),
        now: run.now,
      },
      { branch: run.branch },
    );
    out.revoked.push({
      requestPath: item.requestPath,
      roleArn: item.roleArn,
      reason: item.reason,
      detail: item.detail,
    });
    return true;
  } catch (error) {
    out.issues.push(issueOf("revoke", item.requestPath, error));
    return false;
  }
}
