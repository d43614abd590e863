import type { SweepPlan } from "../../core/sweep/plan-sweep.ts";
import { planRun } from "./plan-run.ts";
import { readState, type SweepSnapshot } from "./read-state.ts";
import { type RecheckOutcome, recheckAgedApprovals } from "./recheck-aged-approvals.ts";
import { recordRevocations } from "./record-revocations.ts";
import { revokePlanned } from "./revoke-planned.ts";
import { slackTeller, tellMissingGrants } from "./tell.ts";
import { type MomentsOutcome, tellMoments } from "./tell-moments.ts";
import {
  listOpenPullRequestsOnce,
  type StepOutcome,
  type SweepDeps,
  type SweepIssue,
  type SweepOptions,
  type SweepReport,
  type SweepRun,
} from "./types.ts";
import { updateDashboard } from "./update-dashboard.ts";
import { type WatchOutcome, watchLiveGrants } from "./watch-live-grants.ts";
import { writeAudits } from "./write-audits.ts";

export type {
  NotifyFn,
  RevokeGrantFn,
  SweepDeps,
  SweepIssue,
  SweepOptions,
  SweepReport,
} from "./types.ts";
export { SweepConfigError } from "./types.ts";

/**
 * One sweep of the scheduled action (and of `hallpass sweep`), as its steps:
 *
 * 1. read git (policies, records) and AWS (the `/hallpass/` roles of every account in scope);
 * 2. plan: what to revoke, record, watch and audit, and what is missing;
 * 3. revoke every expired grant and every role git does not explain (alerting on the latter),
 *    with the shared revoke routine, which records it in git;
 * 4. record the revocations of grants whose role was already gone;
 * 5. tell the PRs of grants git expects but AWS lacks, and of merged requests never granted;
 *    tell the channels of each revocation, warn grants about to expire, remind the approvers
 *    of requests nobody reviewed and close those left unreviewed too long; re-request each
 *    green check whose approvals aged out (or tell its PR that it is stale);
 * 6. watch live grants' CloudTrail activity and raise alerts by the policies' rules;
 * 7. write the audit summaries that are due;
 * 8. rewrite the dashboard issue;
 * and return what it found and did, for the job summary.
 *
 * Every step is planned from what git and AWS hold at the start of the run, so a run that was
 * late, skipped or killed half-way is simply finished by the next one. With `dryRun` it reads
 * and plans, and writes nothing anywhere. Throws only when it cannot start (`SweepConfigError`);
 * everything else lands in the report's `issues`.
 */
export async function sweep(deps: SweepDeps, options: SweepOptions): Promise<SweepReport> {
  const { now, dryRun } = options;
  const concurrency = options.concurrency ?? 8;
  // 1. Read the state.
  const state = await readState(deps, options, concurrency);
  const { branch, head, targets, revocations, auditDelaySeconds, paths } = state;
  // 2. Plan.
  const { plan, issues, summary } = planRun(state, now);
  deps.log?.(summary);
  const report = newReport(options, state, plan, [...state.issues, ...issues]);
  const run: SweepRun = { deps, branch, head, now, dryRun, concurrency, targets };
  const slack = slackTeller(deps, state.policies, dryRun);
  const rules = state.policies.settings.alerts;
  if (!dryRun) {
    // 3. Revoke, 4. record, 5. tell.
    addOutcome(report, await revokePlanned(run, { revoke: plan.revoke, revocations, slack }));
    addOutcome(report, await recordRevocations(run, plan.recordRevocation));
    report.issues.push(...(await tellMissingGrants(run, plan)));
    // 5b and 5c share one listing of the open pull requests (the dashboard lists them again,
    // without those 5b closed).
    const openPullRequests = listOpenPullRequestsOnce(deps.github, report.issues);
    // 5b. Tell the timed moments: revoked, expiring, reminded, closed as stale.
    const moments = await tellMoments(run, {
      plan,
      policies: state.policies,
      revoked: report.revoked,
      openPullRequests,
    });
    report.issues.push(...moments.issues);
    logMoments(deps, moments);
    // 5c. Re-request green checks whose approvals aged out.
    const rechecked = await recheckAgedApprovals(run, {
      policies: state.policies,
      openPullRequests,
      closed: moments.closed,
    });
    report.issues.push(...rechecked.issues);
    logRechecked(deps, rechecked);
  }
  // 6. Watch live grants (reads in a dry run too, and writes nothing).
  const watchInput = { plan, rules, auditDelaySeconds, paths, slack, options };
  const watch = await watchLiveGrants(run, watchInput);
  addWatch(report, watch);
  // 7. Write audits.
  if (!dryRun && plan.auditsDue.length > 0) {
    const audits = await writeAudits(run, { auditsDue: plan.auditsDue, auditDelaySeconds, rules });
    report.audits.push(...audits.audits);
    report.issues.push(...audits.issues);
  }
  // 8. Update the dashboard.
  if (!dryRun) {
    const updated = await updateDashboard(run, { report, options, alertsOf: watch.alertsOf });
    report.dashboard = updated.dashboard;
    report.issues.push(...updated.issues);
  }
  return report;
}

/** The report before any step acted: the plan, and what could not be read or planned. */
function newReport(
  options: SweepOptions,
  state: SweepSnapshot,
  plan: SweepPlan,
  issues: SweepIssue[],
): SweepReport {
  return {
    dryRun: options.dryRun,
    now: options.now.toISOString(),
    branch: state.branch,
    accounts: state.accounts.map((a) => a.name),
    plan,
    revoked: [],
    alerts: [],
    audits: [],
    watchDeferred: [],
    watchedEnded: [],
    watchLookups: { streams: 0, streamPages: 0, grantLookups: 0 },
    dashboard: undefined,
    issues,
  };
}

/** Adds a step's revocations and issues to the report, in the order they happened. */
function addOutcome(report: SweepReport, outcome: StepOutcome): void {
  report.revoked.push(...outcome.revoked);
  report.issues.push(...outcome.issues);
}

/** Adds what the watch did to the report. */
function addWatch(report: SweepReport, watch: WatchOutcome): void {
  addOutcome(report, watch);
  report.alerts.push(...watch.alerts);
  report.watchDeferred.push(...watch.watchDeferred);
  report.watchedEnded.push(...watch.watchedEnded);
  report.watchLookups = watch.lookups;
}

/** One log line for the moments told, when there were any. */
function logMoments(deps: SweepDeps, moments: MomentsOutcome): void {
  const { reminded, closed, warned } = moments;
  if (reminded.length + closed.length + warned.length === 0) return;
  const pulls = (numbers: number[]) => numbers.map((n) => `#${n}`).join(", ") || "none";
  deps.log?.(
    `moments: reminded ${pulls(reminded)}; closed as stale ${pulls(closed)}; expiry warned ${warned.join(", ") || "none"}`,
  );
}

/** One log line for the checks re-requested or told stale, when there were any. */
function logRechecked(deps: SweepDeps, rechecked: RecheckOutcome): void {
  const { rerequested, told } = rechecked;
  if (rerequested.length + told.length === 0) return;
  const pulls = (numbers: number[]) => numbers.map((n) => `#${n}`).join(", ") || "none";
  deps.log?.(
    `approvals aged out: check re-requested on ${pulls(rerequested)}; told stale (re-request refused) on ${pulls(told)}`,
  );
}
