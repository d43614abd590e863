import { describe, expect, it } from "vitest";
import {
  expectedGrantRole,
  expectedListedRole,
} from "../../src/core/grant/check-revocation-target.ts";
import { planGrant } from "../../src/core/grant/plan-grant.ts";
import { REVOKE_POLICY_NAME } from "../../src/core/grant/plan-revocation.ts";
import { revocationRecordSchema } from "../../src/core/grant/records.ts";
import type { GrantStore } from "../../src/ports/aws.ts";
import {
  type RevokeRequest,
  RoleMismatchError,
  revokeGrant,
} from "../../src/workflows/revoke-grant.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { aliceRequest, grantPolicies, MERGE_COMMIT, MERGED_AT } from "../support/grant-fixtures.ts";

const account = {
  name: "prod",
  id: "111122223333",
  brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
};
const plan = planGrant(aliceRequest(), grantPolicies(), {
  mergeCommit: MERGE_COMMIT,
  mergedAt: MERGED_AT,
  now: MERGED_AT,
  repository: "acme/access",
}).plan!;
const roleArn = `arn:aws:iam::111122223333:role/hallpass/${plan.roleName}`;
const NOW = new Date("2026-11-26T11:00:00.250Z");

async function setup() {
  const github = new FakeGitHub();
  github.setFiles("main", { "access-requests/alice-db.yaml": "requester: alice\n" });
  const aws = new FakeAwsAccounts();
  await aws.grantStore(account).ensureRole(plan);
  aws.calls.length = 0;
  return { github, aws, deps: { github, aws, actor: "hallpass-app" } };
}

const request: RevokeRequest = {
  account,
  roleName: plan.roleName,
  roleArn,
  expected: expectedGrantRole({
    requestPath: "access-requests/alice-db.yaml",
    mergeCommit: MERGE_COMMIT,
  }),
  requestPath: "access-requests/alice-db.yaml",
  reason: "early-release",
  detail: "@alice released the access with /hallpass revoke",
  now: NOW,
  revokedBy: "alice",
};

describe("revokeGrant", () => {
  it("denies older sessions first, removes every policy, deletes the role, records it", async () => {
    const { github, aws, deps } = await setup();
    const result = await revokeGrant(deps, request);
    expect(aws.calls).toEqual([
      "grantStore",
      "getRole",
      "putInlinePolicy",
      "listInlinePolicies",
      "deleteInlinePolicy",
      "listAttachedPolicies",
      "detachManagedPolicy",
      "deleteInlinePolicy",
      "deleteRole",
    ]);
    expect(aws.role(plan.roleName)).toBeUndefined();
    expect(result).toMatchObject({ roleWasPresent: true, recorded: true });
    const text = github.trees.get("main")!.get("access-requests/alice-db.revocation.json")!;
    expect(revocationRecordSchema.parse(JSON.parse(text))).toEqual({
      version: 1,
      requestPath: "access-requests/alice-db.yaml",
      roleArn,
      revokedAt: "2026-11-26T11:00:01Z",
      reason: "early-release",
      revokedBy: "alice",
      detail: "@alice released the access with /hallpass revoke",
    });
    expect(github.commits).toHaveLength(1);
    expect(github.commits[0]!.message).toMatch(/^hallpass: revoke access-requests\/alice-db.yaml/);
  });

  it("puts the deny on sessions issued before now before it removes anything", async () => {
    const { aws, deps } = await setup();
    aws.fail("listInlinePolicies");
    await expect(revokeGrant(deps, request)).rejects.toThrow();
    const deny = JSON.parse(aws.role(plan.roleName)!.inline.get("hallpass-revoke-older-sessions")!);
    expect(deny.Statement[0].Condition).toEqual({
      DateLessThan: { "aws:TokenIssueTime": "2026-11-26T11:00:01Z" },
    });
    expect(aws.role(plan.roleName)!.inline.has("hallpass-permissions")).toBe(true);
  });

  it.each<keyof GrantStore>([
    "getRole",
    "putInlinePolicy",
    "listInlinePolicies",
    "deleteInlinePolicy",
    "listAttachedPolicies",
    "detachManagedPolicy",
    "deleteRole",
  ])("finishes on a re-run after %s failed", async (step) => {
    const { github, aws, deps } = await setup();
    aws.fail(step);
    await expect(revokeGrant(deps, request)).rejects.toThrow(`${step} failed`);
    // The record goes in as soon as the deny is in place, before anything is removed.
    const denied = step !== "getRole" && step !== "putInlinePolicy";
    expect(github.commits).toHaveLength(denied ? 1 : 0);
    await revokeGrant(deps, request);
    expect(aws.role(plan.roleName)).toBeUndefined();
    expect(github.commits).toHaveLength(1);
  });

  it.each(["getDefaultBranch", "getFile", "commitFiles"] as const)(
    "removes the role even when GitHub's %s fails, and records it on a second try",
    async (method) => {
      const { github, aws, deps } = await setup();
      github.fail(method);
      const result = await revokeGrant(deps, request);
      expect(result).toMatchObject({ roleWasPresent: true, recorded: true });
      expect(aws.role(plan.roleName)).toBeUndefined();
      expect(github.commits).toHaveLength(1);
    },
  );

  it("takes the access away even when git stays down, and keeps the denied role until it is recorded", async () => {
    const { github, aws, deps } = await setup();
    github.fail("commitFiles", new Error("GitHub is down"), 2);
    await expect(revokeGrant(deps, request)).rejects.toThrow(
      /every session of it is denied, but its revocation record could not be committed \(GitHub is down/,
    );
    // Deleted without a record, the role could be created again by a redelivered merge event
    // (its grant record says it should exist); kept with the deny, nothing can use it.
    const role = aws.role(plan.roleName)!;
    expect(JSON.parse(role.inline.get(REVOKE_POLICY_NAME)!).Statement).toHaveLength(2);
    await aws.grantStore(account).ensureRole(plan);
    expect(aws.role(plan.roleName)?.inline.has(REVOKE_POLICY_NAME)).toBe(true);
    const again = await revokeGrant(deps, request);
    expect(again).toMatchObject({ roleWasPresent: true, recorded: true });
    expect(aws.role(plan.roleName)).toBeUndefined();
    expect(github.commits).toHaveLength(1);
  });

  it("counts a role another revoker deleted meanwhile as done, whatever IAM answered", async () => {
    const { github, aws, deps } = await setup();
    const racing = {
      grantStore(account: typeof request.account) {
        const store = aws.grantStore(account);
        return {
          ...store,
          deleteInlinePolicy: async () => {
            aws.roles.clear();
            throw new Error("AccessDenied: not authorized to perform iam:DeleteRolePolicy");
          },
        } as GrantStore;
      },
    };
    const result = await revokeGrant({ ...deps, aws: racing }, request);
    expect(result).toMatchObject({ roleWasPresent: true, recorded: true });
    expect(github.commits).toHaveLength(1);
  });

  it("still fails when the role is there after a step failed", async () => {
    const { aws, deps } = await setup();
    aws.fail("detachManagedPolicy", new Error("AccessDenied: explicit deny"));
    await expect(revokeGrant(deps, request)).rejects.toThrow("AccessDenied: explicit deny");
    expect(aws.role(plan.roleName)).toBeDefined();
  });

  it("puts the deny back when DeleteRole fails after the deny was removed", async () => {
    // IAM deletes only a role without policies, so the deny goes just before DeleteRole; a role
    // left there, recorded as revoked, must still deny every session (found by the fault table).
    const { github, aws, deps } = await setup();
    aws.fail("deleteRole", Object.assign(new Error("Rate exceeded"), { status: 429 }));
    await expect(revokeGrant(deps, request)).rejects.toThrow("Rate exceeded");
    expect([...aws.role(plan.roleName)!.inline.keys()]).toEqual([REVOKE_POLICY_NAME]);
    expect(github.commits).toHaveLength(1);
    await revokeGrant(deps, request);
    expect(aws.role(plan.roleName)).toBeUndefined();
  });

  it("changes nothing when run again after it finished", async () => {
    const { github, aws, deps } = await setup();
    const first = await revokeGrant(deps, request);
    aws.calls.length = 0;
    const again = await revokeGrant(deps, { ...request, now: new Date("2026-11-26T11:05:00Z") });
    expect(aws.calls).toEqual(["grantStore", "getRole"]);
    expect(again).toEqual({ roleWasPresent: false, record: first.record, recorded: false });
    expect(github.commits).toHaveLength(1);
  });

  it("records a role that was already deleted by hand, and names the default actor", async () => {
    const { github, aws, deps } = await setup();
    aws.roles.clear();
    const { revokedBy: _, ...withoutActor } = request;
    const result = await revokeGrant(deps, { ...withoutActor, reason: "expired", detail: "" });
    expect(result.roleWasPresent).toBe(false);
    expect(result.record).toMatchObject({ reason: "expired", revokedBy: "hallpass-app" });
    expect(result.record.detail).toBeUndefined();
    expect(github.commits).toHaveLength(1);
  });

  describe("a role found by name that is not the one expected", () => {
    async function expectUntouched(expected: RevokeRequest["expected"], message: string) {
      const { github, aws, deps } = await setup();
      await expect(revokeGrant(deps, { ...request, expected })).rejects.toThrow(RoleMismatchError);
      await expect(revokeGrant(deps, { ...request, expected })).rejects.toThrow(message);
      expect(aws.calls.filter((c) => c !== "grantStore" && c !== "getRole")).toEqual([]);
      expect(aws.role(plan.roleName)!.inline.has(REVOKE_POLICY_NAME)).toBe(false);
      expect(github.commits).toHaveLength(0);
    }

    it("another request's role: nothing denied, deleted or recorded", async () => {
      await expectUntouched(
        expectedGrantRole({
          requestPath: "access-requests/bob-db.yaml",
          mergeCommit: MERGE_COMMIT,
        }),
        "its hallpass:request tag is access-requests/alice-db.yaml, expected access-requests/bob-db.yaml",
      );
    });

    it("another repository's role: nothing denied, deleted or recorded", async () => {
      await expectUntouched(
        expectedGrantRole({
          requestPath: "access-requests/alice-db.yaml",
          mergeCommit: MERGE_COMMIT,
          repository: "acme/other-access",
        }),
        "its hallpass:repository tag is acme/access, expected acme/other-access",
      );
    });

    it("a role made again under the name since the sweep listed it: nothing denied or deleted", async () => {
      const { aws } = await setup();
      const listed = { ...aws.role(plan.roleName)!, createdAt: "2026-11-26T09:00:00Z" };
      await expectUntouched(expectedListedRole(listed), "made again since");
    });

    it("a record whose ARN is not the role its name finds: nothing denied or deleted", async () => {
      const { github, aws, deps } = await setup();
      const otherArn = roleArn.replace("/hallpass/", "/hallpass/elsewhere/");
      await expect(revokeGrant(deps, { ...request, roleArn: otherArn })).rejects.toThrow(
        `its ARN is ${roleArn}`,
      );
      expect(aws.role(plan.roleName)!.inline.has(REVOKE_POLICY_NAME)).toBe(false);
      expect(github.commits).toHaveLength(0);
    });
  });
});
