import { type CloudTrailEvent, issuerRoleOf } from "../../../core/audit/cloudtrail-event.ts";
import { expectedListedRole } from "../../../core/grant/check-revocation-target.ts";
import {
  type Alert,
  evaluateAlerts,
  type FiredAlert,
  toFiredAlert,
} from "../../../core/sweep/evaluate-alerts.ts";
import {
  alertsMarker,
  renderAlertComment,
  renderSlackAlert,
} from "../../../core/sweep/render-alerts.ts";
import { revokeRole } from "../revoke-role.ts";
import { issueOf } from "../types.ts";
import type { WatchContext } from "./watch-context.ts";
import type { WatchState } from "./watch-state.ts";

/** Hands events to the grants they belong to and judges those grants now. */
export async function judgeEvents(
  ctx: WatchContext,
  events: readonly CloudTrailEvent[],
): Promise<void> {
  const touched = new Set<WatchState>();
  for (const e of events) {
    const state = ctx.states.get(issuerRoleOf(e) ?? "");
    if (!state) continue;
    state.events.set(e.eventID, e);
    touched.add(state);
  }
  await Promise.all([...touched].map((state) => state.judge()));
}

/**
 * Judges one grant on every event read of it so far: raises the alerts not raised before,
 * revokes when a rule says so (or an earlier alert's revocation is owed), tells the PR and
 * Slack. Told before recorded: a run killed in between tells again, never not at all.
 */
export async function judgeGrant(ctx: WatchContext, state: WatchState): Promise<void> {
  const { rules } = ctx;
  const { grant } = state;
  if (state.failed) return;
  const fresh = evaluateAlerts(rules, [...state.events.values()], state.alerts);
  const revokingRules = new Set(rules.filter((r) => r.revoke).map((r) => r.name));
  // An earlier alert whose rule revokes but whose revocation failed is retried every run
  // (an ended grant has nothing left to revoke: its role is gone or in plan.revoke).
  const owed =
    state.live && !state.revokeTried
      ? state.alerts.filter((a) => revokingRules.has(a.rule) && !a.revoked)
      : [];
  if (fresh.length === 0 && owed.length === 0) return;
  const because = [...fresh.filter((a) => a.revoke), ...owed].map((a) => a.rule);
  const revoked = await revokeOnAlert(ctx, state, because);
  const all = [
    ...state.alerts.map((a) =>
      revoked && revokingRules.has(a.rule) ? { ...a, revoked: true } : a,
    ),
    ...fresh.map((a) => toFiredAlert(a, revoked && a.revoke)),
  ];
  for (const alert of fresh) {
    ctx.out.alerts.push({
      requestPath: grant.requestPath,
      pullRequest: grant.pullRequest.number,
      alert,
      revoked: revoked && alert.revoke,
    });
  }
  if (fresh.length > 0 && !ctx.run.dryRun && !(await tellAlerts(ctx, state, all, fresh, revoked))) {
    state.failed = true; // not recorded, and read again by the next run, which raises it again
    return;
  }
  state.alerts = all;
  state.changed = fresh.length > 0 || revoked || state.changed;
  ctx.out.alertsOf.set(grant.requestPath, { grant, alerts: all });
}

/** Revokes a live grant once a run when an alert's rule says so; whether it was revoked. */
async function revokeOnAlert(
  ctx: WatchContext,
  state: WatchState,
  because: readonly string[],
): Promise<boolean> {
  const { live, grant } = state;
  if (!live || because.length === 0 || ctx.run.dryRun || state.revokeTried) return false;
  state.revokeTried = true;
  return revokeRole(
    ctx.run,
    {
      account: live.account,
      roleName: live.role.roleName,
      roleArn: live.role.roleArn,
      requestPath: grant.requestPath,
      reason: "alert",
      detail: `alert ${[...new Set(because)].join(", ")} revokes at once`,
      expected: expectedListedRole(live.role),
    },
    ctx.out,
  );
}

/**
 * Tells fresh alerts on the grant's PR (one comment listing all of them) and on Slack. Returns
 * false when the PR comment failed: then nothing is told on Slack either.
 */
async function tellAlerts(
  ctx: WatchContext,
  state: WatchState,
  all: FiredAlert[],
  fresh: Alert[],
  revoked: boolean,
): Promise<boolean> {
  const { grant } = state;
  try {
    await ctx.run.deps.github.upsertComment(
      grant.pullRequest.number,
      alertsMarker(grant.requestPath),
      renderAlertComment(grant, all, fresh),
    );
  } catch (error) {
    ctx.out.issues.push(issueOf("notify", grant.requestPath, error));
    return false;
  }
  for (const alert of fresh) {
    await ctx.slack(
      grant.requestPath,
      renderSlackAlert(
        grant,
        `${alert.rule} (${alert.severity})`,
        `${alert.events.length} event(s) from ${alert.from}: ${[...new Set(alert.events.map((e) => e.action))].slice(0, 5).join(", ")}${revoked && alert.revoke ? ". The grant was revoked." : ""}`,
      ),
      ctx.out.issues,
    );
  }
  return true;
}
