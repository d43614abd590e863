import { describe, expect, it } from "vitest";
import { GRANT_TAGS, MANAGED_BY } from "../../../src/ports/aws.ts";
import { checkAccount } from "../../../src/workflows/grant/check-account.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { mergedPull, plannedGrant, REQUEST_PATH } from "./grant-step-fixtures.ts";

const OWNER = { requestPath: REQUEST_PATH, pull: mergedPull() };

async function check(aws: FakeAwsAccounts) {
  const planned = plannedGrant();
  return checkAccount(aws.grantStore(planned.account), planned, OWNER);
}

describe("checkAccount", () => {
  it("lets the grant go on when the name is free and the quota has room", async () => {
    const aws = new FakeAwsAccounts();
    expect(await check(aws)).toBeUndefined();
    expect(aws.calls).toEqual(["grantStore", "getRole", "getRoleQuota"]);
  });

  it("lets this grant's own role (a redelivery after a crash) go on", async () => {
    const aws = new FakeAwsAccounts();
    const planned = plannedGrant();
    await aws.grantStore(planned.account).ensureRole(planned.plan);
    expect(await check(aws)).toBeUndefined();
  });

  it("refuses a role of the planned name made for another merge: never taken over", async () => {
    const aws = new FakeAwsAccounts();
    const planned = plannedGrant();
    await aws.grantStore(planned.account).ensureRole(planned.plan);
    aws.role(planned.plan.roleName)!.tags[GRANT_TAGS.mergeCommit] = "someone-else";
    expect(await check(aws)).toMatchObject({
      stop: "refused",
      title: `a role named ${planned.plan.roleName} already exists`,
    });
    expect(aws.role(planned.plan.roleName)!.tags[GRANT_TAGS.managedBy]).toBe(MANAGED_BY);
  });

  it("refuses when the account is at its role quota", async () => {
    const aws = new FakeAwsAccounts();
    aws.quota = 10;
    aws.otherRoles = 10;
    const stop = await check(aws);
    expect(stop).toMatchObject({
      stop: "refused",
      title: "account prod (111122223333) is at its IAM role quota",
    });
    expect(stop?.stop === "refused" && stop.details[0]).toContain("It holds 10 of 10 roles.");
  });

  it("fails with nothing created when AWS cannot be read", async () => {
    const aws = new FakeAwsAccounts().fail("getRole", new Error("throttled"));
    expect(await check(aws)).toEqual({
      stop: "failed",
      title: "AWS could not be reached",
      reason: "AWS account prod (111122223333) could not be read: throttled",
      details: [
        "AWS account prod (111122223333) could not be read: throttled. Nothing was created. Fix the cause, then redeliver the merge event (or ask an administrator to) to try again.",
      ],
      rolledBack: true,
    });
  });
});
