import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsIamPort } from "../../src/adapters/aws-iam.ts";
import { describeDocumentDrift, digestGrantPlan } from "../../src/core/grant/digest-grant-plan.ts";
import { type GrantPlan, planGrant } from "../../src/core/grant/plan-grant.ts";
import { planRevocation } from "../../src/core/grant/plan-revocation.ts";
import { GrantConflictError } from "../../src/ports/aws.ts";
import { FakeAwsWire, type FakeRole } from "../support/fake-aws-wire.ts";
import { aliceRequest, grantPolicies, MERGE_COMMIT, MERGED_AT } from "../support/grant-fixtures.ts";

const account = {
  name: "prod",
  id: "111122223333",
  brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
};

function alicePlan(mergeCommit = MERGE_COMMIT): GrantPlan {
  const result = planGrant(aliceRequest(), grantPolicies(), {
    mergeCommit,
    mergedAt: MERGED_AT,
    now: MERGED_AT,
    pullRequest: 7,
  });
  return result.plan!;
}

function store(maxAttempts = 1) {
  return createAwsIamPort({
    credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
    brokerSessionName: "hallpass-app",
    maxAttempts,
  }).grantStore(account);
}

let wire: FakeAwsWire;

beforeEach(() => {
  nock.disableNetConnect();
  wire = new FakeAwsWire();
  wire.install();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("credentials", () => {
  it("assumes the account's broker role once and signs IAM calls with its session", async () => {
    const port = createAwsIamPort({
      credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
      brokerSessionName: "hallpass-app",
    });
    await port.grantStore(account).getRoleQuota();
    await port.grantStore(account).getRole("nothing");
    expect(wire.assumed).toEqual([account.brokerRole]);
    expect([...wire.iamSigners]).toEqual(["ASIABROKER1"]);
  });

  it("says which broker role could not be assumed and what to check", async () => {
    wire.fail("sts:AssumeRole", "AccessDenied", { status: 403 });
    await expect(store().getRoleQuota()).rejects.toThrow(
      /cannot assume the broker role arn:aws:iam::111122223333:role\/hallpass-broker of account prod.*account-setup\.yaml/,
    );
  });

  it("honours the SDK's standard endpoint setting for IAM", async () => {
    const custom = nock("https://iam.internal.example")
      .post("/")
      .reply(
        200,
        `<GetAccountSummaryResponse><GetAccountSummaryResult><SummaryMap><entry><key>Roles</key><value>3</value></entry><entry><key>RolesQuota</key><value>1000</value></entry></SummaryMap></GetAccountSummaryResult></GetAccountSummaryResponse>`,
      );
    process.env.AWS_ENDPOINT_URL_IAM = "https://iam.internal.example";
    try {
      expect(await store().getRoleQuota()).toEqual({ roles: 3, quota: 1000 });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_IAM;
    }
    expect(custom.isDone()).toBe(true);
  });
});

describe("ensureRole", () => {
  it("creates the planned role, then its inline policy, then its managed policies", async () => {
    const plan = alicePlan();
    const result = await store().ensureRole(plan);
    expect(result).toEqual({
      roleArn: `arn:aws:iam::111122223333:role/hallpass/${plan.roleName}`,
      created: true,
    });
    expect(wire.calls).toEqual(["CreateRole", "PutRolePolicy", "AttachRolePolicy"]);
    const role = wire.roles.get(plan.roleName.toLowerCase())!;
    expect(role.path).toBe("/hallpass/");
    expect(JSON.parse(role.trust)).toEqual(JSON.parse(plan.trustPolicy));
    expect(role.boundary).toBe(plan.permissionsBoundary);
    expect(role.maxSessionDuration).toBe(7200);
    expect(role.tags).toEqual(plan.tags);
    expect(Object.fromEntries(role.inline)).toEqual(plan.inlinePolicies);
    expect([...role.managed]).toEqual(plan.managedPolicyArns);
  });

  it("converges without a second role when run again (redelivered event, crash, race)", async () => {
    const plan = alicePlan();
    await store().ensureRole(plan);
    const again = await store().ensureRole(plan);
    expect(again.created).toBe(false);
    expect(wire.roles.size).toBe(1);
    expect(wire.calls.slice(3)).toEqual([
      "CreateRole",
      "GetRole",
      "ListRolePolicies",
      "ListAttachedRolePolicies",
      "PutRolePolicy",
      "AttachRolePolicy",
    ]);
    expect(again.corrected).toEqual([]);
  });

  it("removes policies added by hand to the same grant's role, re-puts edited ones, and says so", async () => {
    const plan = alicePlan();
    await store().ensureRole(plan);
    const role = wire.roles.get(plan.roleName.toLowerCase())!;
    role.inline.set(
      "hallpass-permissions",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
    role.inline.set(
      "by-hand",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
    role.managed.add("arn:aws:iam::aws:policy/AdministratorAccess");
    const again = await store().ensureRole(plan);
    expect(Object.fromEntries(role.inline)).toEqual(plan.inlinePolicies);
    expect([...role.managed]).toEqual(plan.managedPolicyArns);
    expect(again.corrected).toEqual([
      "inline policy by-hand removed",
      "managed policy arn:aws:iam::aws:policy/AdministratorAccess detached",
    ]);
  });

  it("keeps hallpass's own revocation deny on the role, and removes a policy that only borrows its name", async () => {
    const plan = alicePlan();
    await store().ensureRole(plan);
    const role = wire.roles.get(plan.roleName.toLowerCase())!;
    const deny = planRevocation(new Date("2026-11-26T10:30:00Z"));
    role.inline.set(deny.policyName, deny.document);
    expect((await store().ensureRole(plan)).corrected).toEqual([]);
    expect(role.inline.get(deny.policyName)).toBe(deny.document);

    role.inline.set(
      deny.policyName,
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
    expect((await store().ensureRole(plan)).corrected).toEqual([
      "inline policy hallpass-revoke-older-sessions removed",
    ]);
    expect(Object.fromEntries(role.inline)).toEqual(plan.inlinePolicies);
  });

  it("keeps an inline policy added by hand that only denies, such as the console's revoke of active sessions", async () => {
    // Removing a deny gives access back: an administrator's containment (IAM console "Revoke
    // active sessions" writes AWSRevokeOlderSessions) must survive a redelivered merge event.
    const plan = alicePlan();
    await store().ensureRole(plan);
    const role = wire.roles.get(plan.roleName.toLowerCase())!;
    const containment =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-26T10:40:00Z"}}}]}';
    role.inline.set("AWSRevokeOlderSessions", containment);
    const again = await store().ensureRole(plan);
    expect(role.inline.get("AWSRevokeOlderSessions")).toBe(containment);
    expect(again.corrected).toEqual([
      "inline policy AWSRevokeOlderSessions kept: added by hand, it only denies",
    ]);
  });

  it("brings a drifted role of the same grant back to the plan", async () => {
    const plan = alicePlan();
    await store().ensureRole(plan);
    const role = wire.roles.get(plan.roleName.toLowerCase())!;
    role.trust = '{"Version":"2012-10-17","Statement":[]}';
    role.maxSessionDuration = 43200;
    delete role.tags["hallpass:expires-at"];
    const again = await store().ensureRole(plan);
    expect(again.corrected).toEqual([
      "trust policy re-put",
      "maximum session duration set back to 7200s",
    ]);
    expect(JSON.parse(role.trust)).toEqual(JSON.parse(plan.trustPolicy));
    expect(role.maxSessionDuration).toBe(plan.maxSessionDuration);
    expect(role.tags).toEqual(plan.tags);
    expect(wire.calls).toContain("UpdateAssumeRolePolicy");
    expect(wire.calls).toContain("TagRole");
  });

  it.each([
    ["GetRole"],
    ["ListRolePolicies"],
    ["DeleteRolePolicy"],
    ["ListAttachedRolePolicies"],
    ["DetachRolePolicy"],
    ["UpdateAssumeRolePolicy"],
    ["UpdateRole"],
    ["TagRole"],
  ])(
    "fails loudly when %s fails while repairing a drifted role, and a re-run repairs it",
    async (step) => {
      const plan = alicePlan();
      await store().ensureRole(plan);
      const role = wire.roles.get(plan.roleName.toLowerCase())!;
      role.trust = '{"Version":"2012-10-17","Statement":[]}';
      role.maxSessionDuration = 43200;
      delete role.tags["hallpass:expires-at"];
      role.inline.set("by-hand", "{}");
      role.managed.add("arn:aws:iam::aws:policy/AdministratorAccess");
      wire.fail(step, "ServiceFailure");
      await expect(store().ensureRole(plan)).rejects.toThrow();
      await store().ensureRole(plan);
      expect(JSON.parse(role.trust)).toEqual(JSON.parse(plan.trustPolicy));
      expect(role.maxSessionDuration).toBe(plan.maxSessionDuration);
      expect(role.tags).toEqual(plan.tags);
      expect(Object.fromEntries(role.inline)).toEqual(plan.inlinePolicies);
      expect([...role.managed]).toEqual(plan.managedPolicyArns);
    },
  );

  it("never takes over a role of that name made for something else", async () => {
    const plan = alicePlan();
    await store().ensureRole({ ...plan, tags: { ...plan.tags, "hallpass:merge-commit": "other" } });
    const before = wire.calls.length;
    await expect(store().ensureRole(plan)).rejects.toBeInstanceOf(GrantConflictError);
    expect(wire.calls.slice(before)).toEqual(["CreateRole", "GetRole"]);
  });

  it("refuses an existing role without the boundary (the broker may not add one)", async () => {
    const plan = alicePlan();
    await store().ensureRole(plan);
    wire.roles.get(plan.roleName.toLowerCase())!.boundary = undefined;
    await expect(store().ensureRole(plan)).rejects.toThrow(/without the permissions boundary/);
  });

  it("retries when IAM throttles", async () => {
    wire.fail("CreateRole", "Throttling", { times: 2 });
    const result = await store(3).ensureRole(alicePlan());
    expect(result.created).toBe(true);
    expect(wire.calls.filter((c) => c === "CreateRole")).toHaveLength(3);
  });

  it("explains the role quota when IAM answers LimitExceeded", async () => {
    wire.rolesQuota = 10;
    await expect(store().ensureRole(alicePlan())).rejects.toThrow(
      /account prod \(111122223333\) has reached an IAM limit.*Roles per account/,
    );
    expect(wire.roles.size).toBe(0);
  });

  it.each([["CreateRole"], ["PutRolePolicy"], ["AttachRolePolicy"]])(
    "fails loudly when %s fails, and a re-run completes the role",
    async (step) => {
      wire.fail(step, "ServiceFailure");
      const plan = alicePlan();
      await expect(store().ensureRole(plan)).rejects.toThrow(/ServiceFailure|injected/);
      await store().ensureRole(plan);
      const role = wire.roles.get(plan.roleName.toLowerCase())!;
      expect(Object.fromEntries(role.inline)).toEqual(plan.inlinePolicies);
      expect([...role.managed]).toEqual(plan.managedPolicyArns);
    },
  );
});

describe("reading grant roles", () => {
  it("lists every role under /hallpass/ with its tags, across pages", async () => {
    const plans = ["a", "b", "c"].map((c) => alicePlan(c.repeat(40)));
    for (const plan of plans) await store().ensureRole(plan);
    const roles = await store().listGrantRoles();
    expect(roles.map((r) => r.roleName).sort()).toEqual(plans.map((p) => p.roleName).sort());
    expect(roles[0]!.tags["hallpass:request"]).toBe("access-requests/alice-db.yaml");
    expect(wire.calls.filter((c) => c === "ListRoles")).toHaveLength(2);
  });

  it("reads what each role holds in a few pages, documents decoded, without a call per role", async () => {
    const plans = ["a", "b", "c"].map((c) => alicePlan(c.repeat(40)));
    for (const plan of plans) await store().ensureRole(plan);
    // Not a grant role: GetAccountAuthorizationDetails lists it, the sweep must not.
    wire.roles.set("ops", {
      ...wire.roles.get(plans[0]!.roleName.toLowerCase())!,
      name: "ops",
      path: "/",
      arn: "arn:aws:iam::111122223333:role/ops",
    });
    const before = wire.calls.length;
    const roles = await store().listGrantRoles();
    expect(roles.map((r) => r.roleName)).toEqual(plans.map((p) => p.roleName).sort());
    expect(wire.calls.slice(before)).toEqual([
      "ListRoles",
      "ListRoles",
      "GetAccountAuthorizationDetails",
      "GetAccountAuthorizationDetails",
    ]);
    const plan = plans.find((p) => p.roleName === roles[0]!.roleName)!;
    expect(roles[0]!.documents).toEqual({
      trustPolicy: plan.trustPolicy,
      inlinePolicies: plan.inlinePolicies,
      managedPolicyArns: plan.managedPolicyArns,
      permissionsBoundary: plan.permissionsBoundary,
      maxSessionDuration: plan.maxSessionDuration,
    });
    expect(roles[0]!.tags).toEqual(plan.tags);
  });

  it.each<[string, (role: FakeRole) => void, string[]]>([
    [
      "untouched, stored with other whitespace (IAM returns documents as submitted, URL-encoded)",
      (role) => {
        role.trust = JSON.stringify(JSON.parse(role.trust), null, 2);
        for (const [name, doc] of role.inline) {
          role.inline.set(name, JSON.stringify(JSON.parse(doc), null, "\t"));
        }
      },
      [],
    ],
    [
      "with a statement added to its inline policy",
      (role) => {
        const doc = JSON.parse(role.inline.get("hallpass-permissions")!);
        doc.Statement.push({ Effect: "Allow", Action: "iam:*", Resource: "*" });
        role.inline.set("hallpass-permissions", JSON.stringify(doc));
      },
      ["inline policy hallpass-permissions edited"],
    ],
    [
      "with its boundary removed and a managed policy attached",
      (role) => {
        role.boundary = undefined;
        role.managed.add("arn:aws:iam::aws:policy/AdministratorAccess");
      },
      [
        "managed policy arn:aws:iam::aws:policy/AdministratorAccess attached",
        "permissions boundary removed",
      ],
    ],
  ])(
    "reads a role %s so that it matches its recorded digest or names what differs",
    async (_n, edit, drift) => {
      const plan = alicePlan();
      await store().ensureRole(plan);
      edit(wire.roles.get(plan.roleName.toLowerCase())!);
      const [role] = await store().listGrantRoles();
      expect(describeDocumentDrift(role!.documents!, digestGrantPlan(plan))).toEqual(drift);
    },
  );

  it("says to update the account's stack when the broker may not read what roles hold", async () => {
    await store().ensureRole(alicePlan());
    wire.fail("GetAccountAuthorizationDetails", "AccessDenied", { status: 403 });
    await expect(store().listGrantRoles()).rejects.toThrow(
      /account prod \(111122223333\) may not call iam:GetAccountAuthorizationDetails.*deploy\/account-setup\.yaml/,
    );
  });

  it("returns undefined for a role that does not exist", async () => {
    expect(await store().getRole("hallpass-nobody")).toBeUndefined();
  });

  it("reads the role count and quota", async () => {
    await store().ensureRole(alicePlan());
    expect(await store().getRoleQuota()).toEqual({ roles: 11, quota: 1000 });
  });
});

describe("removal steps", () => {
  it("treat NoSuchEntity as done, so every step can be re-run", async () => {
    const s = store();
    expect(await s.putInlinePolicy("gone", "p", "{}")).toBe("absent");
    expect(await s.listInlinePolicies("gone")).toBeUndefined();
    expect(await s.deleteInlinePolicy("gone", "p")).toBe("absent");
    expect(await s.listAttachedPolicies("gone")).toBeUndefined();
    expect(await s.detachManagedPolicy("gone", "arn:aws:iam::aws:policy/X")).toBe("absent");
    expect(await s.deleteRole("gone")).toBe("absent");
  });

  it("remove what is there and report it", async () => {
    const plan = alicePlan();
    const s = store();
    await s.ensureRole(plan);
    expect(await s.listInlinePolicies(plan.roleName)).toEqual(["hallpass-permissions"]);
    expect(await s.deleteInlinePolicy(plan.roleName, "hallpass-permissions")).toBe("removed");
    expect(await s.listAttachedPolicies(plan.roleName)).toEqual(plan.managedPolicyArns);
    expect(await s.detachManagedPolicy(plan.roleName, plan.managedPolicyArns[0]!)).toBe("removed");
    expect(await s.deleteRole(plan.roleName)).toBe("removed");
    expect(wire.roles.size).toBe(0);
  });

  it("surface IAM's DeleteConflict instead of hiding it", async () => {
    const plan = alicePlan();
    const s = store();
    await s.ensureRole(plan);
    await expect(s.deleteRole(plan.roleName)).rejects.toThrow(/must delete policies first/);
  });
});
