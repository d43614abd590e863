import { describe, expect, it } from "vitest";
import { normalizeRoleArn } from "../../../../src/core/audit/cloudtrail-event.ts";
import type { AlertsRecord } from "../../../../src/core/sweep/evaluate-alerts.ts";
import { planRun } from "../../../../src/workflows/sweep/plan-run.ts";
import { judgeEvents, judgeGrant } from "../../../../src/workflows/sweep/watch/judge-grant.ts";
import {
  WatchBudget,
  type WatchContext,
} from "../../../../src/workflows/sweep/watch/watch-context.ts";
import { WatchState } from "../../../../src/workflows/sweep/watch/watch-state.ts";
import { grantEvent } from "../../../support/sweep-fakes.ts";
import { LIVE, STEP_NOW, stepWorld } from "../sweep-step-fixtures.ts";

const PATH = LIVE.requestPath.replace(".yaml", ".alerts.json");
const CREATE_USER = grantEvent(LIVE, {
  id: "e1",
  time: "2026-11-26T11:30:00Z",
  action: "iam:CreateUser",
});

/** A watch of LIVE (live in AWS) from `record`, as the watch step builds it. */
async function judged(record: Partial<AlertsRecord> = {}) {
  const w = stepWorld();
  w.record(LIVE);
  const { state, run } = await w.start();
  const { plan } = planRun(state, STEP_NOW);
  const ctx: WatchContext = {
    run,
    rules: state.policies.settings.alerts,
    slack: w.tellSlack,
    budget: new WatchBudget(() => 0, 180_000),
    maxLookupEvents: 2_500,
    states: new Map(),
    deferred: new Set(),
    out: {
      revoked: [],
      issues: [],
      alerts: [],
      watchDeferred: [],
      watchedEnded: [],
      lookups: { streams: 0, streamPages: 0, grantLookups: 0 },
      alertsOf: new Map(),
    },
  };
  const full = { version: 1 as const, requestPath: LIVE.requestPath, roleArn: LIVE.roleArn };
  const watch = new WatchState(LIVE, plan.watch[0], PATH, { ...full, alerts: [], ...record }, (s) =>
    judgeGrant(ctx, s),
  );
  ctx.states.set(normalizeRoleArn(LIVE.roleArn), watch);
  return { ...w, ctx, watch };
}

describe("judgeGrant", () => {
  it("raises an alert once, however many times the same events are judged", async () => {
    const j = await judged();
    await judgeEvents(j.ctx, [CREATE_USER]);
    await judgeEvents(j.ctx, [CREATE_USER]);
    expect(j.ctx.out.alerts.map((a) => a.alert.rule)).toEqual(["iam-changes"]);
    expect(j.revokeGrant.calls).toHaveLength(1);
    expect(j.watch.alerts.map((a) => [a.rule, a.revoked])).toEqual([["iam-changes", true]]);
    expect(j.watch.changed).toBe(true);
  });

  it("retries the revocation an earlier alert owes, with no new event", async () => {
    const owed = {
      id: "iam-changes:e0",
      rule: "iam-changes",
      severity: "critical" as const,
      from: "2026-11-26T11:10:00Z",
      to: "2026-11-26T11:10:00Z",
      eventIds: ["e0"],
      revoked: false,
    };
    const j = await judged({ alerts: [owed] });
    await j.watch.judge();
    expect(j.ctx.out.alerts).toEqual([]);
    expect(j.ctx.out.revoked.map((r) => [r.reason, r.detail])).toEqual([
      ["alert", "alert iam-changes revokes at once"],
    ]);
    expect(j.watch.alerts).toEqual([{ ...owed, revoked: true }]);
    await j.watch.judge();
    expect(j.revokeGrant.calls).toHaveLength(1); // tried once a run
  });

  it("records nothing when telling the PR failed, so the next run raises the alert again", async () => {
    const j = await judged();
    j.github.fail("upsertComment", new Error("502 Bad Gateway"));
    await judgeEvents(j.ctx, [CREATE_USER]);
    expect(j.ctx.out.issues).toEqual([
      { step: "notify", subject: LIVE.requestPath, message: "502 Bad Gateway" },
    ]);
    expect(j.watch.failed).toBe(true);
    expect(j.watch.toRecord()).toBeUndefined();
    expect(j.slack).toEqual([]);
  });
});
