import { describe, expect, it } from "vitest";
import {
  DEFAULT_IAM_LIMITS,
  PERMISSIONS_POLICY_NAME,
  planGrant,
} from "../../../src/core/grant/plan-grant.ts";
import { planRevocation } from "../../../src/core/grant/plan-revocation.ts";
import { GRANT_TAGS } from "../../../src/ports/aws.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../../support/grant-fixtures.ts";

const context = {
  mergeCommit: MERGE_COMMIT,
  mergedAt: MERGED_AT,
  now: new Date("2026-11-26T10:00:05Z"),
  pullRequest: 7,
  repository: "acme/access",
};

function plan(overrides = {}, ctx = {}) {
  const result = planGrant(aliceRequest(overrides), grantPolicies(), { ...context, ...ctx });
  return result;
}

describe("planGrant", () => {
  it("starts the window at the merge and ends it after the duration, to the second", () => {
    const result = plan({}, { mergedAt: new Date("2026-11-26T10:00:00.789Z") });
    expect(result.problems).toEqual([]);
    expect(result.window).toEqual({ start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" });
    expect(result.plan?.expiresAt).toBe("2026-11-26T12:00:00Z");
  });

  it("starts the window at the request's start when it names one", () => {
    const result = plan({ start: new Date("2026-11-26T14:00:00Z") });
    expect(result.window).toEqual({ start: "2026-11-26T14:00:00Z", end: "2026-11-26T16:00:00Z" });
    const trust = JSON.parse(result.plan!.trustPolicy);
    expect(trust.Statement[0].Condition.DateGreaterThanEquals).toEqual({
      "aws:CurrentTime": "2026-11-26T14:00:00Z",
    });
  });

  it("refuses a window that has already ended, naming the request file", () => {
    const result = plan(
      { start: new Date("2026-11-25T08:00:00Z") },
      { now: new Date("2026-11-25T10:00:00Z") },
    );
    expect(result.plan).toBeUndefined();
    expect(result.problems).toMatchObject([
      { file: "access-requests/alice-db.yaml", field: "start", severity: "error" },
    ]);
    expect(result.problems[0]?.message).toMatch(/already ended/);
  });

  it("derives a unique role name from request path and merge commit, stable across retries", () => {
    const a = plan().plan!;
    expect(plan().plan!.roleName).toBe(a.roleName);
    expect(a.roleName).toMatch(/^hallpass-alice-[0-9a-f]{10}$/);
    expect(plan({}, { mergeCommit: "0".repeat(40) }).plan!.roleName).not.toBe(a.roleName);
    expect(plan({ path: "access-requests/alice-db-2.yaml" }).plan!.roleName).not.toBe(a.roleName);
    expect(a.sessionName).toBe(a.roleName.replace(/^hallpass-/, ""));
  });

  it("keeps the longest login's role name within IAM's 64 characters", () => {
    const login = "a".repeat(39);
    const request = aliceRequest();
    const result = plan({ request: { ...request.request, requester: login } });
    expect(result.problems).toEqual([]);
    expect(result.plan!.roleName.length).toBeLessThanOrEqual(64);
    expect(result.plan!.sessionName.length).toBeLessThanOrEqual(64);
  });

  it("admits only the mapped principal with the login as source identity, until the expiry", () => {
    const p = plan().plan!;
    expect(JSON.parse(p.trustPolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeAsRequesterDuringWindow",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999988887777:user/alice" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "sts:SourceIdentity": "alice", "sts:RoleSessionName": p.sessionName },
            DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T10:00:00Z" },
            DateLessThan: { "aws:CurrentTime": "2026-11-26T12:00:00Z" },
          },
        },
        {
          Sid: "SetRequesterSourceIdentity",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999988887777:user/alice" },
          Action: "sts:SetSourceIdentity",
          Condition: {
            StringEquals: { "sts:SourceIdentity": "alice" },
            DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T10:00:00Z" },
            DateLessThan: { "aws:CurrentTime": "2026-11-26T12:00:00Z" },
          },
        },
      ],
    });
    expect(p.sourceIdentity).toBe("alice");
  });

  it("bounds every Allow by the window, keeps Denies, and denies everything from the expiry", () => {
    const doc = JSON.parse(plan().plan!.inlinePolicies[PERMISSIONS_POLICY_NAME]!);
    expect(doc.Statement).toEqual([
      {
        Sid: "ReadOrders",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: ["arn:aws:s3:::orders", "arn:aws:s3:::orders/*"],
        Condition: {
          DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T10:00:00Z" },
          DateLessThan: { "aws:CurrentTime": "2026-11-26T12:00:00Z" },
        },
      },
      { Effect: "Deny", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::orders/secret/*"] },
      {
        Sid: "HallpassDenyAfterExpiry",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T12:00:00Z" } },
      },
    ]);
  });

  it("merges the window into a statement's own conditions", () => {
    const base = aliceRequest();
    const role = structuredClone(base.role);
    role.permissions.statements = [
      {
        effect: "Allow",
        actions: ["ec2:Describe*"],
        resources: ["*"],
        conditions: {
          StringEquals: { "aws:RequestedRegion": "eu-west-1" },
          DateLessThan: { "aws:EpochTime": "2000000000" },
        },
      },
    ];
    const doc = JSON.parse(plan({ role }).plan!.inlinePolicies[PERMISSIONS_POLICY_NAME]!);
    expect(doc.Statement[0].Condition).toEqual({
      StringEquals: { "aws:RequestedRegion": "eu-west-1" },
      DateLessThan: { "aws:EpochTime": "2000000000", "aws:CurrentTime": "2026-11-26T12:00:00Z" },
      DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T10:00:00Z" },
    });
  });

  it("refuses a role statement that bounds aws:CurrentTime itself (IAM would OR the values)", () => {
    const base = aliceRequest();
    const role = structuredClone(base.role);
    role.permissions.statements = [
      {
        effect: "Allow",
        actions: ["s3:*"],
        resources: ["*"],
        conditions: { DateLessThan: { "AWS:CurrentTime": "2030-01-01T00:00:00Z" } },
      },
    ];
    const result = plan({ role });
    expect(result.plan).toBeUndefined();
    expect(result.problems[0]).toMatchObject({
      field: "roles.db-read.permissions.statements.0",
    });
  });

  it("refuses aws:CurrentTime mixed with another key in one condition block of a statement", () => {
    const role = structuredClone(aliceRequest().role);
    role.permissions.statements = [
      {
        effect: "Allow",
        actions: ["s3:*"],
        resources: ["*"],
        conditions: {
          DateLessThan: {
            "aws:EpochTime": "2000000000",
            "aws:CurrentTime": "2030-01-01T00:00:00Z",
          },
        },
      },
    ];
    const result = plan({ role });
    expect(result.plan).toBeUndefined();
    expect(result.problems[0]?.message).toMatch(
      /already has a DateLessThan condition on aws:CurrentTime/,
    );
  });

  it("uses the account's own boundary, else the settings' with the account id filled in", () => {
    expect(plan().plan!.permissionsBoundary).toBe(
      "arn:aws:iam::111122223333:policy/hallpass-boundary",
    );
    const account = {
      ...aliceRequest().account,
      permissionsBoundary: "arn:aws:iam::111122223333:policy/b2",
    };
    expect(plan({ account }).plan!.permissionsBoundary).toBe("arn:aws:iam::111122223333:policy/b2");
  });

  it("refuses a name past IAM's 64 characters rather than cutting off the part that makes it unique", () => {
    // GitHub logins have 39 characters at most; only a hand-built request gets here.
    const withLogin = (length: number) => {
      const request = aliceRequest();
      return plan({ request: { ...request.request, requester: "a".repeat(length) } });
    };
    expect(withLogin(44).problems).toEqual([]);
    expect(withLogin(44).plan!.roleName).toMatch(/^hallpass-a{44}-[0-9a-f]{10}$/);
    const long = withLogin(45);
    expect(long.plan).toBeUndefined();
    expect(long.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^role name hallpass-a{45}-[0-9a-f]{10} is longer than IAM's 64 characters$/,
      ),
    ]);
  });

  it("refuses a session name STS would not accept (over 64 characters)", () => {
    const request = aliceRequest();
    const result = plan({ request: { ...request.request, requester: "b".repeat(54) } });
    expect(result.plan).toBeUndefined();
    expect(result.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(
        /^session name b{54}-[0-9a-f]{10} is not a valid STS role session name$/,
      ),
    );
  });

  it.each(["!alice", "alice!", "al ice"])(
    "refuses the login %j, which STS does not accept as a source identity, and says why",
    (login) => {
      const request = aliceRequest();
      const result = plan({ request: { ...request.request, requester: login } });
      expect(result.plan).toBeUndefined();
      expect(result.problems).toContainEqual(
        expect.objectContaining({
          field: "requester",
          message: `AWS requires a source identity of 2 to 64 characters, and the GitHub login "${login}" is not one; ask the platform team to grant this access by hand`,
        }),
      );
    },
  );

  it("plans a role with only managed policies, or only statements", () => {
    const base = aliceRequest().role;
    const managedOnly = structuredClone(base);
    delete managedOnly.permissions.statements;
    const statementsOnly = structuredClone(base);
    delete statementsOnly.permissions.managedPolicies;
    const managed = plan({ role: managedOnly }).plan!;
    // Only the deny after expiry: nothing of the role is allowed inline.
    expect(
      JSON.parse(managed.inlinePolicies[PERMISSIONS_POLICY_NAME]!).Statement.map(
        (s: { Sid?: string }) => s.Sid,
      ),
    ).toEqual(["HallpassDenyAfterExpiry"]);
    expect(managed.managedPolicyArns).toEqual(base.permissions.managedPolicies);
    expect(plan({ role: statementsOnly }).plan!.managedPolicyArns).toEqual([]);
  });

  it("names its one inline policy hallpass-permissions, as the roles already made carry it", () => {
    expect(Object.keys(plan().plan!.inlinePolicies)).toEqual(["hallpass-permissions"]);
  });

  it("tags no pull request when the grant has none (a grant from the CLI's plan)", () => {
    const { pullRequest: _, ...withoutPullRequest } = context;
    const p = planGrant(aliceRequest(), grantPolicies(), withoutPullRequest).plan!;
    expect(Object.keys(p.tags)).not.toContain(GRANT_TAGS.pullRequest);
  });

  it("tags the role so the sweeper can find and understand it", () => {
    const request = aliceRequest();
    const p = plan({
      emergency: true,
      request: { ...request.request, extends: "access-requests/alice-db-old.yaml" },
    }).plan!;
    expect(p.tags).toEqual({
      [GRANT_TAGS.managedBy]: "hallpass",
      [GRANT_TAGS.repository]: "acme/access",
      [GRANT_TAGS.request]: "access-requests/alice-db.yaml",
      [GRANT_TAGS.pullRequest]: "7",
      [GRANT_TAGS.mergeCommit]: MERGE_COMMIT,
      [GRANT_TAGS.requester]: "alice",
      [GRANT_TAGS.role]: "db-read",
      [GRANT_TAGS.account]: "prod",
      [GRANT_TAGS.startsAt]: "2026-11-26T10:00:00Z",
      [GRANT_TAGS.expiresAt]: "2026-11-26T12:00:00Z",
      [GRANT_TAGS.emergency]: "true",
      [GRANT_TAGS.extends]: "access-requests/alice-db-old.yaml",
    });
    expect(p.rolePath).toBe("/hallpass/");
    expect(p.accountId).toBe("111122223333");
    expect(p.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("tags the role with each persistence class its role opts into, and nothing for none", () => {
    const request = aliceRequest();
    const role = {
      ...request.role,
      allowPersistence: ["sign-in-routes" as const, "federation" as const],
    };
    const p = plan({ role }).plan!;
    expect(
      Object.entries(p.tags).filter(([key]) => key.startsWith("hallpass:allow-persistence-")),
    ).toEqual([
      ["hallpass:allow-persistence-federation", "true"],
      ["hallpass:allow-persistence-sign-in-routes", "true"],
    ]);
    expect(Object.keys(plan().plan!.tags).join()).not.toContain("allow-persistence");
  });

  it.each([
    [900, 3_600],
    [3_600, 3_600],
    [7_200, 7_200],
    [43_200, 43_200],
    [86_400, 43_200],
  ])(
    "sets MaxSessionDuration for a %is window to %is (IAM allows 1 h to 12 h)",
    (duration, max) => {
      expect(plan({ durationSeconds: duration }).plan!.maxSessionDuration).toBe(max);
    },
  );

  it("refuses a trust policy over the account's limit before AWS is called", () => {
    const identity = { awsPrincipal: `arn:aws:iam::999988887777:role/${"x".repeat(1500)}` };
    const result = plan({ identity });
    expect(result.plan).toBeUndefined();
    expect(result.problems[0]?.message).toMatch(/trust policy would be \d+ characters.*2048/);
  });

  it("accepts a trust policy exactly at the account's limit and refuses one character more", () => {
    const trustChars = plan().plan!.trustPolicy.length;
    const at = (trustPolicyChars: number) =>
      planGrant(aliceRequest(), grantPolicies(), context, {
        ...DEFAULT_IAM_LIMITS,
        trustPolicyChars,
      });
    expect(at(trustChars).problems).toEqual([]);
    expect(at(trustChars - 1).problems.map((p) => p.message)).toEqual([
      expect.stringMatching(`trust policy would be ${trustChars} characters`),
    ]);
  });

  it("accepts IAM's 20 managed policies on a role and refuses a 21st before AWS is called", () => {
    const withManaged = (count: number) => {
      const role = structuredClone(aliceRequest().role);
      role.permissions.managedPolicies = Array.from(
        { length: count },
        (_, i) => `arn:aws:iam::aws:policy/Managed${i}`,
      );
      return plan({ role });
    };
    expect(withManaged(20).problems).toEqual([]);
    expect(withManaged(21).plan).toBeUndefined();
    expect(withManaged(21).problems.map((p) => p.message)).toEqual([
      "the role attaches 21 managed policies, more than IAM's 20",
    ]);
  });

  it("accepts as many tags as the limit allows and refuses one more", () => {
    const tags = Object.keys(plan().plan!.tags).length;
    const at = (limit: number) =>
      planGrant(aliceRequest(), grantPolicies(), context, { ...DEFAULT_IAM_LIMITS, tags: limit });
    expect(at(tags).problems).toEqual([]);
    expect(at(tags - 1).problems.map((p) => p.message)).toEqual([
      `the role would carry ${tags} tags, more than IAM's ${tags - 1}`,
    ]);
  });

  it("accepts a tag value of IAM's 256 characters and refuses 257 (the request path is a tag)", () => {
    const withPath = (length: number) => {
      const prefix = "access-requests/";
      const name = "a".repeat(length - prefix.length - ".yaml".length);
      return plan({ path: `${prefix}${name}.yaml` });
    };
    expect(withPath(256).problems).toEqual([]);
    expect(withPath(257).plan).toBeUndefined();
    expect(withPath(257).problems.map((p) => p.message)).toEqual([
      `tag ${GRANT_TAGS.request} is too long for IAM (keys 128, values 256 characters): shorten the request's path`,
    ]);
  });

  it("refuses inline policies over IAM's 10,240 characters per role", () => {
    const base = aliceRequest();
    const role = structuredClone(base.role);
    role.permissions.statements = Array.from({ length: 60 }, (_, i) => ({
      effect: "Allow" as const,
      actions: ["s3:GetObject"],
      resources: [`arn:aws:s3:::bucket-number-${i}-with-a-long-name/*`],
    }));
    const result = plan({ role });
    expect(result.problems[0]?.message).toMatch(/inline policies would be \d+ characters/);
  });

  it("keeps room in the inline policy limit for the deny a revocation adds", () => {
    const planned = plan().plan!;
    const permissions =
      PERMISSIONS_POLICY_NAME.length + planned.inlinePolicies[PERMISSIONS_POLICY_NAME]!.length;
    const revocation = planRevocation(new Date(0));
    const reserve = revocation.policyName.length + revocation.document.length;
    const withLimit = (inlinePolicyChars: number) =>
      planGrant(aliceRequest(), grantPolicies(), context, {
        ...DEFAULT_IAM_LIMITS,
        inlinePolicyChars,
      });
    expect(withLimit(permissions + reserve).problems).toEqual([]);
    expect(withLimit(permissions + reserve - 1).problems[0]?.message).toMatch(
      /counting the deny a revocation adds/,
    );
  });

  it("refuses a request path IAM would not accept as a tag value", () => {
    const result = plan({ path: "access-requests/alice#db.yaml" });
    expect(result.problems[0]?.message).toMatch(/characters IAM refuses in tags/);
  });

  it("refuses a one-letter login, which STS does not accept as a source identity", () => {
    const request = aliceRequest();
    const result = plan({ request: { ...request.request, requester: "a" } });
    expect(result.problems.map((p) => p.field)).toContain("requester");
  });
});

describe("planRevocation", () => {
  it("denies every session issued before the next whole second", () => {
    const r = planRevocation(new Date("2026-11-26T11:00:00.200Z"));
    expect(r.revokedAt).toBe("2026-11-26T11:00:01Z");
    expect(JSON.parse(r.document).Statement[0]).toEqual({
      Sid: "HallpassRevokeOlderSessions",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-26T11:00:01Z" } },
    });
  });

  it("names the policy so a re-run finds it, and denies sessions issued from the revocation second on", () => {
    const r = planRevocation(new Date("2026-11-26T11:00:00Z"));
    expect(r.policyName).toBe("hallpass-revoke-older-sessions");
    expect(r.revokedAt).toBe("2026-11-26T11:00:00Z");
    expect(JSON.parse(r.document).Statement[1]).toEqual({
      Sid: "HallpassNoSessionsAfterRevocation",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateGreaterThanEquals: { "aws:TokenIssueTime": "2026-11-26T11:00:00Z" } },
    });
  });
});
