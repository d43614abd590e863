import { describe, expect, it } from "vitest";
import { DEFAULT_IAM_LIMITS } from "../../../src/core/grant/plan-grant.ts";
import { planGrantRole } from "../../../src/workflows/grant/plan-grant-role.ts";
import { aliceRequest, grantPolicies } from "../../support/grant-fixtures.ts";
import {
  mergedPull,
  plannedGrant,
  plannedGrantRecord,
  REQUEST_PATH,
  STEP_NOW,
} from "./grant-step-fixtures.ts";

const GRANT = "access-requests/alice-db.grant.json";

function plan(overrides: Partial<Parameters<typeof planGrantRole>[0]> = {}) {
  return planGrantRole({
    request: aliceRequest(),
    policies: grantPolicies(),
    pull: mergedPull(),
    repository: "acme/access",
    requestPath: REQUEST_PATH,
    existing: undefined,
    now: STEP_NOW,
    limits: undefined,
    ...overrides,
  });
}

describe("planGrantRole", () => {
  it("plans the role in the request's account under its ARN, for a window from the merge", () => {
    const planned = plannedGrant();
    expect(planned.account).toEqual({
      name: "prod",
      id: "111122223333",
      brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
    });
    expect(planned.roleArn).toBe(
      `arn:aws:iam::111122223333:role${planned.plan.rolePath}${planned.plan.roleName}`,
    );
    expect(planned.window).toEqual({ start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" });
  });

  it("takes the partition of the ARN from the broker role", () => {
    const request = aliceRequest();
    const account = { ...request.account, brokerRole: "arn:aws-cn:iam::111122223333:role/broker" };
    const planned = plan({ request: { ...request, account } });
    expect("roleArn" in planned && planned.roleArn).toMatch(/^arn:aws-cn:iam::111122223333:role\//);
  });

  it("refuses, with the planner's problems, when the window ended before now", () => {
    const answer = plan({ now: new Date("2026-11-26T12:00:01Z") });
    expect(answer).toMatchObject({ stop: "refused", title: "the grant cannot be made" });
  });

  it("refuses when a document would exceed IAM's limits", () => {
    const answer = plan({ limits: { ...DEFAULT_IAM_LIMITS, inlinePolicyChars: 10 } });
    expect(answer).toMatchObject({ stop: "refused", title: "the grant cannot be made" });
  });

  it("goes on with the record of an earlier run that matches the plan", () => {
    expect(plan({ existing: plannedGrantRecord() })).toEqual(plannedGrant());
  });

  it("refuses when the earlier run recorded another role name", () => {
    const existing = { ...plannedGrantRecord(), roleName: "hallpass-other" };
    expect(plan({ existing })).toMatchObject({
      stop: "refused",
      title: `${GRANT} names another role`,
    });
  });

  it("refuses when policies/ now gives other role documents than the record's", () => {
    const record = plannedGrantRecord();
    const existing = {
      ...record,
      planDigest: { ...record.planDigest!, trustPolicy: "0".repeat(64) },
    };
    expect(plan({ existing })).toMatchObject({
      stop: "refused",
      title: `${GRANT} records other role documents than policies/ gives now`,
    });
  });
});
