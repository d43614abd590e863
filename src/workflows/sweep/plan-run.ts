import { planSweep, type SweepAccount, type SweepPlan } from "../../core/sweep/plan-sweep.ts";
import type { SweepSnapshot } from "./read-state.ts";
import type { SweepIssue } from "./types.ts";

/**
 * Plans the run from what it read (core's `planSweep`): what to revoke, record, watch and audit,
 * and what is missing. Grants it cannot act on are issues, never silently skipped.
 */
export function planRun(
  state: SweepSnapshot,
  now: Date,
): { plan: SweepPlan; issues: SweepIssue[]; summary: string } {
  const planned = planSweep({
    now,
    auditDelaySeconds: state.auditDelaySeconds,
    repository: state.repository,
    accounts: state.accounts.map(
      (a): SweepAccount => ({
        name: a.name,
        id: a.id,
        ...(a.sharedWith ? { sharedWith: a.sharedWith } : {}),
      }),
    ),
    roles: state.roles,
    paths: state.paths,
    grants: state.grants,
    revocations: state.revocations,
    requestAccounts: state.requestAccounts,
  });
  const issues: SweepIssue[] = [];
  // A grant in an account policies/ no longer defines would be skipped by every shard: its
  // role could not be revoked, watched or audited. Say so rather than ignore it.
  const policyAccountIds = new Set(Object.values(state.policies.accounts).map((a) => a.id));
  for (const grant of state.grants) {
    if (policyAccountIds.has(grant.account.id)) continue;
    issues.push({
      step: "read",
      subject: grant.requestPath,
      message: `its grant names account ${grant.account.name} (${grant.account.id}), which policies/ no longer defines, so no sweep revokes, watches or audits it: restore the account in policies/ (its broker role is needed), or revoke ${grant.roleArn} by hand`,
    });
  }
  for (const m of planned.mismatchedRecords) {
    issues.push({ step: "read", subject: m.grant.requestPath, message: m.detail });
  }
  const summary = `plan: ${planned.revoke.length} to revoke, ${planned.recordRevocation.length} to record, ${planned.watch.length} to watch, ${planned.auditsDue.length} audits due, ${planned.missingGrants.length} missing`;
  return { plan: planned, issues, summary };
}
