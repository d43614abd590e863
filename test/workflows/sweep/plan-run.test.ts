import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import { EXPIRED, grantRecord, LIVE, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

describe("planRun (step 2 of the sweep)", () => {
  it("plans from the state read and sums the plan up in one line", async () => {
    const w = stepWorld();
    w.record(LIVE);
    w.record(EXPIRED);
    const { state } = await w.start();
    const { plan, issues, summary } = planRun(state, STEP_NOW);
    expect(issues).toEqual([]);
    expect(plan.revoke.map((r) => [r.requestPath, r.reason])).toEqual([
      [EXPIRED.requestPath, "expired"],
    ]);
    expect(plan.watch.map((l) => l.grant.requestPath)).toEqual([LIVE.requestPath]);
    expect(summary).toBe("plan: 1 to revoke, 0 to record, 1 to watch, 0 audits due, 0 missing");
  });

  it("reports a grant in an account policies/ no longer defines: no shard would revoke it", async () => {
    const w = stepWorld();
    const lost = { ...grantRecord("lost", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z") };
    lost.account = { name: "old", id: "999999999999" };
    w.record(lost, false);
    const { state } = await w.start();
    const { issues } = planRun(state, STEP_NOW);
    expect(issues).toEqual([
      {
        step: "read",
        subject: lost.requestPath,
        message: expect.stringContaining(
          "names account old (999999999999), which policies/ no longer defines",
        ),
      },
    ]);
  });
});
