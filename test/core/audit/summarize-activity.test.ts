import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CloudTrailEvent } from "../../../src/core/audit/cloudtrail-event.ts";
import {
  auditSubjectOf,
  createActivityTally,
  DUPLICATE_WINDOW_SECONDS,
  MAX_RISKY_EVENTS,
  MAX_UNREADABLE_EVENTS,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
  summarizeActivity,
} from "../../../src/core/audit/summarize-activity.ts";
import type { GrantRecord, RevocationRecord } from "../../../src/core/grant/records.ts";
import type { AlertRule } from "../../../src/core/policy/policy-format.ts";

import { linksIn, renderMarkdown, tableRows } from "../../support/render-markdown.ts";

const events = JSON.parse(
  readFileSync(new URL("../../fixtures/cloudtrail/alice-db-events.json", import.meta.url), "utf8"),
) as CloudTrailEvent[];

const grant: GrantRecord = {
  version: 1,
  requestPath: "access-requests/payments/alice-db.yaml",
  pullRequest: {
    number: 42,
    url: "https://github.com/acme/access/pull/42",
    mergeCommit: "a".repeat(40),
    mergedAt: "2026-11-26T09:00:00Z",
    mergedBy: "bob",
  },
  requester: "alice",
  role: "db-admin",
  account: { name: "production", id: "123456789012" },
  emergency: false,
  approvals: [],
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3",
  roleName: "hp-alice-db-admin-a1b2c3",
  sessionName: "alice",
  sourceIdentity: "alice",
  window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T11:00:00Z" },
  grantedAt: "2026-11-26T09:00:20Z",
};

const revocation: RevocationRecord = {
  version: 1,
  requestPath: grant.requestPath,
  roleArn: grant.roleArn,
  revokedAt: "2026-11-26T10:30:00Z",
  reason: "early-release",
  revokedBy: "alice",
};

const rdsDeletes: AlertRule = {
  name: "rds-delete",
  actions: ["rds:Delete*"],
  writesOnly: true,
  severity: "critical",
  revoke: false,
};

function summary(list: CloudTrailEvent[], rules: AlertRule[] = [rdsDeletes]) {
  return summarizeActivity(
    auditSubjectOf(grant, revocation, ["eu-west-1"]),
    riskRulesOf(rules),
    list,
  );
}

describe("renderAuditMarkdown with hostile values", () => {
  it("keeps ARNs, codes and the request path whole in their cells, linking nowhere", () => {
    const arn =
      "arn:aws:rds:eu-west-1:123456789012:snapshot:x`|](https://evil.example) @acme/admins";
    const hostile = events.map((e) =>
      e.eventName === "DeleteDBSnapshot"
        ? { ...e, resources: [{ ARN: arn, type: "AWS::RDS::DBSnapshot" }], errorCode: "Bad`|Code" }
        : e,
    );
    const path = "access-requests/x --> ![p](https://evil.example/p.png).yaml";
    const markdown = renderAuditMarkdown(
      summarizeActivity(
        auditSubjectOf({ ...grant, requestPath: path }, revocation, ["eu-west-1"]),
        riskRulesOf([rdsDeletes]),
        hostile,
      ),
    );
    expect(linksIn(markdown)).toEqual([]);
    expect(renderMarkdown(markdown)).not.toContain("<img");
    const risky = tableRows(markdown).find((row) => row[1] === "rds:DeleteDBSnapshot");
    expect(risky).toHaveLength(7);
    expect(risky?.[3]).toBe("Bad`|Code");
    expect(risky?.[4]).toBe(arn);
    expect(tableRows(markdown).find((row) => row[0] === arn)).toHaveLength(3);
  });

  it("lists a few resources per risky event, and says how many more the JSON holds", () => {
    const many = Array.from(
      { length: 40 },
      (_, i) => `arn:aws:rds:eu-west-1:123456789012:snapshot:s${i}`,
    );
    const list = events.map((e) =>
      e.eventName === "DeleteDBSnapshot"
        ? { ...e, resources: many.map((ARN) => ({ ARN, type: "AWS::RDS::DBSnapshot" })) }
        : e,
    );
    const markdown = renderAuditMarkdown(summary(list));
    const risky = tableRows(markdown).find((row) => row[1] === "rds:DeleteDBSnapshot");
    expect(risky?.[4]).toBe(`${[...many].sort().slice(0, 3).join("")}and 37 more (JSON summary)`);
  });
});

describe("summarizeActivity", () => {
  it("counts reads, writes and failed calls, by service and by action", () => {
    const s = summary(events);
    expect(s.totals).toEqual({ events: 7, reads: 3, writes: 4, failed: 2 });
    expect(s.byService.map((r) => [r.service, r.events, r.writes, r.failed])).toEqual([
      ["ec2", 1, 1, 1],
      ["iam", 1, 1, 1],
      ["rds", 4, 2, 0],
      ["s3", 1, 0, 0],
    ]);
    expect(s.byAction.find((a) => a.action === "rds:RebootDBInstance")).toMatchObject({
      events: 1,
      writes: 1,
    });
    expect(s.firstActivity).toBe("2026-11-26T09:02:11Z");
    expect(s.lastActivity).toBe("2026-11-26T10:06:30Z");
  });

  it("counts an event CloudTrail returned twice once, and says how many copies it dropped", () => {
    // Newest first as LookupEvents pages them; a page boundary repeats the event on its edge.
    const newestFirst = [...events].reverse();
    const paged = [
      ...newestFirst.slice(0, 3),
      newestFirst[2]!,
      ...newestFirst.slice(3),
      newestFirst[6]!,
    ];
    const once = summary(events);
    const twice = summary(paged);
    expect(twice.totals).toEqual(once.totals);
    expect(twice.byAction).toEqual(once.byAction);
    expect(twice.riskyEventsTotal).toBe(once.riskyEventsTotal);
    expect(twice.riskyEvents).toEqual(once.riskyEvents);
    expect(twice.duplicateEvents).toBe(2);
    expect(once.duplicateEvents).toBe(0);
  });

  it("counts and names an event it could not read, in none of the other figures", () => {
    const tally = createActivityTally(
      auditSubjectOf(grant, revocation, ["eu-west-1"]),
      riskRulesOf([]),
    );
    for (const e of events) tally.add(e);
    tally.unreadable({ eventID: "bad-2", message: "not JSON" });
    tally.unreadable({
      eventID: "bad-1",
      eventTime: "2026-11-26T09:10:00Z",
      action: "rds:DeleteDBInstance",
      message: "eventTime | is missing",
    });
    const s = tally.summary();
    expect(s.totals.events).toBe(7);
    expect(s.unreadableEventsTotal).toBe(2);
    expect(s.unreadableEvents.map((e) => e.eventID)).toEqual(["bad-2", "bad-1"]);
    const md = renderAuditMarkdown(s);
    expect(md).toContain("## Events that could not be read (2)");
    expect(md).toContain(
      "| 2026-11-26 09:10:00 | `rds:DeleteDBInstance` | `bad-1` | eventTime \\| is missing |",
    );
  });

  it("names only the earliest unreadable events past the cap, and counts them all", () => {
    const tally = createActivityTally(auditSubjectOf(grant, revocation, ["eu-west-1"]), []);
    for (let i = 250; i > 0; i--) {
      const t = new Date(Date.parse("2026-11-26T09:00:00Z") + i * 1000).toISOString();
      tally.unreadable({ eventID: `bad-${i}`, eventTime: t, message: "unreadable" });
    }
    const s = tally.summary();
    expect(s.unreadableEventsTotal).toBe(250);
    expect(s.unreadableEvents).toHaveLength(MAX_UNREADABLE_EVENTS);
    expect(s.unreadableEvents[0]!.eventID).toBe("bad-1");
    expect(renderAuditMarkdown(s)).toContain("150 more could not be read");
  });

  it("treats an event without readOnly as a write", () => {
    const sg = events.find((e) => e.eventName === "AuthorizeSecurityGroupIngress")!;
    expect(sg.readOnly).toBeUndefined();
    expect(summary([sg]).totals).toMatchObject({ reads: 0, writes: 1 });
  });

  it("lists every risky event with the rules it matched, policy rules included", () => {
    expect(summary(events).riskyEvents.map((e) => [e.action, e.rules])).toEqual([
      ["iam:CreateAccessKey", ["access-denied", "iam-write"]],
      ["ec2:AuthorizeSecurityGroupIngress", ["access-denied", "security-group-change"]],
      ["rds:DeleteDBSnapshot", ["delete", "rds-delete"]],
    ]);
  });

  it("flags a session whose source identity is not the requester", () => {
    const foreign = { ...events[0]!, eventID: "foreign-1" };
    foreign.userIdentity = {
      ...foreign.userIdentity,
      sessionContext: { ...foreign.userIdentity.sessionContext, sourceIdentity: "mallory" },
    };
    const s = summary([foreign]);
    expect(s.sourceIdentities).toEqual(["mallory"]);
    expect(s.riskyEvents[0]?.rules).toEqual(["foreign-identity"]);
  });

  it("gives the same bytes whatever order the events come in", () => {
    const forward = summary(events);
    const backward = summary([...events].reverse());
    expect(renderAuditJson(backward)).toBe(renderAuditJson(forward));
    expect(renderAuditMarkdown(backward)).toBe(renderAuditMarkdown(forward));
  });

  it("ends at the revocation when access was revoked before the window's end", () => {
    const s = summary(events);
    expect([s.endedAt, s.endReason]).toEqual(["2026-11-26T10:30:00Z", "early-release"]);
    const expired = auditSubjectOf(grant, { ...revocation, revokedAt: "2026-11-26T11:00:05Z" }, []);
    expect([expired.endedAt, expired.endReason]).toEqual(["2026-11-26T11:00:00Z", "expired"]);
    expect(expired.regions).toEqual(["us-east-1"]);
  });

  it("keeps the earliest risky events one by one past the cap, and counts them all", () => {
    const template = events.find((e) => e.eventName === "RebootDBInstance")!;
    const many = Array.from({ length: MAX_RISKY_EVENTS * 2 + 500 }, (_, i) => ({
      ...template,
      eventName: "DeleteDBSnapshot",
      eventID: `bulk-${String(i).padStart(6, "0")}`,
      eventTime: new Date(Date.parse("2026-11-26T09:00:00Z") + i * 100).toISOString(),
    })).reverse();
    const s = summary(many);
    expect(s.riskyEventsTotal).toBe(many.length);
    expect(s.riskyEvents).toHaveLength(MAX_RISKY_EVENTS);
    expect(s.riskyEvents[0]!.eventID).toBe("bulk-000000");
    expect(s.riskyEvents.at(-1)!.eventID).toBe(
      `bulk-${String(MAX_RISKY_EVENTS - 1).padStart(6, "0")}`,
    );
    expect(renderAuditMarkdown(s)).toContain(
      `Only the earliest ${MAX_RISKY_EVENTS} are kept one by one`,
    );
  });

  it("keeps the same earliest risky events past the cap in any arrival order, ties on time included", () => {
    const template = events.find((e) => e.eventName === "RebootDBInstance")!;
    // Ten events a second, so many share a time and the id decides.
    const many = Array.from({ length: MAX_RISKY_EVENTS * 2 + 77 }, (_, i) => ({
      ...template,
      eventName: "DeleteDBSnapshot",
      eventID: `id-${String((i * 7919) % 100_000).padStart(5, "0")}`,
      eventTime: `${new Date(Date.parse("2026-11-26T09:00:00Z") + Math.floor(i / 10) * 1000).toISOString().slice(0, 19)}Z`,
    }));
    let seed = 7;
    const shuffled = [...many].sort(() => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return (seed % 3) - 1;
    });
    const forward = renderAuditJson(summary(many));
    expect(renderAuditJson(summary([...many].reverse()))).toBe(forward);
    expect(renderAuditJson(summary(shuffled))).toBe(forward);
    const expected = [...many]
      .sort((a, b) =>
        a.eventTime === b.eventTime
          ? a.eventID < b.eventID
            ? -1
            : 1
          : a.eventTime < b.eventTime
            ? -1
            : 1,
      )
      .slice(0, MAX_RISKY_EVENTS)
      .map((e) => e.eventID);
    expect(summary(shuffled).riskyEvents.map((e) => e.eventID)).toEqual(expected);
  });

  it("lists each kept risky event with its own resources and rules when, newest first, it takes the place of one that had more", () => {
    const template = events.find((e) => e.eventName === "RebootDBInstance")!;
    const at = (i: number) =>
      `${new Date(Date.parse("2026-11-26T09:00:00Z") + i * 1000).toISOString().slice(0, 19)}Z`;
    // The earliest MAX_RISKY_EVENTS have one resource and match fewer rules than the later
    // ones, which arrive first (LookupEvents' order) and are replaced by them.
    const early = Array.from({ length: MAX_RISKY_EVENTS }, (_, i) => ({
      ...template,
      eventName: "DeleteDBSnapshot",
      eventID: `early-${String(i).padStart(6, "0")}`,
      eventTime: at(i),
      resources: [{ ARN: `arn:aws:rds:eu-west-1:123456789012:snapshot:s-${i}` }],
    }));
    const late = Array.from({ length: 1000 }, (_, i) => ({
      ...template,
      eventName: "DeleteDBSnapshot",
      eventID: `late-${String(i).padStart(6, "0")}`,
      eventTime: at(MAX_RISKY_EVENTS + i),
      errorCode: "AccessDenied",
      resources: ["a", "b", "c"].map((x) => ({
        ARN: `arn:aws:rds:eu-west-1:123456789012:db:${x}`,
      })),
    }));
    const newestFirst = [...early, ...late].reverse();
    expect(summary(newestFirst).riskyEvents).toEqual(summary(early).riskyEvents);
  });

  it("holds as many entries after 120,000 events as after 30,000: what it reports, never the events", () => {
    // Ten events a second, newest first as LookupEvents gives them, over a bounded set of
    // services, actions and resources; every third a delete (risky), every 40th refused, every
    // 97th unreadable. The tally may hold the summary's entries and its caps, nothing per event.
    const subject = auditSubjectOf(
      { ...grant, window: { start: "2026-11-26T00:00:00Z", end: "2026-11-26T12:00:00Z" } },
      undefined,
      ["eu-west-1"],
    );
    const tally = createActivityTally(subject, riskRulesOf([rdsDeletes]));
    const total = 120_000;
    const end = Date.parse("2026-11-26T11:59:59Z");
    const services = ["rds", "s3", "ec2", "dynamodb"];
    const template = events.find((e) => e.eventName === "RebootDBInstance")!;
    const retained: number[] = [];
    for (let i = 0; i < total; i++) {
      const service = services[i % services.length]!;
      const at = new Date(end - Math.floor(i / 10) * 1000).toISOString().replace(".000Z", "Z");
      if (i % 97 === 0) {
        tally.unreadable({ eventID: `bad-${i}`, eventTime: at, message: "not JSON" });
        continue;
      }
      tally.add({
        ...template,
        eventID: `id-${i}`,
        eventTime: at,
        eventSource: `${service}.amazonaws.com`,
        eventName: i % 3 === 0 ? "DeleteThing" : `Describe${i % 5}`,
        readOnly: i % 3 !== 0,
        ...(i % 40 === 0 ? { errorCode: "AccessDenied" } : {}),
        resources: [{ ARN: `arn:aws:${service}:eu-west-1:123456789012:thing/t-${i % 50}` }],
      });
      if (i + 1 === total / 4 || i + 1 === total) retained.push(tally.retainedEntries);
    }
    const [quarter, all] = retained as [number, number];
    // Timeline buckets: 10-minute steps over 12 hours, per service (72 each at most).
    const bound =
      services.length * (1 + 6 + 72) + // services, actions (Describe0-4, DeleteThing), buckets
      services.length * 50 + // resources
      2 + // error codes, identities
      MAX_RISKY_EVENTS +
      10 +
      2 + // kept risky events, rule counters, regions
      DUPLICATE_WINDOW_SECONDS * 10 + // ids of the last 30 seconds, ten a second
      2 * MAX_UNREADABLE_EVENTS;
    expect(all).toBeLessThanOrEqual(bound);
    // Four times the events, same holdings but the timeline's buckets the later events reached.
    expect(all - quarter).toBeLessThanOrEqual(services.length * 72);
    expect(tally.summary().riskyEventsTotal).toBeGreaterThan(MAX_RISKY_EVENTS * 3);
  });

  it("says so when a grant was never used", () => {
    const md = renderAuditMarkdown(summary([]));
    expect(md).toContain("No CloudTrail events were recorded for this grant's sessions.");
    expect(md).not.toContain("```mermaid");
  });

  it("writes the known event set as this exact Markdown", () => {
    expect(renderAuditMarkdown(summary(events))).toMatchInlineSnapshot(`
      "<!-- hallpass:audit access-requests/payments/alice-db.yaml -->
      # Audit: access-requests/payments/alice-db.yaml

      | | |
      |---|---|
      | Requester | @alice |
      | Role | db-admin in production (123456789012) |
      | Pull request | #42 |
      | Window | 2026-11-26 09:00:00 → 2026-11-26 11:00:00 UTC (2h) |
      | Ended | 2026-11-26 10:30:00 UTC (early-release) |
      | Role ARN | \`arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3\` |
      | Source identities | alice |
      | CloudTrail regions | eu-west-1, us-east-1 |

      ## Activity

      **7 events**: 3 reads, 4 writes, 2 failed. First at 2026-11-26 09:02:11, last at 2026-11-26 10:06:30 UTC.

      \`\`\`mermaid
      gantt
        title Activity of alice (UTC, 5-minute steps)
        dateFormat YYYY-MM-DD HH:mm:ss
        axisFormat %H:%M
        section Grant
        Window :done, 2026-11-26 09:00:00, 2026-11-26 11:00:00
        Revoked (early-release) :crit, milestone, 2026-11-26 10:30:00, 0s
        section ec2
        1 call, 1 write, 1 failed :crit, 2026-11-26 09:30:00, 2026-11-26 09:35:00
        section iam
        1 call, 1 write, 1 failed :crit, 2026-11-26 09:20:00, 2026-11-26 09:25:00
        section rds
        3 calls, 1 write :active, 2026-11-26 09:00:00, 2026-11-26 09:05:00
        1 call, 1 write :active, 2026-11-26 10:05:00, 2026-11-26 10:10:00
        section s3
        1 call :2026-11-26 10:05:00, 2026-11-26 10:10:00
      \`\`\`

      ### By service

      | Service | Events | Reads | Writes | Failed | First (UTC) | Last (UTC) |
      |---|--:|--:|--:|--:|---|---|
      | ec2 | 1 | 0 | 1 | 1 | 2026-11-26 09:31:02 | 2026-11-26 09:31:02 |
      | iam | 1 | 0 | 1 | 1 | 2026-11-26 09:20:00 | 2026-11-26 09:20:00 |
      | rds | 4 | 2 | 2 | 0 | 2026-11-26 09:02:11 | 2026-11-26 10:06:30 |
      | s3 | 1 | 1 | 0 | 0 | 2026-11-26 10:05:59 | 2026-11-26 10:05:59 |

      ### By action

      | Action | Events | Reads | Writes | Failed |
      |---|--:|--:|--:|--:|
      | \`ec2:AuthorizeSecurityGroupIngress\` | 1 | 0 | 1 | 1 |
      | \`iam:CreateAccessKey\` | 1 | 0 | 1 | 1 |
      | \`rds:DeleteDBSnapshot\` | 1 | 0 | 1 | 0 |
      | \`rds:DescribeDBInstances\` | 1 | 1 | 0 | 0 |
      | \`rds:DescribeDBLogFiles\` | 1 | 1 | 0 | 0 |
      | \`rds:RebootDBInstance\` | 1 | 0 | 1 | 0 |
      | \`s3:ListBuckets\` | 1 | 1 | 0 | 0 |

      ### Failed calls by error

      | Error | Events |
      |---|--:|
      | \`AccessDenied\` | 1 |
      | \`Client.UnauthorizedOperation\` | 1 |

      ## Risky events (3)

      By rule: access-denied 2, delete 1, iam-write 1, rds-delete 1, security-group-change 1.

      | Time (UTC) | Action | Region | Result | Resources | Why | Event id |
      |---|---|---|---|---|---|---|
      | 2026-11-26 09:20:00 | \`iam:CreateAccessKey\` | us-east-1 | \`AccessDenied\` |  | access-denied, iam-write | \`00000004-aaaa-4bbb-8ccc-dddddddddddd\` |
      | 2026-11-26 09:31:02 | \`ec2:AuthorizeSecurityGroupIngress\` | eu-west-1 | \`Client.UnauthorizedOperation\` |  | access-denied, security-group-change | \`00000005-aaaa-4bbb-8ccc-dddddddddddd\` |
      | 2026-11-26 10:06:30 | \`rds:DeleteDBSnapshot\` | eu-west-1 | ok | \`arn:aws:rds:eu-west-1:123456789012:snapshot:orders-manual-1\` | delete, rds-delete | \`00000007-aaaa-4bbb-8ccc-dddddddddddd\` |

      ## Resources touched (2)

      | Resource | Events | Writes |
      |---|--:|--:|
      | \`arn:aws:rds:eu-west-1:123456789012:db:orders-prod\` | 2 | 1 |
      | \`arn:aws:rds:eu-west-1:123456789012:snapshot:orders-manual-1\` | 1 | 1 |

      ---
      Written by hallpass from CloudTrail \`LookupEvents\` after the delivery delay; the JSON file next to this one holds the same summary for machines.
      "
    `);
  });

  it("writes the known event set as this exact JSON", () => {
    expect(renderAuditJson(summary(events))).toMatchInlineSnapshot(`
      "{
        "version": 1,
        "requestPath": "access-requests/payments/alice-db.yaml",
        "pullRequest": 42,
        "requester": "alice",
        "role": "db-admin",
        "account": {
          "name": "production",
          "id": "123456789012"
        },
        "roleArn": "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3",
        "window": {
          "start": "2026-11-26T09:00:00Z",
          "end": "2026-11-26T11:00:00Z"
        },
        "endedAt": "2026-11-26T10:30:00Z",
        "endReason": "early-release",
        "regions": [
          "eu-west-1",
          "us-east-1"
        ],
        "totals": {
          "events": 7,
          "reads": 3,
          "writes": 4,
          "failed": 2
        },
        "firstActivity": "2026-11-26T09:02:11Z",
        "lastActivity": "2026-11-26T10:06:30Z",
        "sourceIdentities": [
          "alice"
        ],
        "byService": [
          {
            "service": "ec2",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 1,
            "first": "2026-11-26T09:31:02Z",
            "last": "2026-11-26T09:31:02Z"
          },
          {
            "service": "iam",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 1,
            "first": "2026-11-26T09:20:00Z",
            "last": "2026-11-26T09:20:00Z"
          },
          {
            "service": "rds",
            "events": 4,
            "reads": 2,
            "writes": 2,
            "failed": 0,
            "first": "2026-11-26T09:02:11Z",
            "last": "2026-11-26T10:06:30Z"
          },
          {
            "service": "s3",
            "events": 1,
            "reads": 1,
            "writes": 0,
            "failed": 0,
            "first": "2026-11-26T10:05:59Z",
            "last": "2026-11-26T10:05:59Z"
          }
        ],
        "byAction": [
          {
            "action": "ec2:AuthorizeSecurityGroupIngress",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 1
          },
          {
            "action": "iam:CreateAccessKey",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 1
          },
          {
            "action": "rds:DeleteDBSnapshot",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 0
          },
          {
            "action": "rds:DescribeDBInstances",
            "events": 1,
            "reads": 1,
            "writes": 0,
            "failed": 0
          },
          {
            "action": "rds:DescribeDBLogFiles",
            "events": 1,
            "reads": 1,
            "writes": 0,
            "failed": 0
          },
          {
            "action": "rds:RebootDBInstance",
            "events": 1,
            "reads": 0,
            "writes": 1,
            "failed": 0
          },
          {
            "action": "s3:ListBuckets",
            "events": 1,
            "reads": 1,
            "writes": 0,
            "failed": 0
          }
        ],
        "byErrorCode": [
          {
            "errorCode": "AccessDenied",
            "events": 1
          },
          {
            "errorCode": "Client.UnauthorizedOperation",
            "events": 1
          }
        ],
        "resources": [
          {
            "arn": "arn:aws:rds:eu-west-1:123456789012:db:orders-prod",
            "events": 2,
            "writes": 1
          },
          {
            "arn": "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-manual-1",
            "events": 1,
            "writes": 1
          }
        ],
        "riskyByRule": [
          {
            "rule": "access-denied",
            "events": 2
          },
          {
            "rule": "delete",
            "events": 1
          },
          {
            "rule": "iam-write",
            "events": 1
          },
          {
            "rule": "rds-delete",
            "events": 1
          },
          {
            "rule": "security-group-change",
            "events": 1
          }
        ],
        "riskyEventsTotal": 3,
        "riskyEvents": [
          {
            "eventTime": "2026-11-26T09:20:00Z",
            "eventID": "00000004-aaaa-4bbb-8ccc-dddddddddddd",
            "action": "iam:CreateAccessKey",
            "region": "us-east-1",
            "readOnly": false,
            "errorCode": "AccessDenied",
            "sourceIdentity": "alice",
            "resources": [],
            "rules": [
              "access-denied",
              "iam-write"
            ]
          },
          {
            "eventTime": "2026-11-26T09:31:02Z",
            "eventID": "00000005-aaaa-4bbb-8ccc-dddddddddddd",
            "action": "ec2:AuthorizeSecurityGroupIngress",
            "region": "eu-west-1",
            "readOnly": false,
            "errorCode": "Client.UnauthorizedOperation",
            "sourceIdentity": "alice",
            "resources": [],
            "rules": [
              "access-denied",
              "security-group-change"
            ]
          },
          {
            "eventTime": "2026-11-26T10:06:30Z",
            "eventID": "00000007-aaaa-4bbb-8ccc-dddddddddddd",
            "action": "rds:DeleteDBSnapshot",
            "region": "eu-west-1",
            "readOnly": false,
            "sourceIdentity": "alice",
            "resources": [
              "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-manual-1"
            ],
            "rules": [
              "delete",
              "rds-delete"
            ]
          }
        ],
        "timeline": {
          "bucketMinutes": 5,
          "spans": [
            {
              "service": "ec2",
              "start": "2026-11-26T09:30:00.000Z",
              "end": "2026-11-26T09:35:00.000Z",
              "events": 1,
              "reads": 0,
              "writes": 1,
              "failed": 1
            },
            {
              "service": "iam",
              "start": "2026-11-26T09:20:00.000Z",
              "end": "2026-11-26T09:25:00.000Z",
              "events": 1,
              "reads": 0,
              "writes": 1,
              "failed": 1
            },
            {
              "service": "rds",
              "start": "2026-11-26T09:00:00.000Z",
              "end": "2026-11-26T09:05:00.000Z",
              "events": 3,
              "reads": 2,
              "writes": 1,
              "failed": 0
            },
            {
              "service": "rds",
              "start": "2026-11-26T10:05:00.000Z",
              "end": "2026-11-26T10:10:00.000Z",
              "events": 1,
              "reads": 0,
              "writes": 1,
              "failed": 0
            },
            {
              "service": "s3",
              "start": "2026-11-26T10:05:00.000Z",
              "end": "2026-11-26T10:10:00.000Z",
              "events": 1,
              "reads": 1,
              "writes": 0,
              "failed": 0
            }
          ]
        },
        "duplicateEvents": 0,
        "unreadableEventsTotal": 0,
        "unreadableEvents": []
      }
      "
    `);
  });
});

describe("renderAuditJson", () => {
  const base = summary(events);
  const hostile = ['a"b\\c', "line\nbreak", '\n  "riskyEvents": []', "é ✓ \u2028 \ud83d\ude00", ""];
  const risky = (i: number) => ({
    ...base.riskyEvents[i % base.riskyEvents.length]!,
    eventID: `${hostile[i % hostile.length]}-${i}`,
    resources: i % 3 === 0 ? [] : [`arn:aws:s3:::b-${i}`, hostile[i % hostile.length]!],
    rules: ["delete", hostile[(i + 1) % hostile.length]!],
  });
  const resource = (i: number) => ({
    arn: `${hostile[i % hostile.length]}${i}`,
    events: i,
    writes: 0,
  });

  it.each([
    ["no risky events and no resources", { ...base, riskyEvents: [], resources: [] }],
    ["the known event set", base],
    ["one of each", { ...base, riskyEvents: [risky(0)], resources: [resource(0)] }],
    [
      "lists longer than a piece, text that looks like the JSON's own keys",
      {
        ...base,
        requestPath: hostile[2]!,
        riskyEvents: Array.from({ length: 1_234 }, (_, i) => risky(i)),
        resources: Array.from({ length: 1_001 }, (_, i) => resource(i)),
      },
    ],
    [
      "exactly two pieces",
      { ...base, riskyEvents: Array.from({ length: 1_000 }, (_, i) => risky(i)) },
    ],
  ])("writes %s as JSON.stringify does, indented by two, with a newline", (_, s) => {
    expect(renderAuditJson(s)).toBe(`${JSON.stringify(s, null, 2)}\n`);
  });
});
