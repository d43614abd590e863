import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import { writeAudits } from "../../../src/workflows/sweep/write-audits.ts";
import { grantEvent } from "../../support/sweep-fakes.ts";
import { grantRecord, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

const ENDED = grantRecord("ended", "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z");

async function auditWorld() {
  const w = stepWorld();
  w.record(ENDED, false);
  w.cloudtrail.add(
    ENDED.roleArn,
    grantEvent(ENDED, { id: "e1", time: "2026-11-26T09:10:00Z", action: "s3:GetObject" }),
    grantEvent(ENDED, { id: "e2", time: "2026-11-26T09:20:00Z", action: "iam:CreateUser" }),
  );
  const { state, run } = await w.start();
  const { plan } = planRun(state, STEP_NOW);
  const input = {
    auditsDue: plan.auditsDue,
    auditDelaySeconds: state.auditDelaySeconds,
    rules: state.policies.settings.alerts,
  };
  return { ...w, run, input };
}

describe("writeAudits (step 7 of the sweep)", () => {
  it("writes the summary of an ended grant, links it from the PR, and lists it", async () => {
    const w = await auditWorld();
    expect(w.input.auditsDue.map((d) => d.grant.requestPath)).toEqual([ENDED.requestPath]);
    const { audits, issues } = await writeAudits(w.run, w.input);
    expect(issues).toEqual([]);
    expect(audits).toEqual([
      {
        requestPath: ENDED.requestPath,
        pullRequest: ENDED.pullRequest.number,
        events: 2,
        risky: 1,
      },
    ]);
    expect(w.github.files.has("access-requests/payments/ended.audit.json")).toBe(true);
    expect(w.github.files.has("access-requests/payments/ended.audit.md")).toBe(true);
    expect(
      w.github.comments.get(
        `${ENDED.pullRequest.number} <!-- hallpass:audit-link ${ENDED.requestPath} -->`,
      ),
    ).toContain("**Audit summary** of this grant");
  });

  it("reports a grant whose lookup failed and writes no partial summary of it", async () => {
    const w = await auditWorld();
    w.cloudtrail.failNext = new Error("AccessDenied: cloudtrail:LookupEvents");
    const { audits, issues } = await writeAudits(w.run, w.input);
    expect(audits).toEqual([]);
    expect(issues).toEqual([
      {
        step: "audit",
        subject: ENDED.requestPath,
        message: "AccessDenied: cloudtrail:LookupEvents",
      },
    ]);
    expect(w.github.files.has("access-requests/payments/ended.audit.json")).toBe(false);
  });

  it("reports a commit that failed as the audit commit's issue", async () => {
    const w = await auditWorld();
    w.github.fail("commitFiles", new Error("409 Conflict"));
    const { audits, issues } = await writeAudits(w.run, w.input);
    expect(audits).toEqual([]);
    expect(issues).toEqual([{ step: "audit", subject: "audit commit", message: "409 Conflict" }]);
  });

  it("skips a grant of an account outside the run's shard", async () => {
    const w = await auditWorld();
    const run = { ...w.run, targets: new Map() };
    expect(await writeAudits(run, w.input)).toEqual({ audits: [], issues: [] });
    expect(w.cloudtrail.queries).toEqual([]);
  });
});
