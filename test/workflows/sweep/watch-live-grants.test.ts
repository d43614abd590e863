import { describe, expect, it } from "vitest";
import type { AlertsRecord } from "../../../src/core/sweep/evaluate-alerts.ts";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import type { SweepDeps } from "../../../src/workflows/sweep/types.ts";
import { watchLiveGrants } from "../../../src/workflows/sweep/watch-live-grants.ts";
import { grantEvent } from "../../support/sweep-fakes.ts";
import { LIVE, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

const ALERTS_PATH = LIVE.requestPath.replace(".yaml", ".alerts.json");

/** The world with LIVE in git and AWS and one IAM write of its session in CloudTrail. */
async function watchedWorld(dryRun = false, deps: Partial<SweepDeps> = {}) {
  const w = stepWorld();
  w.record(LIVE);
  w.cloudtrail.add(
    LIVE.roleArn,
    grantEvent(LIVE, { id: "e1", time: "2026-11-26T11:30:00Z", action: "iam:CreateUser" }),
  );
  const { state, run } = await w.start(dryRun, deps);
  const { plan } = planRun(state, STEP_NOW);
  const input = {
    plan,
    rules: state.policies.settings.alerts,
    auditDelaySeconds: state.auditDelaySeconds,
    paths: state.paths,
    slack: w.tellSlack,
    options: {},
  };
  return { ...w, run, input };
}

describe("watchLiveGrants (step 6 of the sweep)", () => {
  it("raises a revoking alert, revokes the grant, tells the PR and Slack, and records the alert", async () => {
    const w = await watchedWorld();
    const out = await watchLiveGrants(w.run, w.input);
    expect(out.issues).toEqual([]);
    expect(out.alerts.map((a) => [a.requestPath, a.alert.rule, a.revoked])).toEqual([
      [LIVE.requestPath, "iam-changes", true],
    ]);
    expect(out.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
      [LIVE.requestPath, "alert"],
    ]);
    expect(out.lookups.grantLookups).toBe(2); // eu-west-1 and us-east-1
    expect(out.alertsOf.get(LIVE.requestPath)?.alerts.map((a) => a.rule)).toEqual(["iam-changes"]);
    expect(
      w.github.comments.get(
        `${LIVE.pullRequest.number} <!-- hallpass:alerts ${LIVE.requestPath} -->`,
      ),
    ).toContain("iam-changes");
    expect(w.slack).toHaveLength(1);
    const record = JSON.parse(w.github.files.get(ALERTS_PATH) ?? "{}") as AlertsRecord;
    expect(record.alerts.map((a) => [a.rule, a.revoked])).toEqual([["iam-changes", true]]);
    expect(Object.keys(record.watched ?? {})).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("raises the alert in a dry run and writes, tells and revokes nothing", async () => {
    const w = await watchedWorld(true);
    const out = await watchLiveGrants(w.run, w.input);
    expect(out.alerts.map((a) => [a.alert.rule, a.revoked])).toEqual([["iam-changes", false]]);
    expect(out.revoked).toEqual([]);
    expect(w.revokeGrant.calls).toEqual([]);
    expect(w.github.count("upsertComment") + w.github.count("commitFiles")).toBe(0);
    expect(w.slack).toEqual([]);
  });

  it("defers every lookup once the budget is spent, and says which grants wait", async () => {
    let t = 0;
    const w = await watchedWorld(false, { clock: () => (t += 60_000) });
    const out = await watchLiveGrants(w.run, { ...w.input, options: { watchBudgetMs: 1 } });
    expect(out.lookups.grantLookups).toBe(0);
    expect(out.watchDeferred).toEqual([LIVE.requestPath]);
    expect(out.alerts).toEqual([]);
  });

  it("reports a failed lookup and does not advance what the grant's record says was read", async () => {
    const w = await watchedWorld();
    w.cloudtrail.failNext = new Error("ThrottlingException: Rate exceeded");
    const out = await watchLiveGrants(w.run, w.input);
    expect(out.issues).toEqual([
      { step: "watch", subject: LIVE.requestPath, message: "ThrottlingException: Rate exceeded" },
    ]);
    const record = JSON.parse(w.github.files.get(ALERTS_PATH) ?? "{}") as AlertsRecord;
    expect(record.watched).toBeUndefined(); // a failed lookup leaves the coverage as it was
  });

  it("watches nothing when policies have no alert rules", async () => {
    const w = await watchedWorld();
    const out = await watchLiveGrants(w.run, { ...w.input, rules: [] });
    expect(out.alertsOf.size).toBe(0);
    expect(w.cloudtrail.queries).toEqual([]);
  });
});
