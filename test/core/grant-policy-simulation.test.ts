import { readFileSync } from "node:fs";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type GrantPlan, PERMISSIONS_POLICY_NAME, planGrant } from "../../src/core/plan-grant.ts";
import { planRevocation } from "../../src/core/plan-revocation.ts";
import { aliceRequest, grantPolicies, MERGE_COMMIT } from "../support/grant-fixtures.ts";

/**
 * Proofs with an independent IAM policy simulator (@cloud-copilot/iam-simulate) that the
 * documents the planner generates, with the boundary and broker policy of
 * deploy/account-setup.yaml, allow what a grant should allow and nothing else.
 */

const ACCOUNT = "111122223333";
const ALICE = "arn:aws:iam::999988887777:user/alice";
const BOB = "arn:aws:iam::999988887777:user/bob";
const START = "2026-11-26T10:00:00Z";
const BEFORE_START = "2026-11-26T09:59:59Z";
const DURING = "2026-11-26T11:30:00Z";
const EXPIRY = "2026-11-26T12:00:00Z";
const AFTER = "2026-11-26T12:00:01Z";

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** deploy/account-setup.yaml with Fn::Sub and Ref resolved for the test account. */
function template(): { boundary: unknown; broker: unknown } {
  const raw = readFileSync(new URL("../../deploy/account-setup.yaml", import.meta.url), "utf8");
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === "object") {
      const entries = Object.entries(node);
      if (entries.length === 1 && entries[0]![0] === "Fn::Sub") {
        return String(entries[0]![1])
          .replaceAll(`$\{AWS::Partition}`, "aws")
          .replaceAll(`$\{AWS::AccountId}`, ACCOUNT);
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
    }
    return node;
  };
  const resources = resolve(parse(raw).Resources) as Record<
    string,
    { Properties: { PolicyDocument: unknown; Policies: { PolicyDocument: unknown }[] } }
  >;
  return {
    boundary: resources.HallpassBoundary!.Properties.PolicyDocument,
    broker: resources.HallpassBroker!.Properties.Policies[0]!.PolicyDocument,
  };
}

/** A stand-in for a managed policy the role attaches. */
const managedPolicy = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["ec2:Describe*", "rds:Describe*"], Resource: "*" }],
};
/** Alice's own identity policy in her account, which cross-account AssumeRole also needs. */
const aliceOwnPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: "*" },
  ],
};

async function simulate(input: {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string>;
  identityPolicies?: unknown[];
  boundary?: unknown;
  resourcePolicy?: unknown;
}): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: input.principal,
        action: input.action,
        resource: { resource: input.resource, accountId: ACCOUNT },
        contextVariables: input.context,
      },
      identityPolicies: (input.identityPolicies ?? []).map((policy, i) => ({
        name: `p${i}`,
        policy,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(input.resourcePolicy ? { resourcePolicy: input.resourcePolicy } : {}),
      ...(input.boundary
        ? { permissionBoundaryPolicies: [{ name: "b", policy: input.boundary }] }
        : {}),
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult as Decision;
}

let plan: GrantPlan;
let boundary: unknown;
let broker: unknown;
let roleArn: string;
let sessionArn: string;

beforeAll(() => {
  const result = planGrant(aliceRequest(), grantPolicies(), {
    mergeCommit: MERGE_COMMIT,
    mergedAt: new Date(START),
    now: new Date(START),
  });
  plan = result.plan!;
  ({ boundary, broker } = template());
  roleArn = `arn:aws:iam::${ACCOUNT}:role/hallpass/${plan.roleName}`;
  sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/${plan.roleName}/${plan.sessionName}`;
});

function assume(principal: string, context: Record<string, string>, action = "sts:AssumeRole") {
  return simulate({
    principal,
    action,
    resource: roleArn,
    context,
    identityPolicies: [aliceOwnPolicy],
    resourcePolicy: JSON.parse(plan.trustPolicy),
  });
}

function act(
  action: string,
  resource: string,
  context: Record<string, string>,
  extra: unknown[] = [],
) {
  return simulate({
    principal: sessionArn,
    action,
    resource,
    context: {
      "aws:TokenIssueTime": "2026-11-26T10:05:00Z",
      "aws:SourceIdentity": "alice",
      ...context,
    },
    identityPolicies: [
      JSON.parse(plan.inlinePolicies[PERMISSIONS_POLICY_NAME]!),
      managedPolicy,
      ...extra,
    ],
    boundary,
  });
}

describe("assuming the grant role (trust policy)", () => {
  const right = () => ({ "sts:SourceIdentity": "alice", "sts:RoleSessionName": plan.sessionName });

  it("admits the mapped principal with the right source identity during the window", async () => {
    expect(await assume(ALICE, { ...right(), "aws:CurrentTime": START })).toBe("Allowed");
    expect(await assume(ALICE, { ...right(), "aws:CurrentTime": DURING })).toBe("Allowed");
    expect(
      await assume(ALICE, { ...right(), "aws:CurrentTime": DURING }, "sts:SetSourceIdentity"),
    ).toBe("Allowed");
  });

  it.each([
    ["at the expiry second", { "aws:CurrentTime": EXPIRY }],
    ["after the expiry", { "aws:CurrentTime": AFTER }],
    ["before the window starts", { "aws:CurrentTime": BEFORE_START }],
    ["with another source identity", { "aws:CurrentTime": DURING, "sts:SourceIdentity": "bob" }],
    ["with another session name", { "aws:CurrentTime": DURING, "sts:RoleSessionName": "alice" }],
  ])("refuses the mapped principal %s", async (_, context) => {
    expect(await assume(ALICE, { ...right(), ...context })).not.toBe("Allowed");
  });

  it("refuses the mapped principal without a source identity", async () => {
    const context = { "sts:RoleSessionName": plan.sessionName, "aws:CurrentTime": DURING };
    expect(await assume(ALICE, context)).not.toBe("Allowed");
  });

  it("refuses another principal, even with the requester's source identity", async () => {
    expect(await assume(BOB, { ...right(), "aws:CurrentTime": DURING })).not.toBe("Allowed");
    expect(
      await assume(BOB, { ...right(), "aws:CurrentTime": DURING }, "sts:SetSourceIdentity"),
    ).not.toBe("Allowed");
  });

  it("lets the principal set only the login as source identity", async () => {
    const context = { "sts:SourceIdentity": "admin", "aws:CurrentTime": DURING };
    expect(await assume(ALICE, context, "sts:SetSourceIdentity")).not.toBe("Allowed");
  });
});

describe("using the grant role (permissions and boundary)", () => {
  it("allows the granted actions, inline and managed, before the expiry", async () => {
    const now = { "aws:CurrentTime": DURING };
    expect(await act("s3:GetObject", "arn:aws:s3:::orders/2026/11.csv", now)).toBe("Allowed");
    expect(await act("ec2:DescribeInstances", "*", now)).toBe("Allowed");
  });

  it("denies every action from the expiry second, with no revoker, managed policies too", async () => {
    for (const time of [EXPIRY, AFTER]) {
      const now = { "aws:CurrentTime": time };
      expect(await act("s3:GetObject", "arn:aws:s3:::orders/2026/11.csv", now)).toBe(
        "ExplicitlyDenied",
      );
      expect(await act("ec2:DescribeInstances", "*", now)).toBe("ExplicitlyDenied");
    }
  });

  it("denies the role's inline actions before the window starts", async () => {
    const now = { "aws:CurrentTime": BEFORE_START };
    expect(await act("s3:GetObject", "arn:aws:s3:::orders/a", now)).not.toBe("Allowed");
  });

  it.each([
    ["an action the role does not grant", "s3:PutObject", "arn:aws:s3:::orders/a"],
    ["a resource the role does not grant", "s3:GetObject", "arn:aws:s3:::payroll/a"],
    ["what the role's own Deny excludes", "s3:GetObject", "arn:aws:s3:::orders/secret/a"],
  ])("denies %s", async (_, action, resource) => {
    expect(await act(action, resource, { "aws:CurrentTime": DURING })).not.toBe("Allowed");
  });

  it.each([
    ["iam:CreateAccessKey", "arn:aws:iam::111122223333:user/someone"],
    ["sts:AssumeRole", "arn:aws:iam::111122223333:role/admin"],
    ["iam:PutRolePolicy", "arn:aws:iam::111122223333:role/admin"],
    ["cloudtrail:StopLogging", "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"],
    // Handing a role to a service (a Lambda, an instance) runs code as it past the expiry.
    ["iam:PassRole", "arn:aws:iam::111122223333:role/admin"],
    // IAM Identity Center users and assignments are access that outlives the grant.
    ["sso:CreateAccountAssignment", "*"],
    ["identitystore:CreateUser", "*"],
  ])("denies %s even when the role template allows it (the boundary)", async (action, resource) => {
    const everything = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    };
    expect(await act(action, resource, { "aws:CurrentTime": DURING }, [everything])).toBe(
      "ExplicitlyDenied",
    );
  });

  it("denies sessions issued before a revocation, while the window is still open", async () => {
    const revocation = planRevocation(new Date("2026-11-26T11:00:00Z"));
    const revoked = [JSON.parse(revocation.document)];
    const now = { "aws:CurrentTime": DURING };
    expect(await act("s3:GetObject", "arn:aws:s3:::orders/a", now, revoked)).toBe(
      "ExplicitlyDenied",
    );
    expect(await act("ec2:DescribeInstances", "*", now, revoked)).toBe("ExplicitlyDenied");
  });

  it("denies sessions issued after a revocation too, while a removal that stopped half-way leaves the role", async () => {
    // The trust policy still admits the requester until the expiry: a session assumed after
    // the deny went on must not get the role's permissions back.
    const revocation = planRevocation(new Date("2026-11-26T10:30:00Z"));
    const revoked = [JSON.parse(revocation.document)];
    const later = { "aws:CurrentTime": DURING, "aws:TokenIssueTime": "2026-11-26T10:45:00Z" };
    expect(await act("s3:GetObject", "arn:aws:s3:::orders/a", later, revoked)).toBe(
      "ExplicitlyDenied",
    );
  });
});

describe("the broker role (deploy/account-setup.yaml)", () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/hallpass-boundary`;
  const brokerSession = `arn:aws:sts::${ACCOUNT}:assumed-role/hallpass-broker/app`;
  const asBroker = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate({
      principal: brokerSession,
      action,
      resource,
      context,
      identityPolicies: [broker],
    });

  it("may create a role under /hallpass/ with the boundary attached", async () => {
    expect(
      await asBroker("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/hallpass/${plan.roleName}`, {
        "iam:PermissionsBoundary": BOUNDARY,
      }),
    ).toBe("Allowed");
  });

  it.each([
    ["without a boundary", `role/hallpass/x`, {}],
    [
      "with another boundary",
      `role/hallpass/x`,
      { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/other` },
    ],
    ["outside /hallpass/", `role/admin`, { "iam:PermissionsBoundary": BOUNDARY }],
  ])("may not create a role %s", async (_, role, context) => {
    expect(await asBroker("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:${role}`, context)).not.toBe(
      "Allowed",
    );
  });

  it("may read a grant role by its name alone (how IAM names a role that is gone)", async () => {
    expect(await asBroker("iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/${plan.roleName}`)).toBe(
      "Allowed",
    );
    expect(await asBroker("iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/admin`)).not.toBe("Allowed");
  });

  it("may change the permissions only of bounded grant roles", async () => {
    const grant = `arn:aws:iam::${ACCOUNT}:role/hallpass/x`;
    const bounded = { "iam:PermissionsBoundary": BOUNDARY };
    expect(await asBroker("iam:PutRolePolicy", grant, bounded)).toBe("Allowed");
    expect(await asBroker("iam:DeleteRole", grant, bounded)).toBe("Allowed");
    expect(await asBroker("iam:PutRolePolicy", grant)).not.toBe("Allowed");
    expect(
      await asBroker("iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/admin`, bounded),
    ).not.toBe("Allowed");
    expect(await asBroker("iam:DeleteRolePermissionsBoundary", grant, bounded)).toBe(
      "ExplicitlyDenied",
    );
    expect(await asBroker("iam:CreatePolicyVersion", BOUNDARY)).toBe("ExplicitlyDenied");
  });
});
