import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import { recordRevocations } from "../../../src/workflows/sweep/record-revocations.ts";
import { EXPIRED, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

describe("recordRevocations (step 4 of the sweep)", () => {
  it("records an expired grant whose role is already gone, without asking AWS by name", async () => {
    const w = stepWorld();
    w.record(EXPIRED, false);
    const { state, run } = await w.start();
    const { plan } = planRun(state, STEP_NOW);
    expect(plan.recordRevocation.map((r) => r.grant.requestPath)).toEqual([EXPIRED.requestPath]);
    const calls = w.aws.count();
    const out = await recordRevocations(run, plan.recordRevocation);
    expect(out.issues).toEqual([]);
    expect(out.revoked).toEqual([
      {
        requestPath: EXPIRED.requestPath,
        roleArn: EXPIRED.roleArn,
        reason: "expired",
        detail: "the role was already gone when the sweep looked; recorded now",
      },
    ]);
    expect(w.revokeGrant.calls[0]?.recordOnly).toBe(true);
    expect(w.aws.count()).toBe(calls);
    expect(w.github.files.has(EXPIRED.requestPath.replace(".yaml", ".revocation.json"))).toBe(true);
  });

  it("revokes and records nothing in a dry run", async () => {
    const w = stepWorld();
    w.record(EXPIRED, false);
    const { state, run } = await w.start(true);
    const out = await recordRevocations(run, planRun(state, STEP_NOW).plan.recordRevocation);
    expect(out).toEqual({ revoked: [], issues: [] });
    expect(w.revokeGrant.calls).toEqual([]);
  });
});
