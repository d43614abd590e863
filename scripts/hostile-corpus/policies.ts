import { bytes, type CorpusCases, padTo, utf16 } from "./bytes.ts";

/**
 * Policy files (`policies/<case>.yaml`), added next to the example policies of the tests
 * (accounts, identities, roles, settings) and checked by `hallpass validate`, which also
 * checks one valid request against them. Each case adds or redefines one thing; a
 * `settings-` case replaces `policies/settings.yaml`, and with a `ticket-pattern-` case a
 * request for its role names a ticket chosen to make a backtracking matcher stall.
 */

/** A role named `hostile` with `changes` spliced into its YAML (two-space indented lines). */
function role(body: string): string {
  return `roles:\n  hostile:\n    description: A hostile role.\n    accounts: [production]\n${body}`;
}

const permissions =
  "    permissions:\n      managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n";
const approval = "    approval:\n      rules:\n        - count: 1\n";

/** A role whose ticket pattern is `pattern` (as a double-quoted YAML string). */
function ticketPattern(pattern: string): string {
  return role(
    `    maxDuration: 1h\n${permissions}${approval}    ticket:\n      pattern: ${JSON.stringify(pattern)}\n`,
  );
}

function statements(yaml: string): string {
  return role(`    maxDuration: 1h\n    permissions:\n      statements:\n${yaml}${approval}`);
}

const LIMIT = 256 * 1024;

function roleOfSize(size: number): string {
  const head = role(`    maxDuration: 1h\n${permissions}${approval}    # `);
  return `${padTo(head, size - 1, "x")}\n`;
}

export const policyCases: CorpusCases = {
  // Catastrophic and unsupported regular expressions.
  "ticket-pattern-nested-quantifier.yaml": ticketPattern("^(a+)+$"),
  "ticket-pattern-alternation-star.yaml": ticketPattern("^(a|a)*b$"),
  "ticket-pattern-words-spaces.yaml": ticketPattern("^(\\w+\\s?)*$"),
  "ticket-pattern-triple-star.yaml": ticketPattern("((a*)*)*c"),
  "ticket-pattern-backreference.yaml": ticketPattern("^(INC)-\\1$"),
  "ticket-pattern-lookahead.yaml": ticketPattern("^(?=INC)INC-[0-9]+$"),
  "ticket-pattern-huge-count.yaml": ticketPattern("^a{1000000}$"),
  "ticket-pattern-too-long.yaml": ticketPattern(`^(${"INC|".repeat(50)}CHG)-[0-9]+$`),
  "ticket-pattern-unbalanced.yaml": ticketPattern("^(INC-[0-9]+$"),
  "ticket-pattern-nul-escape.yaml": ticketPattern("^INC-\\x00$"),
  "settings-alert-glob-many-stars.yaml":
    'settings:\n  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary\n  alerts:\n    - name: stars\n      actions: ["*:*************************************Delete*?"]\n',
  // Notification channels: a secret written in place of its variable, a channel nobody defined.
  "settings-channel-webhook-url-inline.yaml":
    'settings:\n  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary\n  notifications:\n    channels:\n      approvers: { webhookEnv: "https://hooks.slack.com/services/T0/B0/secret" }\n',
  "role-notify-undefined-channel.yaml": role(
    `    maxDuration: 1h\n    notify: ["<!channel>"]\n${permissions}${approval}`,
  ),
  // Names and references.
  "role-redefined.yaml":
    "roles:\n  db-admin:\n    description: Shadow.\n    accounts: [production]\n    maxDuration: 12h\n    permissions:\n      managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]\n    approval:\n      rules:\n        - count: 1\n",
  "second-settings.yaml":
    "settings:\n  permissionsBoundary: arn:aws:iam::{accountId}:policy/other\n",
  "role-named-proto.yaml": role(`    maxDuration: 1h\n${permissions}${approval}`).replace(
    "  hostile:",
    "  __proto__:",
  ),
  "role-named-constructor.yaml": role(`    maxDuration: 1h\n${permissions}${approval}`).replace(
    "  hostile:",
    "  constructor:",
  ),
  "role-name-homoglyph.yaml": role(`    maxDuration: 1h\n${permissions}${approval}`).replace(
    "  hostile:",
    "  db-\u0430dmin:",
  ),
  "role-unknown-account.yaml": role(`    maxDuration: 1h\n${permissions}${approval}`).replace(
    "[production]",
    "[prodution]",
  ),
  "identity-homoglyph-login.yaml":
    "identities:\n  \u0430lice:\n    awsPrincipal: arn:aws:iam::444455556666:user/mallory\n",
  "identity-case-twin.yaml":
    "identities:\n  Alice:\n    awsPrincipal: arn:aws:iam::444455556666:user/mallory\n",
  "identity-wildcard-principal.yaml": 'identities:\n  dave:\n    awsPrincipal: "*"\n',
  "identity-root-principal.yaml":
    "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:root\n",
  "identity-principal-with-wildcard.yaml":
    "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:user/*\n",
  "account-id-number.yaml":
    "accounts:\n  audit:\n    id: 123456789013\n    brokerRole: arn:aws:iam::123456789013:role/hallpass-broker\n",
  "account-id-short.yaml":
    'accounts:\n  audit:\n    id: "12345"\n    brokerRole: arn:aws:iam::12345:role/hallpass-broker\n',
  "account-broker-other-account.yaml":
    'accounts:\n  audit:\n    id: "123456789013"\n    brokerRole: arn:aws:iam::999999999999:role/hallpass-broker\n',
  "account-broker-wildcard.yaml":
    'accounts:\n  audit:\n    id: "123456789013"\n    brokerRole: arn:aws:iam::*:role/*\n',
  // Durations, counts and approvals.
  "max-duration-years.yaml": role(`    maxDuration: P1000Y\n${permissions}${approval}`),
  "max-duration-zero.yaml": role(`    maxDuration: 0h\n${permissions}${approval}`),
  "max-duration-huge.yaml": role(
    `    maxDuration: 99999999999999999999h\n${permissions}${approval}`,
  ),
  "approval-count-zero.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules:\n        - count: 0\n`,
  ),
  "approval-count-huge.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules:\n        - count: 1000000000\n`,
  ),
  "approval-no-rules.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules: []\n`,
  ),
  "approval-team-traversal.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules:\n        - count: 1\n          from: ["@acme/../admins"]\n`,
  ),
  "approval-team-homoglyph.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules:\n        - count: 1\n          from: ["@\u0430cme/sre"]\n`,
  ),
  "approval-users-cannot-be-satisfied.yaml": role(
    `    maxDuration: 1h\n${permissions}    approval:\n      rules:\n        - count: 3\n          from: ["@alice", "@bob"]\n`,
  ),
  // IAM statements.
  "statement-sets-its-own-time.yaml": statements(
    '        - sid: Late\n          actions: ["s3:GetObject"]\n          conditions:\n            DateLessThan:\n              aws:CurrentTime: "2099-01-01T00:00:00Z"\n',
  ),
  "statement-action-not-iam.yaml": statements(
    '        - sid: Bad\n          actions: ["not an action"]\n',
  ),
  "statement-too-large.yaml": statements(
    Array.from(
      { length: 400 },
      (_, i) => `        - sid: S${i}\n          actions: ["s3:GetObject${"x".repeat(20)}"]\n`,
    ).join(""),
  ),
  "statement-sid-injection.yaml": statements(
    '        - sid: "A\\"},{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"*"\n          actions: ["s3:GetObject"]\n',
  ),
  "managed-policy-not-arn.yaml": role(
    `    maxDuration: 1h\n    permissions:\n      managedPolicies: [AdministratorAccess]\n${approval}`,
  ),
  "managed-policies-too-many.yaml": role(
    `    maxDuration: 1h\n    permissions:\n      managedPolicies: [${Array.from({ length: 21 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(", ")}]\n${approval}`,
  ),
  // Reading the file.
  "billion-laughs.yaml": `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nroles: {}\n`,
  "deep-nesting.yaml": `roles: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}\n`,
  "utf16le.yaml": utf16(
    "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:user/dave\n",
    "le",
    true,
  ),
  "nul-byte.yaml": "identities:\n  dave:\u0000\n",
  "invalid-utf8.yaml": bytes("identities:\n  dav", [0xc3, 0x28], ":\n"),
  "bidi-override.yaml":
    "identities:\n  dave:\n    awsPrincipal: arn:aws:iam::444455556666:user/\u202eevad\n",
  "size-at-cap.yaml": roleOfSize(LIMIT),
  "size-one-past-cap.yaml": roleOfSize(LIMIT + 1),
  "unknown-section.yaml": "rolls:\n  x: {}\n",
  "empty.yaml": "",
};
