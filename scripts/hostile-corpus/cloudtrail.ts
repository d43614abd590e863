import { readFileSync } from "node:fs";
import { bytes, type CorpusCases } from "./bytes.ts";

/**
 * CloudTrail records (`<case>.json`: the `CloudTrailEvent` text of one `LookupEvents` result)
 * of the grant role `hp-alice-db-admin-a1b2c3`, read through the CloudTrail adapter next to
 * the fixture's well-formed events and summarised into the audit file compliance reads.
 */

// biome-ignore lint/suspicious/noExplicitAny: records are damaged freely
type Record = { [key: string]: any };

const fixture = JSON.parse(
  readFileSync(
    new URL("../../test/fixtures/cloudtrail/alice-db-events.json", import.meta.url),
    "utf8",
  ),
) as Record[];

/** The fixture's first event with a fresh id, changed by `edit`, as CloudTrail's JSON text. */
function event(edit: (e: Record) => void): string {
  const e = structuredClone(fixture[0]!);
  e.eventID = "99999999-hhhh-4ost-8ile-eeeeeeeeeeee";
  e.eventTime = "2026-11-26T09:30:00Z";
  edit(e);
  return JSON.stringify(e);
}

function nestedArrays(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

export const cloudTrailCases: CorpusCases = {
  // Not a record at all.
  "not-json.json": "{eventName: DeleteDBInstance",
  "empty.json": "",
  "json-null.json": "null",
  "json-array.json": "[]",
  "json-string.json": '"DeleteDBInstance"',
  "json-number.json": "42",
  "truncated.json": event(() => {}).slice(0, 300),
  "invalid-utf8.json": bytes('{"eventName": "Delete', [0xc0, 0xaf], '"}'),
  "nul-byte.json": event((e) => {
    e.eventName = "DeleteDBInstance\u0000Describe";
  }),
  "deeply-nested-parameters.json": event(() => {}).replace(
    '"requestParameters":null',
    `"requestParameters":${nestedArrays(100_000)}`,
  ),
  // Fields missing or of the wrong type.
  "event-time-missing.json": event((e) => {
    delete e.eventTime;
  }),
  "event-time-not-a-time.json": event((e) => {
    e.eventTime = "yesterday";
  }),
  "event-time-impossible.json": event((e) => {
    e.eventTime = "2026-02-30T25:61:00Z";
  }),
  "event-time-far-future.json": event((e) => {
    e.eventTime = "+275760-09-13T00:00:00Z";
  }),
  "event-time-number.json": event((e) => {
    e.eventTime = 1_790_000_000;
  }),
  "event-name-missing.json": event((e) => {
    delete e.eventName;
  }),
  "event-source-number.json": event((e) => {
    e.eventSource = 7;
  }),
  "event-id-missing.json": event((e) => {
    delete e.eventID;
  }),
  "user-identity-missing.json": event((e) => {
    delete e.userIdentity;
  }),
  "user-identity-string.json": event((e) => {
    e.userIdentity = "alice";
  }),
  "session-context-array.json": event((e) => {
    e.userIdentity.sessionContext = [];
  }),
  "session-issuer-arn-number.json": event((e) => {
    e.userIdentity.sessionContext.sessionIssuer.arn = 42;
  }),
  "read-only-string.json": event((e) => {
    e.readOnly = "true";
    e.eventName = "DeleteDBInstance";
  }),
  "read-only-missing-is-a-write.json": event((e) => {
    delete e.readOnly;
    e.eventName = "ModifyDBInstance";
  }),
  "error-code-number.json": event((e) => {
    e.errorCode = 403;
  }),
  "resources-not-a-list.json": event((e) => {
    e.resources = { ARN: "arn:aws:rds:eu-west-1:123456789012:db:orders" };
  }),
  "resource-arn-number.json": event((e) => {
    e.resources = [{ ARN: 7 }];
  }),
  "proto-key-in-identity.json": event(() => {}).replace(
    '"userIdentity":{',
    '"userIdentity":{"__proto__":{"arn":"arn:aws:iam::123456789012:role/other"},',
  ),
  // Values that try to get out of their place in the summary.
  "event-name-markdown-link.json": event((e) => {
    e.eventName = "Delete[click here](https://evil.example/login)";
    e.readOnly = false;
  }),
  "event-name-mention-and-html.json": event((e) => {
    e.eventName = "DeleteDBInstance @acme/security <img src=x onerror=alert(1)>";
    e.readOnly = false;
  }),
  "event-name-table-breaker.json": event((e) => {
    e.eventName = "Describe | 999 | ok |\n| fake | row |";
  }),
  "event-source-bidi.json": event((e) => {
    e.eventSource = "rds.amazonaws.com\u202emoc.swanozama.2ce";
  }),
  "error-code-backticks.json": event((e) => {
    e.errorCode = "``` AccessDenied ```<!--";
    e.readOnly = false;
  }),
  "resource-arn-injection.json": event((e) => {
    e.resources = [
      { ARN: "arn:aws:rds:eu-west-1:123456789012:db:x`|](https://evil.example) @acme/admins" },
    ];
    e.eventName = "DeleteDBInstance";
    e.readOnly = false;
  }),
  "source-identity-other-person.json": event((e) => {
    e.userIdentity.sessionContext.sourceIdentity = "mallory";
    e.eventName = "DeleteDBInstance";
    e.readOnly = false;
  }),
  "other-role-same-session-name.json": event((e) => {
    e.userIdentity.sessionContext.sessionIssuer.arn =
      "arn:aws:iam::123456789012:role/hallpass/hp-bob-other";
    e.eventName = "DeleteDBInstance";
  }),
  "role-arn-upper-case-path.json": event((e) => {
    e.userIdentity.sessionContext.sessionIssuer.arn =
      "arn:aws:iam::123456789012:role/HALLPASS/hp-alice-db-admin-a1b2c3";
    e.eventName = "DeleteDBInstance";
  }),
  "duplicate-of-a-fixture-event.json": JSON.stringify(fixture[1]),
  // Sizes.
  "event-name-one-megabyte.json": event((e) => {
    e.eventName = `Delete${"X".repeat(1024 * 1024)}`;
    e.readOnly = false;
  }),
  "request-parameters-five-megabytes.json": event((e) => {
    e.requestParameters = { blob: "x".repeat(5 * 1024 * 1024) };
  }),
};
