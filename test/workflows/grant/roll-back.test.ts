import { describe, expect, it } from "vitest";
import { revocationRecordSchema } from "../../../src/core/grant/records.ts";
import { GrantConflictError } from "../../../src/ports/aws.ts";
import { rollBackGrant } from "../../../src/workflows/grant/roll-back.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { plannedGrant, plannedGrantRecord, STEP_NOW } from "./grant-step-fixtures.ts";

const REVOCATION = "access-requests/alice-db.revocation.json";

/** A grant whose record is committed and whose role was made in part before creating failed. */
async function halfMade() {
  const github = new FakeGitHub();
  const aws = new FakeAwsAccounts();
  const planned = plannedGrant();
  await aws.grantStore(planned.account).ensureRole(planned.plan);
  const target = {
    actor: "hallpass-app",
    branch: "main",
    planned,
    record: plannedGrantRecord(),
    now: STEP_NOW,
  };
  return { github, aws, planned, target };
}

function revocation(github: FakeGitHub) {
  const text = github.trees.get("main")?.get(REVOCATION);
  return text === undefined ? undefined : revocationRecordSchema.parse(JSON.parse(text));
}

describe("rollBackGrant", () => {
  it("revokes the half-made role and records the rollback", async () => {
    const { github, aws, planned, target } = await halfMade();
    const stop = await rollBackGrant({ github, aws }, target, new Error("PutRolePolicy throttled"));
    expect(stop).toMatchObject({
      stop: "failed",
      title: "the grant failed",
      reason: `creating ${planned.roleArn} failed: PutRolePolicy throttled`,
      rolledBack: true,
    });
    expect(aws.role(planned.plan.roleName)).toBeUndefined();
    expect(revocation(github)).toMatchObject({
      roleArn: planned.roleArn,
      reason: "grant-failed",
      revokedBy: "hallpass-app",
    });
  });

  it("never touches a role of that name that is not ours: records the rollback only", async () => {
    const { github, aws, planned, target } = await halfMade();
    const stop = await rollBackGrant(
      { github, aws },
      target,
      new GrantConflictError(planned.plan.roleName, "belongs to another grant"),
    );
    expect(stop).toMatchObject({ stop: "failed", rolledBack: true });
    expect(aws.role(planned.plan.roleName)).toBeDefined();
    expect(aws.calls).not.toContain("putInlinePolicy");
    expect(revocation(github)?.reason).toBe("grant-failed");
  });

  it("says the access is left half-made, and how to end it, when the rollback fails before its record", async () => {
    const { github, aws, planned, target } = await halfMade();
    github.fail("commitFiles", new Error("409"), 2);
    const stop = await rollBackGrant({ github, aws }, target, new Error("boom"));
    expect(stop).toMatchObject({
      stop: "failed",
      title: "the grant failed and could not be rolled back",
      heading: "Access left half-made",
      rolledBack: false,
    });
    const details = stop.stop === "failed" ? stop.details.join("\n") : "";
    expect(details).toContain("before the rollback was recorded");
    expect(details).toContain(`deletes it at ${planned.window.end}`);
    expect(details).toContain("`/hallpass revoke`");
  });
});
