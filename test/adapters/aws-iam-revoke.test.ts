import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsIamPort } from "../../src/adapters/aws-iam.ts";
import { expectedGrantRole } from "../../src/core/grant/check-revocation-target.ts";
import { planGrant } from "../../src/core/grant/plan-grant.ts";
import { revocationRecordSchema } from "../../src/core/grant/records.ts";
import { revokeGrant } from "../../src/workflows/revoke-grant.ts";
import { FakeAwsWire } from "../support/fake-aws-wire.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { aliceRequest, grantPolicies, MERGE_COMMIT, MERGED_AT } from "../support/grant-fixtures.ts";

/** The revoke routine over the real SDK adapter, against IAM and STS on the wire. */

const account = {
  name: "prod",
  id: "111122223333",
  brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
};
const plan = planGrant(aliceRequest(), grantPolicies(), {
  mergeCommit: MERGE_COMMIT,
  mergedAt: MERGED_AT,
  now: MERGED_AT,
}).plan!;
const roleArn = `arn:aws:iam::111122223333:role/hallpass/${plan.roleName}`;
const request = {
  account,
  roleName: plan.roleName,
  roleArn,
  expected: expectedGrantRole({
    requestPath: "access-requests/alice-db.yaml",
    mergeCommit: MERGE_COMMIT,
  }),
  requestPath: "access-requests/alice-db.yaml",
  reason: "expired" as const,
  detail: "the window ended at 2026-11-26T12:00:00Z",
  now: new Date("2026-11-26T12:00:30Z"),
};

let wire: FakeAwsWire;
let github: FakeGitHub;

function deps(maxAttempts = 1) {
  const aws = createAwsIamPort({
    credentials: { accessKeyId: "AKIAACTION", secretAccessKey: "s" },
    brokerSessionName: "hallpass-action",
    maxAttempts,
  });
  return { github, aws, actor: "hallpass-action" };
}

beforeEach(async () => {
  nock.disableNetConnect();
  wire = new FakeAwsWire();
  wire.install();
  github = new FakeGitHub();
  await deps().aws.grantStore(account).ensureRole(plan);
  wire.calls.length = 0;
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("revokeGrant over IAM", () => {
  it("denies older sessions, then empties and deletes the role, in that order", async () => {
    await revokeGrant(deps(), request);
    expect(wire.calls).toEqual([
      "GetRole",
      "PutRolePolicy",
      "ListRolePolicies",
      "DeleteRolePolicy",
      "ListAttachedRolePolicies",
      "DetachRolePolicy",
      "DeleteRolePolicy",
      "DeleteRole",
    ]);
    expect(wire.roles.size).toBe(0);
    const record = revocationRecordSchema.parse(
      JSON.parse(github.trees.get("main")!.get("access-requests/alice-db.revocation.json")!),
    );
    expect(record).toMatchObject({ reason: "expired", revokedBy: "hallpass-action", roleArn });
  });

  it.each([
    "GetRole",
    "PutRolePolicy",
    "ListRolePolicies",
    "DeleteRolePolicy",
    "ListAttachedRolePolicies",
    "DetachRolePolicy",
    "DeleteRole",
  ])("finishes on a re-run after IAM failed at %s", async (action) => {
    wire.fail(action, "ServiceFailure");
    await expect(revokeGrant(deps(), request)).rejects.toThrow();
    // The record goes in as soon as the deny is in place, before anything is removed.
    const denied = action !== "GetRole" && action !== "PutRolePolicy";
    expect(github.commits).toHaveLength(denied ? 1 : 0);
    await revokeGrant(deps(), request);
    expect(wire.roles.size).toBe(0);
    expect(github.commits).toHaveLength(1);
  });

  it("rides out throttling", async () => {
    wire.fail("DeleteRolePolicy", "Throttling", { times: 2 });
    await revokeGrant(deps(3), request);
    expect(wire.roles.size).toBe(0);
  });

  it("counts NoSuchEntity as done when someone else deleted the role meanwhile", async () => {
    wire.fail("DeleteRole", "NoSuchEntity");
    const result = await revokeGrant(deps(), request);
    expect(result).toMatchObject({ roleWasPresent: true, recorded: true });
  });

  it("records a role that is already gone without changing IAM", async () => {
    wire.roles.clear();
    const result = await revokeGrant(deps(), request);
    expect(result.roleWasPresent).toBe(false);
    expect(wire.calls).toEqual(["GetRole"]);
    expect(github.commits).toHaveLength(1);
  });
});
