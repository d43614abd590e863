import { describe, expect, it } from "vitest";
import { loadPolicies } from "../../../src/core/policy/load-policies.ts";
import { inlinePolicySize } from "../../../src/core/policy/validate-policies.ts";
import { formatProblem } from "../../../src/core/source/problem.ts";
import { examplePolicyFiles, examplePolicySources } from "../../support/example-policies.ts";

const settingsFile = examplePolicyFiles["policies/settings.yaml"];

/** A roles file holding one role, with the given lines replacing its defaults. */
function roleFile(
  extra: string,
  permissions = '      managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]',
): string {
  return `roles:
  extra-role:
    description: A role under test.
    accounts: [production]
    maxDuration: 1h
    permissions:
${permissions}
    approval:
      rules:
        - count: 1
${extra}`;
}

describe("loadPolicies merges valid policy files", () => {
  it("loads the example policies with every section merged", () => {
    const { policies, problems } = loadPolicies(examplePolicySources());
    expect(problems).toEqual([]);
    expect(Object.keys(policies!.accounts)).toEqual(["staging", "production"]);
    expect(Object.keys(policies!.roles)).toEqual(["prod-readonly", "db-admin", "staging-only"]);
    expect(Object.keys(policies!.identities)).toEqual(["alice", "bob", "carol"]);
    // Defaults are applied by the schema.
    expect(policies!.settings).toMatchObject({
      reasonMinLength: 20,
      auditDelay: "30m",
      alerts: [],
    });
    expect(policies!.roles["db-admin"]!.permissions.statements![0]).toMatchObject({
      effect: "Allow",
      resources: ["*"],
    });
  });

  it("accepts any section in any file", () => {
    const { policies, problems } = loadPolicies([
      { path: "policies/all.yaml", content: Object.values(examplePolicyFiles).join("") },
    ]);
    expect(problems).toEqual([]);
    expect(policies).toBeDefined();
  });
});

describe("loadPolicies reports each broken rule and fails closed", () => {
  const cases: {
    rule: string;
    files: Record<string, string>;
    file: string;
    line: number;
    message: RegExp;
    field?: string;
  }[] = [
    {
      rule: "a role name is unique across files (reported at the second definition)",
      files: {
        "policies/zz-more.yaml": roleFile("").replace("extra-role", "db-admin"),
      },
      file: "policies/zz-more.yaml",
      line: 2,
      message: /role "db-admin" is already defined at policies\/roles.yaml:12/,
    },
    {
      rule: "an account name is unique across files",
      files: {
        "policies/zz-more.yaml":
          'accounts:\n  staging:\n    id: "999999999999"\n    brokerRole: arn:aws:iam::999999999999:role/b\n    regions: [eu-west-1]\n',
      },
      file: "policies/zz-more.yaml",
      line: 2,
      message: /account "staging" is already defined at policies\/accounts.yaml:2/,
    },
    {
      rule: "settings are defined exactly once",
      files: { "policies/zz-more.yaml": settingsFile },
      file: "policies/zz-more.yaml",
      line: 1,
      message: /settings are already defined at policies\/settings.yaml:1/,
    },
    {
      rule: "settings are defined at all",
      files: { "policies/settings.yaml": "roles: {}\n" },
      file: "policies/",
      line: 1,
      message: /no policy file defines settings/,
    },
    {
      rule: "a role's accounts exist (with did-you-mean)",
      files: { "policies/zz-role.yaml": roleFile("").replace("[production]", "[prodution]") },
      file: "policies/zz-role.yaml",
      line: 4,
      message: /account "prodution" is not defined under accounts:. Did you mean "production"\?/,
      field: "roles.extra-role.accounts.0",
    },
    {
      rule: "maxDuration parses",
      files: {
        "policies/zz-role.yaml": roleFile("").replace("maxDuration: 1h", "maxDuration: 1 hour"),
      },
      file: "policies/zz-role.yaml",
      line: 5,
      message: /"1 hour" is not a duration/,
    },
    {
      rule: "maxDuration is positive",
      files: {
        "policies/zz-role.yaml": roleFile("").replace("maxDuration: 1h", "maxDuration: 0s"),
      },
      file: "policies/zz-role.yaml",
      line: 5,
      message: /longer than zero/,
    },
    {
      rule: "breakGlass.maxDuration parses",
      files: {
        "policies/zz-role.yaml": roleFile(
          "    breakGlass:\n      allowed: true\n      maxDuration: soon\n      approval:\n        rules: [{ count: 1 }]\n",
        ),
      },
      file: "policies/zz-role.yaml",
      line: 13,
      message: /"soon" is not a duration/,
    },
    {
      rule: "autoApproval.maxDuration is no longer than the role's maxDuration",
      files: { "policies/zz-role.yaml": roleFile("    autoApproval:\n      maxDuration: 2h\n") },
      file: "policies/zz-role.yaml",
      line: 12,
      message: /2h is longer than the role's maxDuration \(1h\): lower it to at most 1h/,
      field: "roles.extra-role.autoApproval.maxDuration",
    },
    {
      rule: "extension.withoutApproval parses",
      files: { "policies/zz-role.yaml": roleFile("    extension:\n      withoutApproval: soon\n") },
      file: "policies/zz-role.yaml",
      line: 12,
      message: /"soon" is not a duration/,
    },
    {
      rule: "approval.maxAge parses",
      files: { "policies/zz-role.yaml": roleFile("      maxAge: 0s\n") },
      file: "policies/zz-role.yaml",
      line: 11,
      message: /longer than zero/,
    },
    {
      rule: "settings.approvalMaxAge parses",
      files: { "policies/settings.yaml": `${settingsFile}  approvalMaxAge: a week\n` },
      file: "policies/settings.yaml",
      line: 4,
      message: /"a week" is not a duration/,
    },
    {
      rule: "a role grants something",
      files: { "policies/zz-role.yaml": roleFile("", "      statements: []") },
      file: "policies/zz-role.yaml",
      line: 7,
      message: /the role grants nothing/,
    },
    {
      rule: "managed policies are policy ARNs",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          "      managedPolicies: [arn:aws:iam::aws:role/ReadOnlyAccess]",
        ),
      },
      file: "policies/zz-role.yaml",
      line: 7,
      message: /is not a managed policy ARN/,
    },
    {
      rule: "statement actions are service:Action",
      files: {
        "policies/zz-role.yaml": roleFile("", '      statements:\n        - actions: ["rds*"]'),
      },
      file: "policies/zz-role.yaml",
      line: 8,
      message: /"rds\*" is not an IAM action/,
      field: "roles.extra-role.permissions.statements.0.actions.0",
    },
    {
      rule: "statement resources are * or ARNs",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - actions: ["s3:GetObject"]\n          resources: ["my-bucket/*"]',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 9,
      message: /"my-bucket\/\*" is not a resource/,
    },
    {
      rule: "condition operators are IAM's (with did-you-mean)",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - actions: ["s3:GetObject"]\n          conditions:\n            StringEqual: { "aws:PrincipalTag/team": sre }',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message: /"StringEqual" is not an IAM condition operator. Did you mean "StringEquals"\?/,
    },
    {
      rule: "condition operators may carry IfExists and set qualifiers",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - actions: ["s3:GetObject"]\n          conditions:\n            ForAnyValue:StringLikeIfExists: { "aws:TagKeys": "x" }\n            Bool: { PrincipalIsAWSService: "true" }',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 11,
      message: /"PrincipalIsAWSService" is not a condition key/,
    },
    {
      rule: "an Allow has no time condition of its own (hallpass adds the window)",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - actions: ["s3:GetObject"]\n          conditions:\n            DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" }',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message: /cannot have its own aws:CurrentTime condition/,
    },
    {
      rule: "condition values are text or a list of text",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - actions: ["s3:GetObject"]\n          conditions:\n            NumericLessThan: { "s3:max-keys": 10 }',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message:
        /"s3:max-keys" must be text or a list \(lines starting with - \), but is the number 10/,
    },
    {
      rule: "statement ids are unique within a role",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          '      statements:\n        - sid: A\n          actions: ["s3:GetObject"]\n        - sid: A\n          actions: ["s3:PutObject"]',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message: /sid "A" is used twice/,
    },
    {
      rule: "inline statements fit IAM's size limit with the expiry conditions",
      files: {
        "policies/zz-role.yaml": roleFile(
          "",
          `      statements:\n        - actions: ["s3:GetObject"]\n          resources:\n${Array.from(
            { length: 300 },
            (_, i) => `            - arn:aws:s3:::bucket-number-${i}/*\n`,
          ).join("")}`,
        ),
      },
      file: "policies/zz-role.yaml",
      line: 8,
      message: /render to \d+ characters .* more than the 9216 available/,
    },
    {
      rule: "a ticket pattern is a valid regular expression",
      files: {
        "policies/zz-role.yaml": roleFile('    ticket:\n      pattern: "^(INC-[0-9]+$"\n'),
      },
      file: "policies/zz-role.yaml",
      line: 12,
      message:
        /the ticket pattern cannot be evaluated in linear time: the "\(" at character 2 is not closed/,
    },
    {
      rule: "a ticket pattern runs in linear time: no backreferences",
      files: {
        "policies/zz-role.yaml": roleFile('    ticket:\n      pattern: "^(INC)-\\\\1$"\n'),
      },
      file: "policies/zz-role.yaml",
      line: 12,
      message:
        /the ticket pattern cannot be evaluated in linear time: backreferences \(\\1 at character 8\) need backtracking/,
      field: "roles.extra-role.ticket.pattern",
    },
    {
      rule: "a ticket pattern runs in linear time: no lookahead",
      files: {
        "policies/zz-role.yaml": roleFile(
          '    ticket:\n      pattern: "^(?!TEST)[A-Z]+-[0-9]+$"\n',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 12,
      message: /lookahead and lookbehind .* are not supported/,
    },
    {
      rule: "a ticket pattern is small enough to run in bounded time",
      files: {
        "policies/zz-role.yaml": roleFile('    ticket:\n      pattern: "(.?{30}){30}"\n'),
      },
      file: "policies/zz-role.yaml",
      line: 12,
      message: /the ticket pattern cannot be evaluated in linear time/,
    },
    {
      rule: "a role named __proto__ is an error, never silently dropped",
      files: { "policies/zz-role.yaml": roleFile("").replace("extra-role:", "__proto__:") },
      file: "policies/zz-role.yaml",
      line: 2,
      message: /the key "__proto__" is not allowed/,
    },
    {
      rule: "an identity named __proto__ is an error, never silently dropped",
      files: {
        "policies/zz-people.yaml":
          "identities:\n  __proto__:\n    awsPrincipal: arn:aws:iam::444455556666:user/zed\n",
      },
      file: "policies/zz-people.yaml",
      line: 2,
      message: /the key "__proto__" is not allowed/,
    },
    {
      rule: "a rule cannot ask for more approvals than the people it names",
      files: {
        "policies/zz-role.yaml": roleFile("").replace(
          "        - count: 1\n",
          '        - count: 3\n          from: ["@alice", "@bob", "@Alice"]\n',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message:
        /these approval rules need 3 different approvers, but only 2 people can give them \(@alice, @bob\)/,
      field: "roles.extra-role.approval.rules",
    },
    {
      rule: "rules naming the same people cannot each have their own approver",
      files: {
        "policies/zz-role.yaml": roleFile("").replace(
          "        - count: 1\n",
          '        - count: 1\n          from: ["@alice"]\n        - count: 1\n          from: ["@alice"]\n',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 10,
      message: /need 2 different approvers, but only 1 person can give them \(@alice\)/,
    },
    {
      rule: "a break-glass rule cannot ask for more approvals than the people it names",
      files: {
        "policies/zz-role.yaml": roleFile(
          '    breakGlass:\n      allowed: true\n      maxDuration: 1h\n      approval:\n        rules:\n          - count: 2\n            from: ["@carol"]\n',
        ),
      },
      file: "policies/zz-role.yaml",
      line: 16,
      message: /need 2 different approvers, but only 1 person can give them \(@carol\)/,
      field: "roles.extra-role.breakGlass.approval.rules",
    },
    {
      rule: "a broker role lives in its own account",
      files: {
        "policies/accounts.yaml": examplePolicyFiles["policies/accounts.yaml"].replace(
          "arn:aws:iam::210987654321:role/hallpass-broker",
          "arn:aws:iam::123456789012:role/hallpass-broker",
        ),
      },
      file: "policies/accounts.yaml",
      line: 4,
      message: /brokerRole must be an IAM role in this account \(arn:aws:iam::210987654321:role/,
    },
    {
      rule: "an account id is used by one account only",
      files: {
        "policies/accounts.yaml": examplePolicyFiles["policies/accounts.yaml"]
          .replace('id: "210987654321"', 'id: "123456789012"')
          .replace("arn:aws:iam::210987654321:role", "arn:aws:iam::123456789012:role"),
      },
      file: "policies/accounts.yaml",
      line: 7,
      message: /account id 123456789012 is also used by account "staging"/,
    },
    {
      rule: "an account's own boundary lives in that account",
      files: {
        "policies/accounts.yaml": examplePolicyFiles["policies/accounts.yaml"].replace(
          "    regions: [eu-west-1]\n",
          "    regions: [eu-west-1]\n    permissionsBoundary: arn:aws:iam::123456789012:policy/b\n",
        ),
      },
      file: "policies/accounts.yaml",
      line: 6,
      message: /must be a policy in account 210987654321, not 123456789012/,
    },
    {
      rule: "the organisation's boundary names each account's own policy ({accountId})",
      files: {
        "policies/settings.yaml": settingsFile.replace("{accountId}", "123456789012"),
      },
      file: "policies/settings.yaml",
      line: 2,
      message:
        /for account "staging", the permissions boundary must be a policy in account 210987654321/,
    },
    {
      rule: "an identity's principal is an IAM user or role session",
      files: {
        "policies/zz-people.yaml":
          "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:group/devs\n",
      },
      file: "policies/zz-people.yaml",
      line: 3,
      message: /must be an IAM user ARN/,
    },
    {
      rule: "no two people share an AWS principal",
      files: {
        "policies/zz-people.yaml":
          "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:user/alice\n",
      },
      file: "policies/zz-people.yaml",
      line: 3,
      message: /"dave" and "alice" \(policies\/identities.yaml:3\) reach the same AWS principal/,
    },
    {
      rule: "a login is mapped once, whatever its capitals",
      files: {
        "policies/zz-people.yaml":
          "identities:\n  Alice:\n    awsPrincipal: arn:aws:iam::444455556666:user/alice2\n",
      },
      file: "policies/zz-people.yaml",
      line: 2,
      message: /"Alice" and "alice" are the same GitHub login/,
    },
    {
      rule: "alert names are unique",
      files: {
        "policies/settings.yaml": `${settingsFile}  alerts:\n    - name: deletes\n      actions: ["*:Delete*"]\n    - name: deletes\n`,
      },
      file: "policies/settings.yaml",
      line: 7,
      message: /alert "deletes" is defined twice/,
    },
    {
      rule: "alert actions are event patterns",
      files: {
        "policies/settings.yaml": `${settingsFile}  alerts:\n    - name: deletes\n      actions: ["Delete*"]\n`,
      },
      file: "policies/settings.yaml",
      line: 6,
      message: /"Delete\*" is not an event pattern/,
    },
    {
      rule: "auditDelay parses",
      files: { "policies/settings.yaml": `${settingsFile}  auditDelay: later\n` },
      file: "policies/settings.yaml",
      line: 4,
      message: /"later" is not a duration/,
    },
    {
      rule: "an unquoted account id is refused with the fix (YAML would read a number)",
      files: {
        "policies/accounts.yaml": examplePolicyFiles["policies/accounts.yaml"].replace(
          'id: "210987654321"',
          "id: 012345678901",
        ),
      },
      file: "policies/accounts.yaml",
      line: 3,
      message: /must be text, but is the number 12345678901. Put it in quotes \("012345678901"\)/,
    },
    {
      rule: "names are lower-case words",
      files: { "policies/zz-role.yaml": roleFile("").replace("extra-role:", "Extra_Role:") },
      file: "policies/zz-role.yaml",
      line: 2,
      message: /the name "Extra_Role" must be lower-case letters/,
    },
    {
      rule: "unknown keys in policies are errors with did-you-mean",
      files: { "policies/zz-role.yaml": roleFile("    maxDurations: 2h\n") },
      file: "policies/zz-role.yaml",
      line: 11,
      message: /unknown field "maxDurations". Did you mean "maxDuration"\?/,
    },
    {
      rule: "a policy file with a YAML error is located",
      files: { "policies/zz-role.yaml": "roles:\n  a: 1\n  a: 2\n" },
      file: "policies/zz-role.yaml",
      line: 3,
      message: /"a" appears more than once/,
    },
  ];

  it.each(cases)("$rule", ({ files, file, line, message, field }) => {
    const { policies, problems } = loadPolicies(examplePolicySources(files));
    expect(policies).toBeUndefined();
    const problem = problems.find((p) => message.test(p.message));
    expect(problem, problems.map(formatProblem).join("\n")).toBeDefined();
    expect(problem).toMatchObject({ file, line, severity: "error" });
    if (field !== undefined) expect(problem?.field).toBe(field);
  });

  it("checks the schema of a policy file with a duplicate key, and stays closed", () => {
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("    maxDurations: 2h\n").replace(
          "    maxDuration: 1h\n",
          "    maxDuration: 1h\n    description: Again.\n",
        ),
      }),
    );
    expect(policies).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^policies\/zz-role.yaml:6:5: error: the key "description" appears more than once in the same mapping \(first at line 3\)/,
      ),
      expect.stringMatching(
        /^policies\/zz-role.yaml:12:5: error: unknown field "maxDurations". Did you mean "maxDuration"\?/,
      ),
    ]);
  });

  it("does not check references against a file with a duplicate key, whose earlier definitions are lost", () => {
    const accounts = examplePolicyFiles["policies/accounts.yaml"];
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/accounts.yaml": `${accounts}accounts:\n  sandbox:\n    id: "111111111111"\n    description: Sandbox.\n    brokerRole: arn:aws:iam::111111111111:role/hallpass-broker\n    regions: [eu-west-1]\n`,
      }),
    );
    expect(policies).toBeUndefined();
    // Only the duplicate: not "account production is not defined" for every role using it.
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^policies\/accounts.yaml:10:1: error: the key "accounts" appears more than once in the same mapping \(first at line 1\)/,
      ),
    ]);
  });

  it("reports a missing policies folder", () => {
    const { policies, problems } = loadPolicies([]);
    expect(policies).toBeUndefined();
    expect(problems[0]?.message).toMatch(/no policy files found/);
  });

  it("requires at least one account and one role", () => {
    const { policies, problems } = loadPolicies([
      { path: "policies/s.yaml", content: settingsFile },
    ]);
    expect(policies).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([
      "no accounts are defined: add an accounts: section.",
      "no roles are defined: add a roles: section.",
    ]);
  });

  it("reports problems from several files at once", () => {
    const { problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-a.yaml": "identities:\n  dave:\n    awsPrincipal: nope\n",
        "policies/zz-b.yaml": "roles:\n  x:\n    description: 5\n",
      }),
    );
    expect(problems.map((p) => p.file)).toEqual([
      "policies/zz-a.yaml",
      "policies/zz-b.yaml",
      "policies/zz-b.yaml",
      "policies/zz-b.yaml",
      "policies/zz-b.yaml",
      "policies/zz-b.yaml",
    ]);
  });
});

describe("loadPolicies: one person, one principal", () => {
  const dave = (principal: string) => ({
    "policies/zz-people.yaml": `identities:\n  dave:\n    awsPrincipal: ${principal}\n`,
  });
  const refused: { case: string; principal: string; message: RegExp }[] = [
    {
      case: "the same user with a path",
      principal: "arn:aws:iam::444455556666:user/engineers/alice",
      message:
        /"dave" and "alice" \(policies\/identities.yaml:3\) reach the same AWS principal: IAM user alice in account 444455556666/,
    },
    {
      case: "the same user in other capitals (IAM names are case-insensitive)",
      principal: "arn:aws:iam::444455556666:user/ALICE",
      message: /"dave" and "alice" \(policies\/identities.yaml:3\) reach the same AWS principal/,
    },
    {
      case: "the same role session in other capitals",
      principal: "arn:aws:sts::444455556666:assumed-role/awsreservedsso_eng_0123/Carol@Example.com",
      message:
        /"dave" and "carol" \(policies\/identities.yaml:7\) reach the same AWS principal: session carol@example.com of role awsreservedsso_eng_0123/,
    },
    {
      case: "a role whose session another person is",
      principal: "arn:aws:iam::444455556666:role/AWSReservedSSO_Eng_0123",
      message:
        /"dave" and "carol" \(policies\/identities.yaml:7\) reach the same AWS principal: role awsreservedsso_eng_0123 and its sessions/,
    },
    {
      case: "a role with a path whose session another person is",
      principal:
        "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Eng_0123",
      message: /"dave" and "carol" \(policies\/identities.yaml:7\) reach the same AWS principal/,
    },
    {
      case: "a plain role, which everyone its trust admits can use",
      principal: "arn:aws:iam::444455556666:role/engineers",
      message:
        /is a role, which everyone its trust policy admits can use.*map this person to their IAM user or to their own role session/,
    },
  ];

  it.each(refused)("refuses $case", ({ principal, message }) => {
    const { policies, problems } = loadPolicies(examplePolicySources(dave(principal)));
    expect(policies).toBeUndefined();
    const problem = problems.find((p) => message.test(p.message));
    expect(problem, problems.map(formatProblem).join("\n")).toMatchObject({
      file: "policies/zz-people.yaml",
      line: 3,
      severity: "error",
      field: "identities.dave.awsPrincipal",
    });
  });

  it("accepts another person's session of the same role, and another account's user of the same name", () => {
    for (const principal of [
      "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Eng_0123/dave@example.com",
      "arn:aws:iam::111122223333:user/alice",
    ]) {
      const { policies, problems } = loadPolicies(examplePolicySources(dave(principal)));
      expect(problems.map(formatProblem)).toEqual([]);
      expect(policies?.identities.dave?.awsPrincipal).toBe(principal);
    }
  });
});

describe("loadPolicies counts approvers only where policies can", () => {
  it("accepts a count a team may meet, since its members are not in policies/", () => {
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("").replace(
          "        - count: 1\n",
          '        - count: 5\n          from: ["@acme/sre", "@alice"]\n        - count: 2\n          from: ["@alice", "@bob"]\n',
        ),
      }),
    );
    expect(problems.map(formatProblem)).toEqual([]);
    expect(policies).toBeDefined();
  });
});

describe("loadPolicies warnings do not block", () => {
  it("warns above IAM's default quota of managed policies per role", () => {
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(", ");
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("", `      managedPolicies: [${arns}]`),
      }),
    );
    expect(policies).toBeDefined();
    expect(problems).toMatchObject([
      { severity: "warning", line: 7, message: expect.stringMatching(/default quota is 10/) },
    ]);
  });
});

describe("loadPolicies: persistence opt-ins (allowPersistence)", () => {
  it("accepts the class names and keeps them for the planner", () => {
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("    allowPersistence: [resource-policies, federation]"),
      }),
    );
    expect(problems).toEqual([]);
    expect(policies!.roles["extra-role"]!.allowPersistence).toEqual([
      "resource-policies",
      "federation",
    ]);
  });

  it("refuses a class that does not exist, at its line, naming the classes there are", () => {
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("    allowPersistence: [backdoors]"),
      }),
    );
    expect(policies).toBeUndefined();
    expect(problems.map(formatProblem).join("\n")).toMatch(
      /zz-role\.yaml:11.*federation.*other-principals.*resource-policies.*sign-in-routes/,
    );
  });

  it("warns of a class listed twice", () => {
    const { problems } = loadPolicies(
      examplePolicySources({
        "policies/zz-role.yaml": roleFile("    allowPersistence: [federation, federation]"),
      }),
    );
    expect(problems).toMatchObject([
      {
        severity: "warning",
        line: 11,
        message: expect.stringMatching(/"federation" is listed twice/),
      },
    ]);
  });

  it("warns when an account of the role has a boundary of its own, which may not read the opt-in tags", () => {
    const accounts = examplePolicyFiles["policies/accounts.yaml"].replace(
      "    regions: [eu-west-1, us-east-1]",
      "    regions: [eu-west-1, us-east-1]\n    permissionsBoundary: arn:aws:iam::123456789012:policy/custom",
    );
    const { policies, problems } = loadPolicies(
      examplePolicySources({
        "policies/accounts.yaml": accounts,
        "policies/zz-role.yaml": roleFile("    allowPersistence: [sign-in-routes]"),
      }),
    );
    expect(policies).toBeDefined();
    expect(problems).toMatchObject([
      {
        severity: "warning",
        file: "policies/zz-role.yaml",
        line: 11,
        message: expect.stringMatching(
          /account "production" uses its own permissions boundary.*hallpass:allow-persistence-sign-in-routes/,
        ),
      },
    ]);
  });
});

describe("inlinePolicySize", () => {
  it("measures the statements as IAM does, without whitespace, with the expiry condition", () => {
    const size = inlinePolicySize([
      { effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] },
    ]);
    expect(size).toBe(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: ["*"],
            Condition: {
              DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-26T12:00:00.000Z" },
              DateLessThan: { "aws:CurrentTime": "2026-11-26T14:00:00.000Z" },
            },
          },
        ],
      }).length,
    );
  });
});
