import { describe, expect, it } from "vitest";
import type { SweepPlan } from "../../../src/core/sweep/plan-sweep.ts";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import type { SweepReport } from "../../../src/workflows/sweep/types.ts";
import { dashboardData, updateDashboard } from "../../../src/workflows/sweep/update-dashboard.ts";
import { EXPIRED, LIVE, openPull, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

function reportOf(plan: SweepPlan, overrides: Partial<SweepReport> = {}): SweepReport {
  return {
    dryRun: false,
    now: STEP_NOW.toISOString(),
    branch: "main",
    accounts: ["staging", "production"],
    plan,
    revoked: [],
    alerts: [],
    audits: [],
    watchDeferred: [],
    watchedEnded: [],
    watchLookups: { streams: 0, streamPages: 0, grantLookups: 0 },
    dashboard: undefined,
    issues: [],
    ...overrides,
  };
}

async function planned() {
  const w = stepWorld();
  w.record(LIVE);
  w.record(EXPIRED);
  const { state, run } = await w.start();
  return { ...w, run, plan: planRun(state, STEP_NOW).plan };
}

describe("updateDashboard (step 8 of the sweep)", () => {
  it("rewrites the dashboard issue with the live grants and the pull requests waiting", async () => {
    const w = await planned();
    w.github.openPulls = [openPull(90, { title: "Access: bob", headSha: "d".repeat(40) })];
    const report = reportOf(w.plan);
    const options = { now: STEP_NOW };
    const { dashboard, issues } = await updateDashboard(w.run, {
      report,
      options,
      alertsOf: new Map(),
    });
    expect(issues).toEqual([]);
    expect(dashboard?.url).toMatch(/\/issues\/\d+$/);
    const body = [...w.github.issues.values()][0]?.body ?? "";
    expect(body).toContain(LIVE.requestPath);
    expect(body).toContain("#90");
  });

  it("leaves out of the live grants one the run revoked, and lists its revocation", async () => {
    const { plan } = await planned();
    const options = { now: STEP_NOW };
    expect(dashboardData(reportOf(plan), options, [], new Map()).live).toHaveLength(1);
    const revoked = [
      { requestPath: LIVE.requestPath, roleArn: LIVE.roleArn, reason: "alert", detail: "x" },
    ];
    const data = dashboardData(reportOf(plan, { revoked }), options, [], new Map());
    expect(data.live).toEqual([]);
    expect(data.revocations).toEqual([
      { requestPath: LIVE.requestPath, reason: "alert", detail: "x" },
    ]);
  });

  it("puts every issue of the run among what needs a person, and names the shard", async () => {
    const { plan } = await planned();
    const issues = [{ step: "watch" as const, subject: "a.yaml", message: "Throttled" }];
    const options = { now: STEP_NOW, accounts: ["production"], runUrl: "https://run/1" };
    const data = dashboardData(reportOf(plan, { issues }), options, [], new Map());
    expect(data.shard).toEqual(["production"]);
    expect(data.runUrl).toBe("https://run/1");
    expect(data.attention).toContainEqual({ title: "watch: a.yaml", detail: "Throttled" });
  });

  it("reports a dashboard it could not write", async () => {
    const w = await planned();
    w.github.fail("upsertIssue", new Error("403 Forbidden"));
    const out = await updateDashboard(w.run, {
      report: reportOf(w.plan),
      options: { now: STEP_NOW },
      alertsOf: new Map(),
    });
    expect(out).toEqual({
      dashboard: undefined,
      issues: [{ step: "dashboard", subject: "dashboard issue", message: "403 Forbidden" }],
    });
  });
});
