import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  parseRequest,
  permissionsBoundaryFor,
  validateRequest,
} from "../../../src/core/request/validate-request.ts";
import { formatProblem } from "../../../src/core/source/problem.ts";
import { examplePolicies } from "../../support/example-policies.ts";

const policies = examplePolicies();
const now = new Date("2026-11-26T12:00:00Z");
const path = "access-requests/alice/db.yaml";

const base = {
  requester: "alice",
  role: "db-admin",
  account: "production",
  duration: "2h",
  reason: "Fail over the orders database before the storage maintenance.",
  ticket: "CHG-4821",
};

/** Renders fields in order; a field set to undefined is left out. */
function requestText(fields: Record<string, unknown>): string {
  const kept = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return `# yaml-language-server: $schema=../schema.json\n${stringify(kept)}`;
}

function check(content: string) {
  return validateRequest({ path, content }, policies, { now });
}

describe("validateRequest runs a role's ticket pattern in linear time", () => {
  it("judges a 200-character ticket against a catastrophic pattern at once", () => {
    // With a backtracking engine, ^(a+)+$ on "aaa…a!" takes 2^200 steps: validate, plan and
    // every webhook of the app would hang on this request.
    const withPattern = examplePolicies();
    withPattern.roles["db-admin"]!.ticket = { required: true, pattern: "^(a+)+$" };
    const ticket = `${"a".repeat(199)}!`;
    const { value, problems } = validateRequest(
      { path, content: requestText({ ...base, ticket }) },
      withPattern,
      { now },
    );
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([
      `ticket "${ticket}" does not match the pattern ^(a+)+$ that role "db-admin" requires.`,
    ]);
  });

  it("fails closed on a pattern the linear engine refuses", () => {
    const withPattern = examplePolicies();
    withPattern.roles["db-admin"]!.ticket = { required: true, pattern: "^(CHG)-\\1$" };
    const refused = validateRequest(
      { path, content: requestText({ ...base, ticket: "CHG-CHG" }) },
      withPattern,
      { now },
    );
    expect(refused.value).toBeUndefined();
    expect(refused.problems.map((p) => p.message)).toEqual([
      'role "db-admin" has a ticket pattern that cannot be evaluated in linear time; ask the security team to fix it.',
    ]);
  });
});

describe("validateRequest accepts valid requests", () => {
  it("resolves the role, account and identity and parses the duration", () => {
    const { value, problems } = check(requestText(base));
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      path,
      durationSeconds: 7_200,
      start: undefined,
      emergency: false,
      role: { maxDuration: "4h" },
      account: { id: "123456789012" },
      identity: { awsPrincipal: "arn:aws:iam::444455556666:user/alice" },
    });
  });

  it.each([
    { name: "an ISO-8601 duration", fields: { duration: "PT90M" }, seconds: 5_400 },
    { name: "a combined short duration", fields: { duration: "1h30m" }, seconds: 5_400 },
    { name: "exactly the role's maximum", fields: { duration: "4h" }, seconds: 14_400 },
    {
      name: "an emergency within the break-glass limit",
      fields: { emergency: true, duration: "1h" },
      seconds: 3_600,
    },
    {
      name: "a requester spelled with other capitals (logins are case-insensitive)",
      fields: { requester: "Alice" },
      seconds: 7_200,
    },
    {
      name: "a role without a ticket rule and no ticket",
      fields: { role: "prod-readonly", ticket: undefined },
      seconds: 7_200,
    },
    {
      name: "an extension of an earlier request",
      fields: { extends: "access-requests/alice/db-earlier.yaml" },
      seconds: 7_200,
    },
  ])("$name", ({ fields, seconds }) => {
    const { value, problems } = check(requestText({ ...base, ...fields }));
    expect(problems).toEqual([]);
    expect(value?.durationSeconds).toBe(seconds);
  });

  it("keeps a future start with its offset", () => {
    const { value } = check(requestText({ ...base, start: "2026-11-27T10:00:00+01:00" }));
    expect(value?.start?.toISOString()).toBe("2026-11-27T09:00:00.000Z");
  });
});

describe("validateRequest reports each broken rule at its line", () => {
  const cases: {
    rule: string;
    fields: Record<string, unknown>;
    field: string;
    line: number;
    message: RegExp;
  }[] = [
    {
      rule: "the role exists (with did-you-mean)",
      fields: { role: "db-admn" },
      field: "role",
      line: 3,
      message: /role "db-admn" is not defined.*Did you mean "db-admin"/,
    },
    {
      rule: "the role exists (listing roles when nothing is close)",
      fields: { role: "superuser" },
      field: "role",
      line: 3,
      message: /Roles: prod-readonly, db-admin, staging-only/,
    },
    {
      rule: "a role name that is an Object property is still unknown",
      fields: { role: "constructor" },
      field: "role",
      line: 3,
      message: /role "constructor" is not defined/,
    },
    {
      rule: "the account exists",
      fields: { account: "prod" },
      field: "account",
      line: 4,
      message: /account "prod" is not defined/,
    },
    {
      rule: "the role is allowed in the account",
      fields: { account: "staging" },
      field: "account",
      line: 4,
      message: /cannot be granted in account "staging"; it is available in: production/,
    },
    {
      rule: "the duration parses",
      fields: { duration: "two hours" },
      field: "duration",
      line: 5,
      message: /is not a duration/,
    },
    {
      rule: "the duration is positive",
      fields: { duration: "0m" },
      field: "duration",
      line: 5,
      message: /longer than zero/,
    },
    {
      rule: "the duration is within the role's maximum",
      fields: { duration: "5h" },
      field: "duration",
      line: 5,
      message: /5h is longer than the 4h role "db-admin" allows/,
    },
    {
      rule: "an emergency duration is within the break-glass maximum",
      fields: { emergency: true, duration: "2h" },
      field: "duration",
      line: 5,
      message: /2h is longer than the 1h .* for break-glass/,
    },
    {
      rule: "emergency only where the role allows it",
      fields: { role: "prod-readonly", emergency: true },
      field: "emergency",
      line: 8,
      message: /does not allow break-glass/,
    },
    {
      rule: "the requester has an identity",
      fields: { requester: "mallory" },
      field: "requester",
      line: 2,
      message: /"mallory" has no identity/,
    },
    {
      rule: "the reason is long enough",
      fields: { reason: "db stuff" },
      field: "reason",
      line: 6,
      message: /too short \(8 characters, at least 20\)/,
    },
    {
      rule: "the reason is more than a placeholder",
      fields: { reason: "testing testing testing" },
      field: "reason",
      line: 6,
      message: /not specific enough/,
    },
    {
      rule: "a ticket is given where the role requires one",
      fields: { ticket: undefined },
      field: "ticket",
      line: 2,
      message: /requires a ticket.*\^\(INC\|CHG\)-\[0-9\]\+\$/,
    },
    {
      rule: "the ticket matches the role's pattern",
      fields: { ticket: "JIRA-12" },
      field: "ticket",
      line: 7,
      message: /"JIRA-12" does not match/,
    },
    {
      rule: "the ticket is not a novel",
      fields: { ticket: `INC-${"1".repeat(300)}` },
      field: "ticket",
      line: 7,
      message: /longer than 200 characters/,
    },
    {
      rule: "the start is not in the past",
      fields: { start: "2026-11-26T11:59:00Z" },
      field: "start",
      line: 8,
      message: /is in the past \(now is 2026-11-26T12:00:00.000Z\)/,
    },
    {
      rule: "the start has an offset",
      fields: { start: "2026-11-27T09:00:00" },
      field: "start",
      line: 8,
      message: /not an ISO-8601 time with an offset/,
    },
    {
      rule: "the start is a real date",
      fields: { start: "2026-02-30T09:00:00Z" },
      field: "start",
      line: 8,
      message: /not a real date/,
    },
    {
      rule: "extends names a request file",
      fields: { extends: "README.md" },
      field: "extends",
      line: 8,
      message: /is not a request file/,
    },
    {
      rule: "a request does not extend itself",
      fields: { extends: path },
      field: "extends",
      line: 8,
      message: /cannot extend itself/,
    },
    {
      rule: "extends cannot climb out of access-requests/ with ..",
      fields: { extends: "access-requests/../policies/roles.yaml" },
      field: "extends",
      line: 8,
      message:
        /"access-requests\/..\/policies\/roles.yaml" is policies\/roles.yaml, which is not a request file/,
    },
    {
      rule: "extends cannot disguise the request itself with //",
      fields: { extends: "access-requests//alice/db.yaml" },
      field: "extends",
      line: 8,
      message: /cannot extend itself/,
    },
    {
      rule: "extends cannot disguise the request itself with . and ..",
      fields: { extends: "access-requests/bob/../alice/./db.yaml" },
      field: "extends",
      line: 8,
      message: /cannot extend itself/,
    },
    {
      rule: "extends is written in its plain form",
      fields: { extends: "access-requests/alice/./db-earlier.yaml" },
      field: "extends",
      line: 8,
      message: /write it as access-requests\/alice\/db-earlier.yaml/,
    },
    {
      rule: "a control character written as an escape is refused in free text",
      fields: { reason: "Fail over the orders database \u001b[2J before maintenance." },
      field: "reason",
      line: 6,
      message: /control character U\+001B \(written as an escape\)/,
    },
    {
      rule: "unknown fields are errors, with did-you-mean",
      fields: { emergancy: true },
      field: "emergancy",
      line: 8,
      message: /unknown field "emergancy". Did you mean "emergency"\?/,
    },
    {
      rule: "unknown fields far from any known one list the known fields",
      fields: { priority: "high" },
      field: "priority",
      line: 8,
      message: /Known fields here: requester, role, account/,
    },
    {
      rule: "required fields are present",
      fields: { reason: undefined },
      field: "reason",
      line: 2,
      message: /missing required field "reason"/,
    },
    {
      rule: "text fields are text (a number is told to use quotes)",
      fields: { duration: 90 },
      field: "duration",
      line: 5,
      message: /"duration" must be text, but is the number 90. Put it in quotes \("90"\)/,
    },
    {
      rule: "emergency is a boolean (YAML 1.1 yes is text)",
      fields: { emergency: "yes" },
      field: "emergency",
      line: 8,
      message: /must be true or false, but is the text "yes"/,
    },
    {
      rule: "the requester is a GitHub login",
      fields: { requester: "alice smith" },
      field: "requester",
      line: 2,
      message: /must be a GitHub login/,
    },
  ];

  it.each(cases)("$rule", ({ fields, field, line, message }) => {
    const { value, problems } = check(requestText({ ...base, ...fields }));
    expect(value).toBeUndefined();
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem).toMatchObject({ file: path, line, severity: "error" });
    expect(problem!.message).toMatch(message);
  });
});

describe("validateRequest: a request's path", () => {
  it.each([
    [
      "access-requests/alice/my db.yaml",
      /has characters other than letters, digits, "-", "_", "." and "\/" \(" "\): rename it, such as access-requests\/alice\/my-db.yaml/,
    ],
    ["access-requests/alice/db`x`.yaml", /\("`"\)/],
    ["access-requests/alice/db]).yaml", /\("\]", "\)"\)/],
    ["access-requests/alice//db.yaml", /empty folder names/],
    [
      `access-requests/alice/${"x".repeat(240)}.yaml`,
      /is 267 characters long, more than the 256 an AWS tag value holds/,
    ],
    ["access-requests/alice/../db.yaml", /"\." or "\.\." folder names/],
    [
      "access-requests/unrecorded/123456789012/hallpass-x.yaml",
      /is in access-requests\/unrecorded\/, the sweep's own folder/,
    ],
  ])("refuses %s, with the fix", (requestPath, message) => {
    const { value, problems } = validateRequest(
      { path: requestPath, content: requestText(base) },
      policies,
      { now },
    );
    expect(value).toBeUndefined();
    expect(problems).toMatchObject([
      {
        file: requestPath,
        line: 1,
        column: 1,
        severity: "error",
        message: expect.stringMatching(message),
      },
    ]);
  });
});

describe("validateRequest reports all problems of a file at once", () => {
  it("lists schema and rule problems together, in reading order", () => {
    const content = requestText({
      requester: "mallory",
      role: "db-admin",
      account: "staging",
      duration: "9h",
      reason: "fix",
      ticket: "JIRA-1",
      emergancy: true,
    });
    const { value, problems } = check(content);
    expect(value).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      `${path}:2:12: error: "mallory" has no identity in policies/ (identities:): ask the security team to map this GitHub login to the AWS principal they sign in as. (requester)`,
      `${path}:4:10: error: role "db-admin" cannot be granted in account "staging"; it is available in: production. (account)`,
      `${path}:5:11: error: 9h is longer than the 4h role "db-admin" allows; ask for at most 4h and extend later if needed. (duration)`,
      `${path}:6:9: error: the reason is too short (3 characters, at least 20): say what is broken or being done, and why it needs production access, so a reviewer can judge it. (reason)`,
      `${path}:7:9: error: ticket "JIRA-1" does not match the pattern ^(INC|CHG)-[0-9]+$ that role "db-admin" requires. (ticket)`,
      `${path}:8:1: error: unknown field "emergancy". Did you mean "emergency"? (emergancy)`,
    ]);
  });

  it("lists at most 50 schema problems, then says how many more", () => {
    const junk = Array.from({ length: 70 }, (_, i) => `junk${i}: x\n`).join("");
    const { problems } = check(`${requestText(base)}${junk}`);
    expect(problems).toHaveLength(51);
    expect(problems[0]).toMatchObject({
      line: 1,
      message: "20 more problems in this file are not listed; fix the listed ones first.",
    });
  });

  it("does not let a __proto__ key smuggle in a field", () => {
    const { role: _role, ...rest } = base;
    const content = `__proto__:\n  role: db-admin\n${stringify(rest)}`;
    const { value, problems } = check(content);
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([
      'the key "__proto__" is not allowed: JavaScript reads it as an object\'s prototype, so its value would be lost. Rename it.',
    ]);
  });

  it("stops at syntax errors, which make the rest unreadable", () => {
    const { value, problems } = check("role: db-admn\nreason: [fix\n");
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^the \[ that opens here is never closed/),
    ]);
  });
});

describe("validateRequest checks the rest of a file with duplicate keys, which stays invalid", () => {
  const dup = (line: number, first: number, key: string) =>
    `${path}:${line}:1: error: the key "${key}" appears more than once in the same mapping (first at line ${first}); keep only one. The other checks of this file read its last value.`;
  const lines = (...entries: string[]) => `${entries.join("\n")}\n`;
  const valid = Object.entries(base).map(([key, value]) => `${key}: ${value}`);
  const cases: { name: string; content: string; problems: string[] }[] = [
    {
      name: "every problem of the file, not only the duplicate",
      content: lines(
        "requester: alice",
        "role: db-admn",
        "account: production",
        "duration: 9h",
        "reason: fix",
        "emergancy: true",
        "requester: bob",
      ),
      problems: [
        `${path}:2:7: error: role "db-admn" is not defined in policies/. Did you mean "db-admin"? (role)`,
        `${path}:5:9: error: the reason is too short (3 characters, at least 20): say what is broken or being done, and why it needs production access, so a reviewer can judge it. (reason)`,
        `${path}:6:1: error: unknown field "emergancy". Did you mean "emergency"? (emergancy)`,
        dup(7, 1, "requester"),
      ],
    },
    {
      name: "a duplicate of a valid field with the same value",
      content: lines(...valid, "role: db-admin"),
      problems: [dup(7, 2, "role")],
    },
    {
      name: "a wrong first value replaced by a valid last one",
      content: lines("role: nope", ...valid),
      problems: [dup(3, 1, "role")],
    },
    {
      name: "a valid first value replaced by a wrong last one, checked where it is written",
      content: lines(...valid, "duration: 9h"),
      problems: [
        dup(7, 4, "duration"),
        `${path}:7:11: error: 9h is longer than the 4h role "db-admin" allows; ask for at most 4h and extend later if needed. (duration)`,
      ],
    },
    {
      name: "a duplicate next to a schema problem in another field",
      content: lines(...valid, "ticket: CHG-1", "start: tomorrow"),
      problems: [
        dup(7, 6, "ticket"),
        `${path}:8:8: error: "tomorrow" is not an ISO-8601 time with an offset: write it like 2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00, or remove start to begin when the pull request is merged. (start)`,
      ],
    },
  ];

  it.each(cases)("$name", ({ content, problems }) => {
    const result = check(content);
    expect(result.value).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual(problems);
    expect(parseRequest({ path, content }).value).toBeUndefined();
  });
});

describe("parseRequest", () => {
  it("checks syntax and schema without policies", () => {
    expect(parseRequest({ path, content: requestText(base) }).value).toEqual(base);
    expect(parseRequest({ path, content: "role: 5\n" }).problems.length).toBeGreaterThan(1);
  });
});

describe("permissionsBoundaryFor", () => {
  it("substitutes the account id into the organisation's boundary", () => {
    expect(permissionsBoundaryFor(policies, "production")).toBe(
      "arn:aws:iam::123456789012:policy/hallpass-boundary",
    );
  });

  it("prefers the account's own boundary", () => {
    const own = "arn:aws:iam::210987654321:policy/staging-boundary";
    const withOwn = {
      ...policies,
      accounts: {
        ...policies.accounts,
        staging: { ...policies.accounts.staging!, permissionsBoundary: own },
      },
    };
    expect(permissionsBoundaryFor(withOwn, "staging")).toBe(own);
  });

  it.each(["nope", "constructor"])("throws for an undefined account (%s)", (name) => {
    expect(() => permissionsBoundaryFor(policies, name)).toThrow(/not defined/);
  });
});

describe("validateRequest: exactly the problems a file has, no more", () => {
  const reasonAdvice =
    "say what is broken or being done, and why it needs production access, so a reviewer can judge it.";
  const extendsAdvice =
    "give the path of an earlier request from the repository root, such as access-requests/alice/db.yaml";
  const controlCharacter = (line: number, field: string) =>
    `${path}:${line}:9: error: the text contains the control character U+001B (written as an escape); control characters can rewrite what a terminal or a reviewer shows. Remove it. (${field})`;
  const cases: { name: string; fields: Record<string, unknown>; problems: string[] }[] = [
    ...["requester", "role", "account"].map((field) => ({
      name: `a missing ${field} is only missing, never judged as an unknown one`,
      fields: { [field]: undefined },
      problems: [
        `${path}:2:1: error: missing required field "${field}": add ${field === "account" ? "an" : "a"} "${field}:" line. (${field})`,
      ],
    })),
    {
      name: "an account named like an Object property is unknown, with the accounts listed",
      fields: { account: "constructor" },
      problems: [
        `${path}:4:10: error: account "constructor" is not defined in policies/. Accounts: staging, production. (account)`,
      ],
    },
    {
      name: "an account close to a known one gets did-you-mean, not the list",
      fields: { account: "productoin" },
      problems: [
        `${path}:4:10: error: account "productoin" is not defined in policies/. Did you mean "production"? (account)`,
      ],
    },
    {
      // Its own safeParse passes, but the field has a problem: it is not judged again.
      name: "a ticket refused for a control character is not also missing",
      fields: { ticket: "CHG-1\u001b" },
      problems: [controlCharacter(7, "ticket")],
    },
    {
      name: "a reason refused for a control character is not also too short",
      fields: { reason: "fix \u001b" },
      problems: [controlCharacter(6, "reason")],
    },
    {
      name: "extends that climbs out of the repository",
      fields: { extends: "../x.yaml" },
      problems: [
        `${path}:8:10: error: "../x.yaml" is not a request file: ${extendsAdvice}. (extends)`,
      ],
    },
    {
      name: "extends that names a file that is not a request",
      fields: { extends: "README.md" },
      problems: [
        `${path}:8:10: error: "README.md" is not a request file: ${extendsAdvice}. (extends)`,
      ],
    },
    {
      name: "extends whose plain form is not a request",
      fields: { extends: "access-requests/../policies/roles.yaml" },
      problems: [
        `${path}:8:10: error: "access-requests/../policies/roles.yaml" is policies/roles.yaml, which is not a request file: ${extendsAdvice}. (extends)`,
      ],
    },
    {
      name: "extends naming a request path no request can have",
      fields: { extends: "access-requests/unrecorded/1/x.yaml" },
      problems: [
        `${path}:8:10: error: access-requests/unrecorded/1/x.yaml is in access-requests/unrecorded/, the sweep's own folder for roles made outside hallpass, where no request may live: move it to another folder, such as access-requests/<your login>/; it cannot be a request. (extends)`,
      ],
    },
    {
      name: "a reason is measured without its surrounding spaces",
      fields: { reason: "   Restart stuck jobs   " },
      problems: [
        `${path}:6:9: error: the reason is too short (18 characters, at least 20): ${reasonAdvice} (reason)`,
      ],
    },
    {
      name: "a reason one character short of the minimum",
      fields: { reason: "Restart stuck jobsX" },
      problems: [
        `${path}:6:9: error: the reason is too short (19 characters, at least 20): ${reasonAdvice} (reason)`,
      ],
    },
    {
      name: "a reason of exactly the minimum length",
      fields: { reason: "Restart stuck jobsXY" },
      problems: [],
    },
    {
      name: "a reason of exactly three words",
      fields: { reason: "Restart stuck payments" },
      problems: [],
    },
    {
      name: "a reason of two words",
      fields: { reason: "Restart stuckpayments" },
      problems: [`${path}:6:9: error: the reason is not specific enough: ${reasonAdvice} (reason)`],
    },
    {
      name: "a start that is a date without a time",
      fields: { start: "2026-11-27" },
      problems: [
        `${path}:8:8: error: "2026-11-27" is not an ISO-8601 time with an offset: write it like 2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00, or remove start to begin when the pull request is merged. (start)`,
      ],
    },
    {
      name: "a start at this very second",
      fields: { start: "2026-11-26T12:00:00Z" },
      problems: [],
    },
  ];

  it.each(cases)("$name", ({ fields, problems }) => {
    const result = check(requestText({ ...base, ...fields }));
    expect(result.problems.map(formatProblem)).toEqual(problems);
    expect(result.value === undefined).toBe(problems.length > 0);
  });

  it("judges a request without a role or account against none, even one named undefined", () => {
    const withOdd = examplePolicies();
    // A role that would refuse this request's 2h, were it judged against it.
    withOdd.roles.undefined = { ...withOdd.roles["db-admin"]!, maxDuration: "1h" };
    const { problems } = validateRequest(
      { path, content: requestText({ ...base, role: undefined }) },
      withOdd,
      { now },
    );
    expect(problems.map((p) => p.message)).toEqual([
      'missing required field "role": add a "role:" line.',
    ]);
    // And a request without an account against no account, even one named undefined.
    withOdd.accounts.undefined = withOdd.accounts.staging!;
    const noAccount = validateRequest(
      { path, content: requestText({ ...base, account: undefined }) },
      withOdd,
      { now },
    );
    expect(noAccount.problems.map((p) => p.message)).toEqual([
      'missing required field "account": add an "account:" line.',
    ]);
  });

  it("says what an account-restricted role allows, every account listed", () => {
    const twoAccounts = examplePolicies();
    twoAccounts.roles["prod-readonly"]!.accounts = ["production", "staging"];
    twoAccounts.roles["db-admin"]!.accounts = ["production", "sandbox"];
    const { problems } = validateRequest(
      { path, content: requestText({ ...base, account: "staging" }) },
      twoAccounts,
      { now },
    );
    expect(problems.map((p) => p.message)).toEqual([
      'role "db-admin" cannot be granted in account "staging"; it is available in: production, sandbox.',
    ]);
  });

  it("asks for a ticket where a role requires one without a pattern", () => {
    const noPattern = examplePolicies();
    noPattern.roles["db-admin"]!.ticket = { required: true };
    const { problems } = validateRequest(
      { path, content: requestText({ ...base, ticket: undefined }) },
      noPattern,
      { now },
    );
    expect(problems.map(formatProblem)).toEqual([
      `${path}:2:1: error: role "db-admin" requires a ticket: add a "ticket:" line with the incident or change id. (ticket)`,
    ]);
  });

  it("refuses a request file over 64 KiB before reading it, saying it is a request file", () => {
    const content = requestText({ ...base, reason: `${"Fail over the database. ".repeat(2800)}` });
    expect(new TextEncoder().encode(content).byteLength).toBeGreaterThan(64 * 1024);
    const { value, problems } = check(content);
    expect(value).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      "the request file is over 64 KiB, more than the 64 KiB allowed; a request file is a few lines of YAML. Split it or remove what does not belong.",
    );
  });
});
