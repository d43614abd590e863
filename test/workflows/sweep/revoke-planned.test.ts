import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import { revokePlanned } from "../../../src/workflows/sweep/revoke-planned.ts";
import { EXPIRED, PROD, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

const HAND_MADE = {
  roleName: "quick-fix",
  roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/quick-fix`,
  path: "/hallpass/",
  createdAt: "2026-11-26T11:58:00Z",
  tags: {},
};

describe("revokePlanned (step 3 of the sweep)", () => {
  it("revokes an expired grant and a hand-made role, the hand-made one first and alerted", async () => {
    const w = stepWorld();
    w.record(EXPIRED);
    w.aws.store(PROD.id).addRole(HAND_MADE);
    const { state, run } = await w.start();
    const { plan } = planRun(state, STEP_NOW);
    const out = await revokePlanned(run, {
      revoke: plan.revoke,
      revocations: state.revocations,
      slack: w.tellSlack,
    });
    expect(out.issues).toEqual([]);
    expect(out.revoked.map((r) => [r.roleArn, r.reason])).toEqual([
      [HAND_MADE.roleArn, "unrecorded-role"],
      [EXPIRED.roleArn, "expired"],
    ]);
    expect(w.revokeGrant.calls.map((c) => c.roleName)).toEqual(["quick-fix", EXPIRED.roleName]);
    expect(w.aws.store(PROD.id).roles.size).toBe(0);
    expect(w.slack).toHaveLength(1);
    expect(w.slack[0]).toContain("role not explained by git");
    expect(w.slack[0]).toContain("Revoked.");
  });

  it("tells Slack to act now when revoking a hand-made role fails, and reports the failure", async () => {
    const w = stepWorld();
    w.aws.store(PROD.id).addRole(HAND_MADE);
    const { state, run } = await w.start();
    const { plan } = planRun(state, STEP_NOW);
    w.aws.failures.list.push({ method: "deleteRole", error: new Error("Throttling"), times: 9 });
    const out = await revokePlanned(run, {
      revoke: plan.revoke,
      revocations: [],
      slack: w.tellSlack,
    });
    expect(out.revoked).toEqual([]);
    expect(out.issues.map((i) => i.step)).toEqual(["revoke"]);
    expect(out.issues[0]?.message).toContain("Throttling");
    expect(w.slack[0]).toContain("Revocation FAILED: act now.");
  });
});
