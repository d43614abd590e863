import { readFileSync } from "node:fs";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach } from "vitest";
import { createAwsCloudTrail } from "../../src/adapters/aws-cloudtrail.ts";
import type { CloudTrailEvent } from "../../src/core/audit/cloudtrail-event.ts";
import { BASELINE_RISK_RULES } from "../../src/core/audit/summarize-activity.ts";
import type { GrantRecord } from "../../src/core/grant/records.ts";
import { writeAuditSummaries } from "../../src/workflows/sweep/write-audits.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { describeHostileCorpus } from "../support/hostile-corpus.ts";

/**
 * Hostile CloudTrail records of a grant's role, read as the sweep reads them (the CloudTrail
 * adapter on `LookupEvents`, answered by aws-sdk-client-mock) next to the fixture's
 * well-formed events, and summarised into the audit Markdown committed for compliance: that
 * file is what a person reads. A record that cannot be read is listed, never silently dropped
 * or allowed to stop the audit; a value is never a link, a mention or a new table row.
 */

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/cloudtrail/alice-db-events.json", import.meta.url), "utf8"),
) as CloudTrailEvent[];

const account = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};
const grant: GrantRecord = {
  version: 1,
  requestPath: "access-requests/alice-db.yaml",
  pullRequest: {
    number: 7,
    url: "https://github.com/acme/access/pull/7",
    mergeCommit: "a".repeat(40),
    mergedAt: "2026-11-26T09:00:00Z",
    mergedBy: "bob",
  },
  requester: "alice",
  role: "db-admin",
  account: { name: account.name, id: account.id },
  emergency: false,
  approvals: [],
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3",
  roleName: "hp-alice-db-admin-a1b2c3",
  sessionName: "alice",
  sourceIdentity: "alice",
  window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T11:00:00Z" },
  grantedAt: "2026-11-26T09:00:20Z",
};

const cloudtrail = mockClient(CloudTrailClient);
afterEach(() => {
  cloudtrail.reset();
});

const instant = { now: () => 0, sleep: async () => {}, random: () => 0 };

describeHostileCorpus("cloudtrail", async (input, name) => {
  const hostile = Buffer.from(input).toString("utf8");
  cloudtrail.on(LookupEventsCommand).resolves({
    Events: [
      ...fixture.map((e) => ({ EventId: e.eventID, CloudTrailEvent: JSON.stringify(e) })),
      { EventId: `hostile-${name}`, EventName: "LookupEvents-name", CloudTrailEvent: hostile },
    ],
  });
  const cloudtrailPort = createAwsCloudTrail({
    // us-east-1 (always read, for IAM and STS) answers nothing: each record is read once.
    clientFor: (_account, region) =>
      region === "us-east-1" ? { send: async () => ({ Events: [] }) } : new CloudTrailClient({}),
    timing: instant,
  });
  const github = new FakeGitHub();
  const outcome = await writeAuditSummaries(
    { github, cloudtrail: cloudtrailPort },
    [
      {
        due: { grant, revocation: undefined, endedAt: grant.window.end, dueAt: grant.window.end },
        account,
        // One region: the mock answers every region alike.
        regions: ["eu-west-1"],
      },
    ],
    { branch: "main", auditDelaySeconds: 3600, riskRules: BASELINE_RISK_RULES },
  );
  const failed = outcome.failed.map((f) => `audit failed: ${f.message}\n`).join("");
  const written = github.trees.get("main")?.get("access-requests/alice-db.audit.md");
  return { message: `${failed}${written ?? "(no audit summary written)\n"}`, granted: false };
});
