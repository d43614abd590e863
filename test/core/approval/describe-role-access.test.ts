import { describe, expect, it } from "vitest";
import { readIamActionCatalogue } from "../../../src/adapters/iam-action-catalogue.ts";
import { describeRoleAccess } from "../../../src/core/approval/describe-role-access.ts";
import { renderCheck } from "../../../src/core/approval/render-check.ts";
import { renderRoleAccess } from "../../../src/core/approval/render-role-access.ts";
import type { Statement } from "../../../src/core/policy/policy-format.ts";

const allow = (...actions: string[]): Statement => ({ effect: "Allow", actions, resources: ["*"] });

const CATALOGUE = {
  rds: [
    { name: "DescribeDBInstances", accessLevel: "List" },
    { name: "DescribeDBLogFiles", accessLevel: "Read" },
    { name: "DeleteDBInstance", accessLevel: "Write" },
    { name: "AddTagsToResource", accessLevel: "Tagging" },
  ],
  iam: [
    { name: "CreateAccessKey", accessLevel: "Write" },
    { name: "PutRolePolicy", accessLevel: "Permissions management, Write" },
    { name: "GetRole", accessLevel: "Read" },
  ],
};

describe("describeRoleAccess", () => {
  it("expands a wildcard to the actions it covers, by access level", () => {
    const access = describeRoleAccess([allow("rds:Describe*")], CATALOGUE);
    expect(access.services).toEqual([
      {
        service: "rds",
        everything: false,
        levels: {
          List: ["DescribeDBInstances"],
          Read: ["DescribeDBLogFiles"],
          Write: [],
          "Permissions management": [],
          Tagging: [],
        },
      },
    ]);
    expect(access.lasting).toEqual([]);
  });

  it("tells rds:* from rds:Describe*", () => {
    const access = describeRoleAccess([allow("RDS:*")], CATALOGUE);
    expect(access.services[0]).toMatchObject({ everything: true });
    expect(access.services[0]!.levels.Write).toEqual(["DeleteDBInstance"]);
    expect(access.services[0]!.levels.Tagging).toEqual(["AddTagsToResource"]);
  });

  it("flags permissions management and IAM writes as lasting access, not IAM reads", () => {
    const access = describeRoleAccess([allow("iam:*")], CATALOGUE);
    expect(access.lasting).toEqual(["iam:CreateAccessKey", "iam:PutRolePolicy"]);
  });

  it("ignores Deny statements and names patterns that match no published action", () => {
    const deny: Statement = { effect: "Deny", actions: ["iam:*"], resources: ["*"] };
    const access = describeRoleAccess([deny, allow("rds:Descrbe*", "nosuch:Get*", "*")], CATALOGUE);
    expect(access.services).toEqual([]);
    expect(access.unknown).toEqual(["rds:Descrbe*", "nosuch:Get*"]);
    expect(access.allActions).toBe(true);
  });
});

describe("what a role allows, from AWS's published data", () => {
  it("shows rds:Describe* as list and read only, and rds:* with writes", async () => {
    const narrow = describeRoleAccess(
      [allow("rds:Describe*")],
      await readIamActionCatalogue(["rds"]),
    );
    expect(
      narrow.services[0]!.levels.List.length + narrow.services[0]!.levels.Read.length,
    ).toBeGreaterThan(10);
    expect(narrow.services[0]!.levels.Write).toEqual([]);
    const wide = describeRoleAccess([allow("rds:*")], await readIamActionCatalogue(["rds"]));
    expect(wide.services[0]!.levels.Write).toContain("DeleteDBInstance");
  });

  it("warns of iam:CreateAccessKey and keeps a role allowing many whole services within GitHub's limit", async () => {
    const services = ["ec2", "iam", "s3", "rds", "kms", "lambda", "sts", "dynamodb", "sns", "sqs"];
    const statements = [allow(...services.map((s) => `${s}:*`))];
    const access = describeRoleAccess(statements, await readIamActionCatalogue(services));
    expect(access.lasting).toContain("iam:CreateAccessKey");
    expect(access.lasting).toContain("s3:PutBucketPolicy");
    const lines = renderRoleAccess(access);
    expect(lines.join("\n")).toContain("**Can create lasting access:**");
    expect(lines.join("\n").length).toBeLessThan(20_000);
  });

  it("leaves out a service the data does not know, and never reads a path-like name", async () => {
    expect(await readIamActionCatalogue(["nosuchservice", "../x"])).toEqual({});
  });
});

describe("renderCheck with the role's access", () => {
  it("adds the access levels under what the role allows", () => {
    const access = describeRoleAccess([allow("iam:*")], CATALOGUE);
    const lines = renderRoleAccess(access).join("\n");
    expect(lines).toContain("| `iam` (all) | 0 | 1 | 2 | 1 | 0 |");
    expect(lines).toContain("`iam:CreateAccessKey`");
    expect(renderCheck).toBeTypeOf("function");
  });
});
