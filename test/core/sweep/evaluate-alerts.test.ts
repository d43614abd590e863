import { describe, expect, it } from "vitest";
import type { CloudTrailEvent } from "../../../src/core/audit/cloudtrail-event.ts";
import type { AlertRule } from "../../../src/core/policy/policy-format.ts";
import {
  evaluateAlerts,
  type FiredAlert,
  matchesEventFilter,
  toFiredAlert,
} from "../../../src/core/sweep/evaluate-alerts.ts";

let serial = 0;
function event(
  action: string,
  time: string,
  extra: Partial<CloudTrailEvent> = {},
): CloudTrailEvent {
  const [service, name] = action.split(":") as [string, string];
  serial++;
  return {
    eventID: `evt-${String(serial).padStart(4, "0")}`,
    eventTime: time,
    eventSource: `${service}.amazonaws.com`,
    eventName: name,
    awsRegion: "eu-west-1",
    userIdentity: {
      type: "AssumedRole",
      sessionContext: {
        sourceIdentity: "alice",
        sessionIssuer: { arn: "arn:aws:iam::123456789012:role/hallpass/hp-alice" },
      },
    },
    readOnly: false,
    ...extra,
  };
}

function rule(name: string, fields: Partial<AlertRule>): AlertRule {
  return { name, writesOnly: false, severity: "high", revoke: false, ...fields };
}

describe("matchesEventFilter", () => {
  const cases: [string, Partial<AlertRule>, CloudTrailEvent, boolean][] = [
    ["service glob", { actions: ["iam:*"] }, event("iam:CreateRole", "2026-11-26T09:00:00Z"), true],
    ["other service", { actions: ["iam:*"] }, event("s3:PutObject", "2026-11-26T09:00:00Z"), false],
    [
      "any-service delete",
      { actions: ["*:Delete*"] },
      event("rds:DeleteDBInstance", "2026-11-26T09:00:00Z"),
      true,
    ],
    [
      "case-insensitive like IAM",
      { actions: ["EC2:authorizesecuritygroup*"] },
      event("ec2:AuthorizeSecurityGroupIngress", "2026-11-26T09:00:00Z"),
      true,
    ],
    [
      "dots are literal",
      { actions: ["s3:Get.bject"] },
      event("s3:GetObject", "2026-11-26T09:00:00Z"),
      false,
    ],
    [
      "? is exactly one character, as in IAM",
      { actions: ["ec2:RunInstance?"] },
      event("ec2:RunInstances", "2026-11-26T09:00:00Z"),
      true,
    ],
    [
      "? is never zero characters",
      { actions: ["ec2:RunInstances?"] },
      event("ec2:RunInstances", "2026-11-26T09:00:00Z"),
      false,
    ],
    [
      "? is never two characters",
      { actions: ["iam:?Role"] },
      event("iam:GetRole", "2026-11-26T09:00:00Z"),
      false,
    ],
    [
      "* may be empty",
      { actions: ["iam:CreateRole*"] },
      event("iam:CreateRole", "2026-11-26T09:00:00Z"),
      true,
    ],
    [
      "the whole name must match, not a part",
      { actions: ["iam:Create"] },
      event("iam:CreateRole", "2026-11-26T09:00:00Z"),
      false,
    ],
    [
      "writesOnly skips reads",
      { writesOnly: true },
      event("iam:GetRole", "2026-11-26T09:00:00Z", { readOnly: true }),
      false,
    ],
    [
      "writesOnly counts a missing readOnly as a write",
      { writesOnly: true },
      event("ec2:RunInstances", "2026-11-26T09:00:00Z", { readOnly: undefined }),
      true,
    ],
    [
      "errorCodes needs a failed call",
      { errorCodes: ["AccessDenied"] },
      event("iam:GetRole", "2026-11-26T09:00:00Z"),
      false,
    ],
    [
      "errorCodes matches",
      { errorCodes: ["AccessDenied"] },
      event("iam:GetRole", "2026-11-26T09:00:00Z", { errorCode: "AccessDenied" }),
      true,
    ],
    [
      "EC2's Client. prefix",
      { errorCodes: ["UnauthorizedOperation"] },
      event("ec2:RunInstances", "2026-11-26T09:00:00Z", {
        errorCode: "Client.UnauthorizedOperation",
      }),
      true,
    ],
    [
      "no filters: every event",
      {},
      event("s3:ListBuckets", "2026-11-26T09:00:00Z", { readOnly: true }),
      true,
    ],
  ];
  it.each(cases)("%s", (_name, fields, e, expected) => {
    expect(matchesEventFilter(rule("r", fields), e)).toBe(expected);
  });
});

describe("alert globs run in linear time", () => {
  it("judges a glob of many stars against a long event name at once", () => {
    // As a backtracking regular expression (.*a.*a…b) this takes about n^12 steps: the sweep
    // would stall on one event.
    const glob = `*:${"*a".repeat(12)}*b`;
    const name = `s:${"a".repeat(200)}`;
    expect(
      matchesEventFilter(rule("r", { actions: [glob] }), event(name, "2026-11-26T09:00:00Z")),
    ).toBe(false);
    expect(
      matchesEventFilter(rule("r", { actions: [glob] }), event(`${name}b`, "2026-11-26T09:00:00Z")),
    ).toBe(true);
  });
});

describe("evaluateAlerts", () => {
  const iamWrites = rule("iam-writes", { actions: ["iam:*"], writesOnly: true, revoke: true });
  const burst = rule("write-burst", {
    writesOnly: true,
    threshold: { count: 3, withinMinutes: 5 },
  });
  const denied = rule("denied-burst", {
    errorCodes: ["AccessDenied"],
    threshold: { count: 2, withinMinutes: 1 },
    severity: "medium",
  });

  it("raises one alert for every new matching event of a rule without threshold", () => {
    const a = event("iam:CreateUser", "2026-11-26T09:10:00Z");
    const b = event("iam:AttachUserPolicy", "2026-11-26T09:11:00Z");
    const read = event("iam:GetUser", "2026-11-26T09:12:00Z", { readOnly: true });
    const alerts = evaluateAlerts([iamWrites], [b, read, a], []);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      id: `iam-writes:${a.eventID}`,
      rule: "iam-writes",
      revoke: true,
      from: a.eventTime,
      to: b.eventTime,
    });
    expect(alerts[0]!.events.map((e) => e.action)).toEqual([
      "iam:CreateUser",
      "iam:AttachUserPolicy",
    ]);
  });

  it("does not raise again for events already alerted on, but does for new ones", () => {
    const a = event("iam:CreateUser", "2026-11-26T09:10:00Z");
    const first = evaluateAlerts([iamWrites], [a], []);
    const recorded = first.map((x) => toFiredAlert(x, true));
    expect(evaluateAlerts([iamWrites], [a], recorded)).toEqual([]);
    const b = event("iam:DeleteUser", "2026-11-26T09:40:00Z");
    const second = evaluateAlerts([iamWrites], [a, b], recorded);
    expect(second.map((x) => x.events.map((e) => e.eventID))).toEqual([[b.eventID]]);
  });

  it("fires a threshold rule only when count events fall within the window", () => {
    const spread = [
      event("s3:PutObject", "2026-11-26T09:00:00Z"),
      event("s3:PutObject", "2026-11-26T09:03:00Z"),
      event("s3:PutObject", "2026-11-26T09:06:00Z"),
    ];
    expect(evaluateAlerts([burst], spread, [])).toEqual([]);
    const tight = [...spread, event("s3:PutObject", "2026-11-26T09:07:00Z")];
    const alerts = evaluateAlerts([burst], tight, []);
    expect(alerts.map((a) => [a.from, a.to, a.events.length])).toEqual([
      ["2026-11-26T09:03:00Z", "2026-11-26T09:07:00Z", 3],
    ]);
  });

  it("raises a burst once even when late events extend it", () => {
    const first = [
      event("s3:PutObject", "2026-11-26T09:00:00Z"),
      event("s3:PutObject", "2026-11-26T09:01:00Z"),
      event("s3:PutObject", "2026-11-26T09:02:00Z"),
    ];
    const recorded: FiredAlert[] = evaluateAlerts([burst], first, []).map((a) =>
      toFiredAlert(a, false),
    );
    expect(recorded).toHaveLength(1);
    const late = event("s3:PutObject", "2026-11-26T08:59:30Z");
    expect(evaluateAlerts([burst], [...first, late], recorded)).toEqual([]);
  });

  it("counts bursts of AccessDenied separately from other failures", () => {
    const events = [
      event("iam:ListUsers", "2026-11-26T09:00:00Z", { errorCode: "AccessDenied", readOnly: true }),
      event("iam:ListRoles", "2026-11-26T09:00:30Z", { errorCode: "AccessDenied", readOnly: true }),
      event("iam:ListRoles", "2026-11-26T09:00:40Z", {
        errorCode: "ThrottlingException",
        readOnly: true,
      }),
    ];
    const alerts = evaluateAlerts([denied], events, []);
    expect(alerts.map((a) => [a.rule, a.severity, a.events.length])).toEqual([
      ["denied-burst", "medium", 2],
    ]);
  });

  it("returns alerts of several rules sorted by time", () => {
    const events = [
      event("iam:CreateUser", "2026-11-26T09:30:00Z"),
      event("ec2:RunInstances", "2026-11-26T09:00:00Z"),
      event("ec2:RunInstances", "2026-11-26T09:01:00Z"),
      event("ec2:RunInstances", "2026-11-26T09:02:00Z"),
    ];
    expect(evaluateAlerts([iamWrites, burst], events, []).map((a) => a.rule)).toEqual([
      "write-burst",
      "iam-writes",
    ]);
  });
});
