import type { AlertRule } from "../../core/policy/policy-format.ts";
import type { SweepPlan } from "../../core/sweep/plan-sweep.ts";
import { mapPool } from "../map-pool.ts";
import type { TellSlack } from "./tell.ts";
import type { SweepOptions, SweepRun } from "./types.ts";
import { lookUpGroup } from "./watch/look-up-group.ts";
import {
  inRunOrder,
  overlapMsOf,
  PendingSpans,
  type RegionTask,
  regionTasksOf,
} from "./watch/plan-lookups.ts";
import { readAlertRecords, type WatchedGrant } from "./watch/read-alert-records.ts";
import { streamRegion } from "./watch/stream-account.ts";
import {
  stateOf,
  WatchBudget,
  type WatchContext,
  type WatchOutcome,
} from "./watch/watch-context.ts";
import { writeAlertRecords } from "./watch/write-alert-records.ts";

export type { WatchOutcome } from "./watch/watch-context.ts";

/**
 * Watches live grants, and ended grants until their audit is written (CloudTrail delivers
 * events minutes late, and what a grant did in its last minutes must raise alerts too): reads
 * their CloudTrail events within the run's budget, raises the policies' alerts as events
 * arrive, revokes when a rule says so, and records in git the alerts and how far it read.
 */
export async function watchLiveGrants(
  run: SweepRun,
  input: {
    plan: SweepPlan;
    rules: readonly AlertRule[];
    auditDelaySeconds: number;
    /** Every file under access-requests/ (to know which alerts records exist). */
    paths: readonly string[];
    slack: TellSlack;
    options: Pick<SweepOptions, "watchBudgetMs" | "watchLookupMaxEvents">;
  },
): Promise<WatchOutcome> {
  const { plan, rules } = input;
  const watched: WatchedGrant[] =
    rules.length === 0
      ? []
      : [
          ...plan.watch.map((live) => ({ grant: live.grant, live })),
          ...plan.auditsWaiting
            .filter((a) => run.targets.has(a.grant.account.id))
            .map((a) => ({ grant: a.grant, live: undefined })),
        ];
  const ctx: WatchContext = {
    run,
    rules,
    slack: input.slack,
    budget: new WatchBudget(run.deps.clock ?? Date.now, input.options.watchBudgetMs ?? 180_000),
    maxLookupEvents: input.options.watchLookupMaxEvents ?? 2_500,
    states: new Map(),
    deferred: new Set(),
    out: emptyOutcome(),
  };
  await readAlertRecords(ctx, watched, new Set(input.paths));
  const tasks = regionTasksOf(ctx.states.values(), run.targets);
  const overlapMs = overlapMsOf(input.auditDelaySeconds, rules);
  const pending = new PendingSpans(tasks, (g) => stateOf(ctx, g), run.now, overlapMs);
  await mapPool(
    inRunOrder(tasks, (t) => `${t.target.id}|${t.region}`, run.now),
    run.concurrency,
    (task) => watchRegion(ctx, pending, task),
  );
  // Owed revocations are retried even when no event came in this run.
  await Promise.all([...ctx.states.values()].map((state) => state.judge()));
  await writeAlertRecords(ctx);
  return ctx.out;
}

/** Streams the account's events of one region when cheaper, then looks up what is left. */
async function watchRegion(ctx: WatchContext, pending: PendingSpans, task: RegionTask) {
  await streamRegion(ctx, pending, task);
  const rest = inRunOrder(
    task.groups.filter((g) => pending.of(g, task.region).length > 0),
    (g) => g.sessionName,
    ctx.run.now,
  );
  await mapPool(rest, Math.min(ctx.run.concurrency, 4), (group) =>
    lookUpGroup(ctx, task, group, pending.of(group, task.region)),
  );
}

function emptyOutcome(): WatchOutcome {
  return {
    revoked: [],
    issues: [],
    alerts: [],
    watchDeferred: [],
    watchedEnded: [],
    lookups: { streams: 0, streamPages: 0, grantLookups: 0 },
    alertsOf: new Map(),
  };
}
