import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  describeDocumentDrift,
  digestGrantPlan,
  holdsRevocationDeny,
  onlyDenies,
  planDigestSchema,
  planDocuments,
} from "../../../src/core/grant/digest-grant-plan.ts";
import { planGrant } from "../../../src/core/grant/plan-grant.ts";
import { planRevocation } from "../../../src/core/grant/plan-revocation.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../../support/grant-fixtures.ts";

const plan = planGrant(aliceRequest(), grantPolicies(), {
  mergeCommit: MERGE_COMMIT,
  mergedAt: MERGED_AT,
  now: MERGED_AT,
}).plan!;

describe("canonicalJson", () => {
  it.each([
    ["keys in another order", '{"b":1,"a":{"d":2,"c":3}}', '{"a":{"c":3,"d":2},"b":1}'],
    ["other whitespace", '{\n  "a" : [ 1,\t2 ]\n}', '{"a":[1,2]}'],
    [
      "a one-element array (the same in IAM's grammar)",
      '{"Action":["s3:Get*"]}',
      '{"Action":"s3:Get*"}',
    ],
  ])("reads %s as the same document", (_n, a, b) => {
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it.each([
    ["arrays in another order", '{"a":[1,2]}', '{"a":[2,1]}'],
    ["another value", '{"Effect":"Allow"}', '{"Effect":"Deny"}'],
    ["a string for a number", '{"a":1}', '{"a":"1"}'],
  ])("tells documents apart with %s", (_n, a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it("throws for text that is not JSON", () => {
    expect(() => canonicalJson("{")).toThrow();
  });
});

describe("digestGrantPlan", () => {
  it("is a valid record field, the same for the same plan, and names no document text", () => {
    const digest = digestGrantPlan(plan);
    expect(planDigestSchema.parse(digest)).toEqual(digest);
    expect(digestGrantPlan(structuredClone(plan))).toEqual(digest);
    expect(JSON.stringify(digest)).not.toContain("s3:GetObject");
    expect(digest).toMatchObject({
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundary: "arn:aws:iam::111122223333:policy/hallpass-boundary",
      maxSessionDuration: 7200,
    });
  });

  it("names the persistence opt-ins of the plan, and is unchanged for a plan without any", () => {
    expect(digestGrantPlan(plan)).not.toHaveProperty("allowPersistence");
    const optedIn = planGrant(
      aliceRequest({
        role: { ...aliceRequest().role, allowPersistence: ["resource-policies", "federation"] },
      }),
      grantPolicies(),
      { mergeCommit: MERGE_COMMIT, mergedAt: MERGED_AT, now: MERGED_AT },
    ).plan!;
    const digest = digestGrantPlan(optedIn);
    expect(digest.allowPersistence).toEqual(["federation", "resource-policies"]);
    expect(planDigestSchema.parse(digest)).toEqual(digest);
  });

  it("does not depend on the order managed policies are attached in", () => {
    const two = { ...plan, managedPolicyArns: ["arn:b", "arn:a"] };
    expect(digestGrantPlan(two)).toEqual(
      digestGrantPlan({ ...two, managedPolicyArns: ["arn:a", "arn:b"] }),
    );
  });

  it("matches the plan's own documents, and names every difference", () => {
    const digest = digestGrantPlan(plan);
    expect(describeDocumentDrift(planDocuments(plan), digest)).toEqual([]);
    expect(
      describeDocumentDrift(
        {
          trustPolicy: "not json",
          inlinePolicies: { other: "{}" },
          managedPolicyArns: ["arn:x"],
          permissionsBoundary: undefined,
          maxSessionDuration: 3600,
        },
        digest,
      ),
    ).toEqual([
      "trust policy edited",
      "inline policy hallpass-permissions removed",
      "inline policy other added",
      "managed policy arn:x attached",
      "managed policy arn:aws:iam::aws:policy/ReadOnlyAccess detached",
      "permissions boundary removed",
      "maximum session duration 3600s instead of 7200s",
    ]);
  });
});

describe("holdsRevocationDeny", () => {
  const docs = planDocuments(plan);
  const revoke = planRevocation(new Date("2026-11-26T10:30:00.400Z"));

  it("recognises hallpass's deny, however IAM formats it", () => {
    const pretty = JSON.stringify(JSON.parse(revoke.document), null, 2);
    expect(holdsRevocationDeny({ ...docs, inlinePolicies: { [revoke.policyName]: pretty } })).toBe(
      true,
    );
  });

  it.each([
    ["absent", {}],
    [
      "an allow under its name",
      { [revoke.policyName]: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' },
    ],
    [
      "its first half only (sessions issued later would be allowed)",
      {
        [revoke.policyName]: JSON.stringify({
          ...JSON.parse(revoke.document),
          Statement: [JSON.parse(revoke.document).Statement[0]],
        }),
      },
    ],
    ["not JSON", { [revoke.policyName]: "{" }],
  ])("does not take %s for it", (_n, inlinePolicies) => {
    expect(holdsRevocationDeny({ ...docs, inlinePolicies })).toBe(false);
  });
});

describe("onlyDenies", () => {
  const deny = { Effect: "Deny", Action: "*", Resource: "*" };
  const allow = { Effect: "Allow", Action: "*", Resource: "*" };
  it.each([
    ["one deny statement", { Version: "2012-10-17", Statement: [deny] }, true],
    ["a single statement object", { Version: "2012-10-17", Statement: deny }, true],
    ["a deny and an allow", { Version: "2012-10-17", Statement: [deny, allow] }, false],
    ["no statement", { Version: "2012-10-17", Statement: [] }, false],
    ["no Statement field", { Version: "2012-10-17" }, false],
  ])("%s", (_name, document, expected) => {
    expect(onlyDenies(JSON.stringify(document))).toBe(expected);
  });
  it("is false for text that is not JSON", () => {
    expect(onlyDenies("not json")).toBe(false);
  });
});
