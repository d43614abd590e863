import { expectedListedRole } from "../../core/grant/check-revocation-target.ts";
import type { RevocationRecord } from "../../core/grant/records.ts";
import type { PlannedRevocation } from "../../core/sweep/plan-sweep.ts";
import {
  driftMarker,
  renderDriftComment,
  renderSlackAlert,
} from "../../core/sweep/render-alerts.ts";
import { mapPool } from "../map-pool.ts";
import { revokeRole } from "./revoke-role.ts";
import type { TellSlack } from "./tell.ts";
import { issueOf, type StepOutcome, type SweepIssue, type SweepRun } from "./types.ts";

/**
 * Revokes the roles the plan names (expired grants, roles git does not explain, revocations
 * that stopped half-way), hand-made or changed roles first: they are the ones nobody approved.
 * Each of those is alerted on Slack and on its PR, revoked or not.
 */
export async function revokePlanned(
  run: SweepRun,
  input: {
    revoke: readonly PlannedRevocation[];
    /** The revocation records git holds: an unfinished revocation keeps its recorded reason. */
    revocations: readonly RevocationRecord[];
    slack: TellSlack;
  },
): Promise<StepOutcome> {
  const out: StepOutcome = { revoked: [], issues: [] };
  const revocationOf = new Map(input.revocations.map((r) => [r.requestPath, r]));
  const ordered = [...input.revoke].sort((a, b) => Number(b.alert) - Number(a.alert));
  await mapPool(ordered, run.concurrency, async (item) => {
    // A revocation that stopped half-way is finished under its recorded reason.
    const reason: RevocationRecord["reason"] =
      item.reason === "unfinished"
        ? (revocationOf.get(item.requestPath)?.reason ?? "expired")
        : item.reason;
    const ok = await revokeRole(
      run,
      {
        account: item.account,
        roleName: item.role.roleName,
        roleArn: item.role.roleArn,
        requestPath: item.requestPath,
        reason,
        detail: item.detail,
        expected: expectedListedRole(item.role),
      },
      out,
    );
    if (item.alert) await tellDrift(run, item, ok, input.slack, out.issues);
  });
  return out;
}

/** Alerts on a role git does not explain: on Slack, and on the PR of the grant it claims. */
async function tellDrift(
  run: SweepRun,
  item: PlannedRevocation,
  ok: boolean,
  slack: TellSlack,
  issues: SweepIssue[],
): Promise<void> {
  await slack(
    item.requestPath,
    renderSlackAlert(
      item.grant,
      "role not explained by git",
      `${item.detail}. ${ok ? "Revoked." : "Revocation FAILED: act now."}`,
    ),
    issues,
  );
  if (!item.grant) return;
  await run.deps.github
    .upsertComment(
      item.grant.pullRequest.number,
      driftMarker(item.grant.requestPath),
      renderDriftComment(item.grant, item.detail, ok),
    )
    .catch((error: Error) => issues.push(issueOf("notify", item.requestPath, error)));
}
