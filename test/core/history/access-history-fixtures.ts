import { readFileSync } from "node:fs";
import type { CloudTrailEvent } from "../../../src/core/audit/cloudtrail-event.ts";
import {
  auditSubjectOf,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
  summarizeActivity,
} from "../../../src/core/audit/summarize-activity.ts";
import type {
  GrantRecord,
  RevocationRecord,
  UngrantedRecord,
} from "../../../src/core/grant/records.ts";
import type { AlertsRecord } from "../../../src/core/sweep/evaluate-alerts.ts";

/**
 * One request's whole story as hallpass writes it: the request file an engineer wrote, and the
 * records the app and the action commit next to it, in the shapes their code writes them (the
 * audit summary is made by the real summariser from recorded CloudTrail events).
 */

export const REQUEST_PATH = "access-requests/payments/alice-db.yaml";
export const MERGE_COMMIT = "a".repeat(40);

export const requestYaml = `requester: alice
role: db-admin
account: production
duration: 2h
reason: Fail over the orders database before the storage maintenance.
ticket: CHG-4821
`;

export function grantRecord(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    version: 1,
    requestPath: REQUEST_PATH,
    pullRequest: {
      number: 42,
      url: "https://github.com/acme/access/pull/42",
      mergeCommit: MERGE_COMMIT,
      mergedAt: "2026-11-26T09:00:00Z",
      mergedBy: "bob",
    },
    requester: "alice",
    role: "db-admin",
    account: { name: "production", id: "123456789012" },
    emergency: false,
    approvals: [
      {
        reviewer: "carol",
        reviewId: 9001,
        submittedAt: "2026-11-26T08:55:00Z",
        commitId: "b".repeat(40),
        rules: ["db owners"],
      },
    ],
    roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3",
    roleName: "hp-alice-db-admin-a1b2c3",
    sessionName: "alice",
    sourceIdentity: "alice",
    window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T11:00:00Z" },
    grantedAt: "2026-11-26T09:00:20Z",
    ...overrides,
  };
}

/** The record the app commits when it refuses a merge (here: merged past the red check). */
export function appRefusalRecord(overrides: Partial<UngrantedRecord> = {}): UngrantedRecord {
  return {
    version: 1,
    requestPath: REQUEST_PATH,
    pullRequest: {
      number: 42,
      url: "https://github.com/acme/access/pull/42",
      mergeCommit: MERGE_COMMIT,
      mergedAt: "2026-11-26T09:00:00Z",
      mergedBy: "root-admin",
    },
    reportedAt: "2026-11-26T09:00:10Z",
    detail: "approvals do not hold at the merge commit 3e76e00: ...",
    source: "app",
    reason: "approvals do not hold at the merge commit 3e76e00",
    details: [
      "Rule db-admin needs 1 more approval from @acme/dba.",
      "@root-admin merged this pull request past the hallpass/approval check.",
    ],
    ...overrides,
  };
}

export function revocationRecord(overrides: Partial<RevocationRecord> = {}): RevocationRecord {
  return {
    version: 1,
    requestPath: REQUEST_PATH,
    roleArn: grantRecord().roleArn,
    revokedAt: "2026-11-26T11:04:00Z",
    reason: "expired",
    revokedBy: "hallpass-action",
    detail: "expired at 2026-11-26T11:00:00Z",
    ...overrides,
  };
}

export function alertsRecord(): AlertsRecord {
  return {
    version: 1,
    requestPath: REQUEST_PATH,
    roleArn: grantRecord().roleArn,
    alerts: [
      {
        id: "iam-change:00000009",
        rule: "iam-change",
        severity: "high",
        from: "2026-11-26T09:30:00Z",
        to: "2026-11-26T09:31:00Z",
        eventIds: ["00000009", "00000010"],
        revoked: false,
      },
    ],
  };
}

const events = JSON.parse(
  readFileSync(new URL("../../fixtures/cloudtrail/alice-db-events.json", import.meta.url), "utf8"),
) as CloudTrailEvent[];

/** The audit summary files as the sweep commits them (`.audit.json`, `.audit.md`). */
export function auditFiles(grant = grantRecord(), revocation = revocationRecord()) {
  const summary = summarizeActivity(
    auditSubjectOf(grant, revocation, ["eu-west-1"]),
    riskRulesOf([]),
    events,
  );
  return { json: renderAuditJson(summary), md: renderAuditMarkdown(summary), summary };
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The files of a complete, clean story: request, grant, alerts, revocation, audit. */
export function completeStory(): Record<string, string> {
  const audit = auditFiles();
  return {
    [REQUEST_PATH]: requestYaml,
    "access-requests/payments/alice-db.grant.json": json(grantRecord()),
    "access-requests/payments/alice-db.alerts.json": json(alertsRecord()),
    "access-requests/payments/alice-db.revocation.json": json(revocationRecord()),
    "access-requests/payments/alice-db.audit.json": audit.json,
    "access-requests/payments/alice-db.audit.md": audit.md,
  };
}
