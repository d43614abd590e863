import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CloudTrailEvent } from "../../../src/core/audit/cloudtrail-event.ts";
import {
  auditSubjectOf,
  renderAuditMarkdown,
  riskRulesOf,
  summarizeActivity,
} from "../../../src/core/audit/summarize-activity.ts";
import { digestRoleDocuments } from "../../../src/core/grant/digest-grant-plan.ts";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import { loadPolicies } from "../../../src/core/policy/load-policies.ts";
import { evaluateAlerts } from "../../../src/core/sweep/evaluate-alerts.ts";
import type { CloudTrailPort, GrantEventQuery } from "../../../src/ports/cloudtrail.ts";
import { SweepConfigError, type SweepDeps, sweep } from "../../../src/workflows/sweep/run-sweep.ts";
import { examplePolicyFiles, examplePolicySources } from "../../support/example-policies.ts";
import { linksIn, renderMarkdown, textOf } from "../../support/render-markdown.ts";
import {
  boundRevokeGrant,
  FakeAws,
  FakeCloudTrail,
  FakeGitHub,
  grantEvent,
} from "../../support/sweep-fakes.ts";
import { grantRecord as grant, PROD } from "./sweep-step-fixtures.ts";

const NOW = new Date("2026-11-26T12:00:00Z");

const settings = `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  auditDelay: 30m
  notifications:
    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK
  alerts:
    - name: iam-changes
      description: Changes to IAM can outlive the grant.
      actions: ["iam:*"]
      writesOnly: true
      severity: critical
      revoke: true
    - name: denied-burst
      errorCodes: [AccessDenied]
      threshold: { count: 3, withinMinutes: 5 }
      severity: medium
`;

function world(cloudTrailOptions: ConstructorParameters<typeof FakeCloudTrail>[0] = {}) {
  const github = new FakeGitHub();
  for (const [path, content] of Object.entries(examplePolicyFiles)) github.files.set(path, content);
  github.files.set("policies/settings.yaml", settings);
  const aws = new FakeAws();
  const cloudtrail = new FakeCloudTrail(cloudTrailOptions);
  const revokeGrant = boundRevokeGrant(aws, github);
  const slack: string[] = [];
  const deps: SweepDeps = {
    github,
    aws,
    cloudtrail,
    revokeGrant,
    notifierFor: (env) =>
      env === "HALLPASS_SLACK_WEBHOOK"
        ? async (text) => {
            slack.push(text);
          }
        : undefined,
  };
  function record(g: GrantRecord, inAws = true) {
    github.files.set(g.requestPath, `requester: alice\naccount: production\n`);
    github.files.set(g.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(g, null, 2));
    if (inAws) aws.addGrantRole(g);
  }
  return { github, aws, cloudtrail, revokeGrant, slack, deps, record };
}

const live = grant("live", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z");
const expired = grant("expired", "2026-11-26T09:00:00Z", "2026-11-26T11:45:00Z");
const ended = grant("ended-early", "2026-11-26T08:00:00Z", "2026-11-26T12:00:00Z");

describe("sweep", () => {
  it("revokes an expired grant and records the revocation in git", async () => {
    const w = world();
    w.record(expired);
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(report.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
      [expired.requestPath, "expired"],
    ]);
    expect(w.aws.store(PROD.id).roles.size).toBe(0);
    const record = JSON.parse(
      w.github.files.get("access-requests/payments/expired.revocation.json")!,
    );
    expect(record).toMatchObject({ reason: "expired", roleArn: expired.roleArn });
  });

  it("reads records in batches when the port can, with the same result", async () => {
    const w = world();
    const batched = new FakeGitHub({ batchReads: true });
    for (const [p, c] of w.github.files) batched.files.set(p, c);
    batched.files.set(expired.requestPath, "account: production\n");
    batched.files.set(expired.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(expired));
    w.aws.addGrantRole(expired);
    const report = await sweep(
      { ...w.deps, github: batched, revokeGrant: boundRevokeGrant(w.aws, batched) },
      { now: NOW, dryRun: false },
    );
    expect(report.revoked.map((r) => r.requestPath)).toEqual([expired.requestPath]);
    expect(batched.count("getFiles")).toBeGreaterThan(0);
    // Only the revoke routine's own look for an existing record goes file by file.
    expect(batched.count("getFile")).toBe(1);
  });

  it("revokes a hand-made role at once and alerts on it", async () => {
    const w = world();
    w.record(live);
    w.aws.store(PROD.id).addRole({
      roleName: "quick-fix",
      roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/quick-fix`,
      path: "/hallpass/",
      createdAt: "2026-11-26T11:58:00Z",
      tags: {},
    });
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
      ["access-requests/unrecorded/123456789012/quick-fix.yaml", "unrecorded-role"],
    ]);
    expect([...w.aws.store(PROD.id).roles.keys()]).toEqual([live.roleName]);
    expect(w.slack).toHaveLength(1);
    expect(w.slack[0]).toContain("role not explained by git");
    const dashboard = [...w.github.issues.values()][0]!.body;
    expect(dashboard).toContain("Role not explained by git in production");
    expect(
      w.github.files.has("access-requests/unrecorded/123456789012/quick-fix.revocation.json"),
    ).toBe(true);
  });

  it("revokes an unrecorded role tagged for another repository unless policies/ share the account with it", async () => {
    const hidden = {
      roleName: "hallpass-mallory-keep",
      roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/hallpass-mallory-keep`,
      path: "/hallpass/",
      createdAt: "2026-11-20T11:58:00Z",
      tags: { "hallpass:managed-by": "hallpass", "hallpass:repository": "acme/other-access" },
    };
    const w = world();
    w.aws.store(PROD.id).addRole(hidden);
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(report.plan.foreignRoles).toEqual([]);
    expect(report.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
      [`access-requests/unrecorded/${PROD.id}/hallpass-mallory-keep.yaml`, "unrecorded-role"],
    ]);
    expect(w.aws.store(PROD.id).roles.size).toBe(0);
    expect(w.slack).toHaveLength(1);
    expect(w.slack[0]).toContain("tagged for acme/other-access");

    // Shared by policies/: reported and left alone.
    const s = world();
    s.github.files.set(
      "policies/accounts.yaml",
      examplePolicyFiles["policies/accounts.yaml"].replace(
        "    regions: [eu-west-1, us-east-1]\n",
        "    regions: [eu-west-1, us-east-1]\n    sharedWith: [acme/other-access]\n",
      ),
    );
    s.aws.store(PROD.id).addRole(hidden);
    const shared = await sweep(s.deps, { now: NOW, dryRun: false });
    expect(shared.issues).toEqual([]);
    expect(shared.revoked).toEqual([]);
    expect(s.aws.store(PROD.id).roles.size).toBe(1);
    expect([...s.github.issues.values()][0]!.body).toContain(
      "Role of another repository in production",
    );
  });

  describe("a grant record that names a role not its own", () => {
    /** A record edited by someone who can write records: an expired grant naming `role`. */
    function tampered({ roleName, roleArn }: { roleName: string; roleArn: string }): GrantRecord {
      // "zz-" sorts after the grant it imitates: read last, it won the ARN before.
      const own = grant("zz-tampered", "2026-11-26T09:00:00Z", "2026-11-26T11:00:00Z");
      return { ...own, roleName, roleArn };
    }

    it("pointing at another live grant's role: nothing denied or deleted, the record reported", async () => {
      const w = world();
      w.record(live);
      w.record(tampered(live), false);
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked).toEqual([]);
      const role = w.aws.store(PROD.id).roles.get(live.roleName)!;
      expect(role.inline.has("hallpass-revoke-older-sessions")).toBe(false);
      expect(report.plan.watch.map((x) => x.grant.requestPath)).toEqual([live.requestPath]);
      expect(report.plan.auditsDue).toEqual([]);
      expect(report.issues).toEqual([
        expect.objectContaining({
          step: "read",
          subject: "access-requests/payments/zz-tampered.yaml",
          message: expect.stringContaining(`names ${live.roleArn}`),
        }),
      ]);
      expect([...w.github.issues.values()][0]!.body).toContain(
        "Grant record names another request's role in production",
      );
    });

    it("pointing at another repository's role in a shared account: nothing denied or deleted", async () => {
      const w = world();
      w.github.files.set(
        "policies/accounts.yaml",
        examplePolicyFiles["policies/accounts.yaml"].replace(
          "    regions: [eu-west-1, us-east-1]\n",
          "    regions: [eu-west-1, us-east-1]\n    sharedWith: [acme/other-access]\n",
        ),
      );
      const theirs = grant("theirs", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z");
      w.aws.addGrantRole(theirs, {
        "hallpass:repository": "acme/other-access",
        "hallpass:request": "access-requests/ops/carol.yaml",
      });
      w.record(tampered(theirs), false);
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked).toEqual([]);
      expect(w.aws.store(PROD.id).roles.has(theirs.roleName)).toBe(true);
      expect(report.plan.foreignRoles.map((f) => f.role.roleName)).toEqual([theirs.roleName]);
      expect(report.issues.map((i) => i.subject)).toEqual([
        "access-requests/payments/zz-tampered.yaml",
      ]);
    });

    it("whose own role is gone and whose name is another live role's: recorded without any AWS call by name", async () => {
      const w = world();
      w.record(live);
      const gone = {
        ...tampered(live),
        roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/hp-long-gone`,
      };
      w.record(gone, false);
      const store = w.aws.store(PROD.id);
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked.map((r) => [r.requestPath, r.roleArn])).toEqual([
        [gone.requestPath, gone.roleArn],
      ]);
      expect(store.roles.get(live.roleName)!.inline.has("hallpass-revoke-older-sessions")).toBe(
        false,
      );
      expect(store.calls.filter((c) => c !== "listGrantRoles")).toEqual([]);
    });

    it("a grant record at another request's path is not believed", async () => {
      const w = world();
      w.record(live);
      // x.grant.json claiming to be the live grant's record, naming its role, already expired.
      const impostor = {
        ...live,
        window: { start: live.window.start, end: "2026-11-26T11:30:00Z" },
      };
      w.github.files.set("access-requests/payments/a-copy.yaml", "account: production\n");
      w.github.files.set(
        "access-requests/payments/a-copy.grant.json",
        JSON.stringify(impostor, null, 2),
      );
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked).toEqual([]);
      expect(w.aws.store(PROD.id).roles.has(live.roleName)).toBe(true);
      expect(report.issues).toEqual([
        expect.objectContaining({
          subject: "access-requests/payments/a-copy.grant.json",
          message: expect.stringContaining(`the grant record of ${live.requestPath}`),
        }),
      ]);
    });
  });

  describe("a live grant role changed by hand", () => {
    const documents = {
      trustPolicy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:user/alice"},"Action":"sts:AssumeRole"}]}',
      inlinePolicies: {
        "hallpass-permissions":
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rds:Describe*","Resource":"*"}]}',
      },
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundary: `arn:aws:iam::${PROD.id}:policy/hallpass-boundary`,
      maxSessionDuration: 3600,
    };
    const digested: GrantRecord = { ...live, planDigest: digestRoleDocuments(documents) };
    const touched = {
      ...documents,
      managedPolicyArns: [
        ...documents.managedPolicyArns,
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ],
    };

    function changed() {
      const w = world();
      w.record(digested, false);
      w.aws.addGrantRole(digested, {}, touched);
      return w;
    }

    it("is revoked at once, alerted on and recorded, saying what differs", async () => {
      const w = changed();
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
        [digested.requestPath, "alert"],
      ]);
      expect(w.aws.store(PROD.id).roles.size).toBe(0);
      expect(w.slack).toHaveLength(1);
      expect(w.slack[0]).toContain(
        "changed by hand: managed policy arn:aws:iam::aws:policy/AdministratorAccess attached",
      );
      const record = JSON.parse(
        w.github.files.get("access-requests/payments/live.revocation.json")!,
      );
      expect(record).toMatchObject({ reason: "alert", roleArn: digested.roleArn });
      expect(record.detail).toContain("changed by hand");
    });

    it("is only reported in a dry run", async () => {
      const w = changed();
      const files = new Map(w.github.files);
      const report = await sweep(w.deps, { now: NOW, dryRun: true });
      expect(report.plan.revoke.map((r) => [r.reason, r.alert])).toEqual([["alert", true]]);
      expect(w.github.files).toEqual(files);
      expect(w.aws.store(PROD.id).calls.filter((c) => c !== "listGrantRoles")).toEqual([]);
      expect(w.slack).toEqual([]);
    });

    it("is watched, not revoked, when untouched", async () => {
      const w = world();
      w.record(digested, false);
      w.aws.addGrantRole(digested, {}, documents);
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.revoked).toEqual([]);
      expect(report.plan.watch.map((g) => g.grant.requestPath)).toEqual([digested.requestPath]);
      expect(w.slack).toEqual([]);
    });
  });

  it("raises alerts by the policies' rules, mentions the approvers, and revokes when a rule says so", async () => {
    const w = world();
    w.record(live);
    w.cloudtrail.add(
      live.roleArn,
      grantEvent(live, {
        id: "e1",
        time: "2026-11-26T11:10:00Z",
        action: "rds:DescribeDBInstances",
        readOnly: true,
      }),
      grantEvent(live, {
        id: "e2",
        time: "2026-11-26T11:20:00Z",
        action: "iam:CreateAccessKey",
        readOnly: false,
      }),
    );
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.alerts.map((a) => [a.alert.rule, a.revoked])).toEqual([["iam-changes", true]]);
    expect(report.revoked.map((r) => r.reason)).toEqual(["alert"]);
    const comment = w.github.comments.get(
      `${live.pullRequest.number} <!-- hallpass:alerts ${live.requestPath} -->`,
    )!;
    expect(comment).toContain("@alice @dana");
    expect(comment).toContain("iam:CreateAccessKey");
    expect(w.slack.some((s) => s.includes("iam-changes (critical)"))).toBe(true);
    const alerts = JSON.parse(w.github.files.get("access-requests/payments/live.alerts.json")!);
    expect(alerts.alerts).toMatchObject([
      { id: "iam-changes:e2", eventIds: ["e2"], revoked: true },
    ]);
    // The dashboard lists the alert (and the grant is gone from the live list: revoked).
    const dashboard = [...w.github.issues.values()][0]!.body;
    expect(dashboard).toContain(
      "| iam-changes | critical | [access-requests/payments/live.yaml](../pull/44) | 1 | yes |",
    );
  });

  it("judges the events a lookup gave before it failed: an alert read before an unreadable record still revokes", async () => {
    const w = world();
    w.record(live);
    w.cloudtrail.add(
      live.roleArn,
      grantEvent(live, {
        id: "e2",
        time: "2026-11-26T11:20:00Z",
        action: "iam:CreateAccessKey",
        readOnly: false,
      }),
    );
    w.cloudtrail.failAfterEvents = new Error("CloudTrail event e3 cannot be read: not JSON");
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.alerts.map((a) => [a.alert.rule, a.revoked])).toEqual([["iam-changes", true]]);
    expect(report.revoked.map((r) => r.reason)).toEqual(["alert"]);
    // The lookup still failed loudly: its grant is reported, and read again next run.
    expect(report.issues.map((i) => i.message).join("\n")).toContain("e3 cannot be read");
  });

  it("escapes what CloudTrail and the request put in the alert comment and the Slack message", async () => {
    const w = world();
    // A request path from before paths were limited to a safe character set, and a resource
    // name chosen by the grant holder: neither may add markup, links or mentions.
    const hostile: GrantRecord = {
      ...live,
      requestPath: "access-requests/payments/x|<!channel>.yaml",
      requester: "alice",
    };
    w.record(hostile);
    w.cloudtrail.add(
      hostile.roleArn,
      grantEvent(hostile, {
        id: "e`1",
        time: "2026-11-26T11:20:00Z",
        action: "iam:CreateAccessKey",
        readOnly: false,
        resources: ["arn:aws:s3:::b`](https://evil.example) @acme/admins"],
      }),
    );
    await sweep(w.deps, { now: NOW, dryRun: false });
    const [comment] = [...w.github.comments.entries()]
      .filter(([key]) => key.includes("hallpass:alerts"))
      .map(([, body]) => body);
    expect(linksIn(comment!)).toEqual([]);
    // Whole, in code spans, where GitHub reads no mention.
    expect(textOf(comment!)).toContain(
      "on arn:aws:s3:::b`](https://evil.example) @acme/admins (event e`1)",
    );
    expect(renderMarkdown(comment!).replace(/<code>.*?<\/code>/g, "")).not.toContain("@acme");
    const message = w.slack.find((s) => s.includes("iam-changes"))!;
    expect(message).toContain(
      `<${hostile.pullRequest.url}|access-requests/payments/x\uff5c&lt;!channel&gt;.yaml>`,
    );
    expect(message).not.toContain("<!channel>");
  });

  it("raises from whole CloudTrail records the alerts the records themselves raise (the watch holds them compacted)", async () => {
    // Real-shaped records, with request and response bodies, TLS details and user agents.
    const records = JSON.parse(
      readFileSync(
        new URL("../../fixtures/cloudtrail/alice-db-events.json", import.meta.url),
        "utf8",
      ),
    ) as CloudTrailEvent[];
    const g = grant("alice-db-admin-a1b2c3", "2026-11-26T09:00:00Z", "2026-11-26T14:00:00Z");
    const w = world();
    w.record(g);
    w.cloudtrail.add(g.roleArn, ...records);
    const rules = loadPolicies(examplePolicySources({ "policies/settings.yaml": settings }))
      .policies!.settings.alerts;
    const expected = evaluateAlerts(rules, structuredClone(records), []);
    expect(expected.length).toBeGreaterThan(0);
    const report = await sweep(w.deps, { now: NOW, dryRun: true });
    expect(report.issues).toEqual([]);
    expect(report.alerts.map((a) => a.alert)).toEqual(expected);
  });

  it("raises alerts on what a grant did in its last minutes, delivered after it ended", async () => {
    const w = world();
    w.record(expired);
    // CloudTrail delivered this minutes late: no run saw it while the grant was live.
    w.cloudtrail.add(
      expired.roleArn,
      grantEvent(expired, {
        id: "late1",
        time: "2026-11-26T11:44:30Z",
        action: "iam:AttachUserPolicy",
        readOnly: false,
      }),
    );
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(report.watchedEnded).toEqual([expired.requestPath]);
    expect(report.alerts.map((a) => [a.requestPath, a.alert.rule, a.revoked])).toEqual([
      [expired.requestPath, "iam-changes", false],
    ]);
    expect(report.revoked.map((r) => [r.requestPath, r.reason])).toEqual([
      [expired.requestPath, "expired"],
    ]);
    expect(
      w.github.comments.get(
        `${expired.pullRequest.number} <!-- hallpass:alerts ${expired.requestPath} -->`,
      ),
    ).toContain("iam-changes");
    // Once its audit is written, an ended grant is no longer watched.
    const later = await sweep(w.deps, { now: new Date("2026-11-26T12:20:00Z"), dryRun: false });
    expect(later.audits.map((a) => a.requestPath)).toEqual([expired.requestPath]);
    const after = await sweep(w.deps, { now: new Date("2026-11-26T12:25:00Z"), dryRun: false });
    expect(after.watchedEnded).toEqual([]);
  });

  it("does not raise the same alert twice across runs, and raises a burst of AccessDenied", async () => {
    const w = world();
    w.record(live);
    const denied = (id: string, time: string) =>
      grantEvent(live, {
        id,
        time,
        action: "s3:GetObject",
        readOnly: true,
        errorCode: "AccessDenied",
      });
    w.cloudtrail.add(
      live.roleArn,
      denied("d1", "2026-11-26T11:30:00Z"),
      denied("d2", "2026-11-26T11:31:00Z"),
    );
    expect((await sweep(w.deps, { now: NOW, dryRun: false })).alerts).toEqual([]);
    w.cloudtrail.add(live.roleArn, denied("d3", "2026-11-26T11:32:00Z"));
    const second = await sweep(w.deps, { now: new Date("2026-11-26T12:05:00Z"), dryRun: false });
    expect(second.alerts.map((a) => [a.alert.rule, a.alert.events.length])).toEqual([
      ["denied-burst", 3],
    ]);
    const third = await sweep(w.deps, { now: new Date("2026-11-26T12:10:00Z"), dryRun: false });
    expect(third.alerts).toEqual([]);
    expect(w.slack).toHaveLength(1);
  });

  it("writes the audit summary once CloudTrail's delay has passed, and rewriting changes nothing", async () => {
    const w = world();
    w.record(ended, false);
    w.github.files.set(
      "access-requests/payments/ended-early.revocation.json",
      JSON.stringify({
        version: 1,
        requestPath: ended.requestPath,
        roleArn: ended.roleArn,
        revokedAt: "2026-11-26T11:00:00Z",
        reason: "early-release",
        revokedBy: "alice",
      }),
    );
    const events = [
      grantEvent(ended, {
        id: "a1",
        time: "2026-11-26T08:05:00Z",
        action: "rds:DescribeDBInstances",
        readOnly: true,
      }),
      grantEvent(ended, {
        id: "a2",
        time: "2026-11-26T08:06:00Z",
        action: "iam:CreateRole",
        readOnly: false,
      }),
      grantEvent(ended, {
        id: "a3",
        time: "2026-11-26T11:10:00Z",
        action: "rds:DeleteDBInstance",
        readOnly: false,
        errorCode: "AccessDenied",
      }),
    ];
    w.cloudtrail.add(ended.roleArn, ...events);

    const early = await sweep(w.deps, { now: new Date("2026-11-26T11:20:00Z"), dryRun: false });
    expect(early.audits).toEqual([]);
    expect(early.plan.auditsWaiting.map((a) => a.dueAt)).toEqual(["2026-11-26T11:30:00.000Z"]);
    // Until then it is watched for late events (the IAM write raises its alert).
    expect(early.alerts.map((a) => a.alert.rule)).toEqual(["iam-changes"]);
    const watchQueries = w.cloudtrail.queries.length;

    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(report.audits).toEqual([
      {
        requestPath: ended.requestPath,
        pullRequest: ended.pullRequest.number,
        events: 3,
        risky: 2,
      },
    ]);
    const md = w.github.files.get("access-requests/payments/ended-early.audit.md")!;
    const { policies } = loadPolicies(examplePolicySources({ "policies/settings.yaml": settings }));
    const subject = auditSubjectOf(
      ended,
      JSON.parse(w.github.files.get("access-requests/payments/ended-early.revocation.json")!),
      ["eu-west-1"],
    );
    // The known event set under the baseline and the policies' rules gives exactly this file.
    expect(md).toBe(
      renderAuditMarkdown(
        summarizeActivity(subject, riskRulesOf(policies!.settings.alerts), events),
      ),
    );
    expect(md).toContain("| `iam:CreateRole` | 1 | 0 | 1 | 0 |");
    expect(md).toContain("iam-changes, iam-write");
    // Both regions of the account were read, from the start to the end plus the delay.
    expect(
      w.cloudtrail.queries
        .slice(watchQueries)
        .map((q) => [q.region, q.startTime.toISOString(), q.endTime.toISOString()]),
    ).toEqual([
      ["eu-west-1", "2026-11-26T08:00:00.000Z", "2026-11-26T11:30:00.000Z"],
      ["us-east-1", "2026-11-26T08:00:00.000Z", "2026-11-26T11:30:00.000Z"],
    ]);
    expect(
      w.github.comments.get(
        `${ended.pullRequest.number} <!-- hallpass:audit-link ${ended.requestPath} -->`,
      ),
    ).toContain(
      "https://github.com/acme/access/blob/main/access-requests/payments/ended-early.audit.md",
    );

    const commits = w.github.commits.length;
    w.github.files.delete("access-requests/payments/ended-early.audit.json");
    const again = await sweep(w.deps, { now: new Date("2026-11-26T12:30:00Z"), dryRun: false });
    expect(again.audits).toHaveLength(1);
    expect(w.github.files.get("access-requests/payments/ended-early.audit.md")).toBe(md);
    expect(w.github.commits.length).toBe(commits + 1);
    expect(w.github.commits.at(-1)!.files.map((f) => f.path)).toEqual([
      "access-requests/payments/ended-early.audit.json",
    ]);
  });

  it("writes the summary of a grant with an event it cannot read, counting and naming it, and counts an event returned twice once", async () => {
    const w = world();
    w.record(expired, false);
    const read = grantEvent(expired, {
      id: "r1",
      time: "2026-11-26T10:00:00Z",
      action: "rds:DescribeDBInstances",
      readOnly: true,
    });
    w.cloudtrail.add(expired.roleArn, read, read);
    w.cloudtrail.unreadable.push({
      roleArn: expired.roleArn,
      region: "eu-west-1",
      event: {
        eventID: "bad-1",
        eventTime: "2026-11-26T10:01:00Z",
        action: "rds:DeleteDBInstance",
        message: "eventTime is missing",
      },
    });
    const report = await sweep(w.deps, { now: new Date("2026-11-26T12:30:00Z"), dryRun: false });
    expect(report.issues).toEqual([]);
    const audit = JSON.parse(w.github.files.get("access-requests/payments/expired.audit.json")!);
    expect(audit.totals.events).toBe(1);
    expect(audit.duplicateEvents).toBe(1);
    expect(audit.unreadableEventsTotal).toBe(1);
    expect(audit.unreadableEvents).toEqual([
      {
        eventID: "bad-1",
        eventTime: "2026-11-26T10:01:00Z",
        action: "rds:DeleteDBInstance",
        message: "eventTime is missing",
      },
    ]);
    const md = w.github.files.get("access-requests/payments/expired.audit.md")!;
    expect(md).toContain("## Events that could not be read (1)");
    expect(md).toContain("`bad-1`");
    expect(
      w.github.comments.get(
        `${expired.pullRequest.number} <!-- hallpass:audit-link ${expired.requestPath} -->`,
      ),
    ).toContain("1 could not be read");
  });

  it("writes no summary from part of the events when CloudTrail fails, and tries again next run", async () => {
    const w = world();
    w.record(expired, false);
    w.cloudtrail.failNext = new Error("ThrottlingException after 8 attempts");
    const first = await sweep(w.deps, { now: new Date("2026-11-26T12:30:00Z"), dryRun: false });
    expect(first.issues.map((i) => [i.step, i.subject])).toEqual([["audit", expired.requestPath]]);
    expect(w.github.files.has("access-requests/payments/expired.audit.json")).toBe(false);
    const second = await sweep(w.deps, { now: new Date("2026-11-26T12:35:00Z"), dryRun: false });
    expect(second.issues).toEqual([]);
    expect(w.github.files.has("access-requests/payments/expired.audit.json")).toBe(true);
  });

  it("reports a grant git records but AWS lacks on its PR and the dashboard", async () => {
    const w = world();
    w.record(live, false);
    w.github.files.set(
      "access-requests/payments/never.yaml",
      "requester: bob\naccount: production\n",
    );
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.plan.missingGrants.map((m) => m.requestPath)).toEqual([
      "access-requests/payments/live.yaml",
      "access-requests/payments/never.yaml",
    ]);
    expect(
      w.github.comments.get(
        `${live.pullRequest.number} <!-- hallpass:missing-grant ${live.requestPath} -->`,
      ),
    ).toContain("is not in AWS");
    const dashboard = [...w.github.issues.values()][0]!.body;
    expect(dashboard).toContain("**Missing grant: access-requests/payments/live.yaml**");
    expect(dashboard).toContain(
      "## Merged without a grant (1)\n\nRefused at merge (the PR says why) or not granted yet.\n\n- access-requests/payments/never.yaml",
    );
  });

  it("tells the PR of a merged request that was never granted, records that it did, and does not ask again", async () => {
    const w = world();
    const refused = "access-requests/payments/refused.yaml";
    w.github.files.set(refused, "requester: bob\naccount: production\n");
    w.github.mergedPulls.set(refused, {
      number: 77,
      url: "https://github.com/acme/access/pull/77",
      mergedAt: "2026-11-26T10:00:00Z",
      mergeCommitSha: "c".repeat(40),
    });
    const first = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(first.issues).toEqual([]);
    // On the branch (the PR's base), from the commit the run read.
    expect(w.github.mergedPullLookups).toEqual([["main", refused, w.github.head]]);
    expect(w.github.comments.get(`77 <!-- hallpass:ungranted ${refused} -->`)).toContain(
      "merged but no access was granted",
    );
    const record = JSON.parse(
      w.github.files.get("access-requests/payments/refused.ungranted.json")!,
    );
    expect(record).toEqual({
      version: 1,
      requestPath: refused,
      pullRequest: {
        number: 77,
        url: "https://github.com/acme/access/pull/77",
        mergeCommit: "c".repeat(40),
        mergedAt: "2026-11-26T10:00:00Z",
      },
      reportedAt: NOW.toISOString(),
      detail: expect.stringContaining("no grant record"),
      source: "sweep",
    });

    const lookups = w.github.count("findMergedPullRequest");
    const comments = w.github.count("upsertComment");
    const second = await sweep(w.deps, { now: new Date("2026-11-26T12:05:00Z"), dryRun: false });
    expect(second.plan.missingGrants).toEqual([]);
    expect(w.github.count("findMergedPullRequest")).toBe(lookups);
    expect(w.github.count("upsertComment")).toBe(comments);
  });

  it("neither tells nor records again a refusal the app recorded at merge", async () => {
    const w = world();
    const refused = "access-requests/payments/refused.yaml";
    const recorded = "access-requests/payments/refused.ungranted.json";
    const appRecord = `${JSON.stringify({
      version: 1,
      requestPath: refused,
      pullRequest: {
        number: 77,
        url: "https://github.com/acme/access/pull/77",
        mergeCommit: "c".repeat(40),
        mergedAt: "2026-11-26T10:00:00Z",
        mergedBy: "root-admin",
      },
      reportedAt: "2026-11-26T10:00:05Z",
      detail: "approvals do not hold at the merge commit ccccccc: ...",
      source: "app",
      reason: "approvals do not hold at the merge commit ccccccc",
      details: ["@root-admin merged this pull request past the hallpass/approval check."],
    })}\n`;
    w.github.files.set(refused, "requester: bob\naccount: production\n");
    w.github.files.set(recorded, appRecord);
    w.github.mergedPulls.set(refused, {
      number: 77,
      url: "https://github.com/acme/access/pull/77",
      mergedAt: "2026-11-26T10:00:00Z",
      mergeCommitSha: "c".repeat(40),
    });
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(report.plan.missingGrants).toEqual([]);
    expect(w.github.count("findMergedPullRequest")).toBe(0);
    expect(w.github.count("upsertComment")).toBe(0);
    expect(w.github.files.get(recorded)).toBe(appRecord);
  });

  it.each([
    ["merged a moment ago (the app may still be granting it)", "2026-11-26T11:50:00Z", false],
    ["pushed to the branch without a pull request", undefined, true],
  ])(
    "leaves a merged request without a grant on the dashboard when %s",
    async (_n, mergedAt, attention) => {
      const w = world();
      const path = "access-requests/payments/odd.yaml";
      w.github.files.set(path, "requester: bob\naccount: production\n");
      if (mergedAt) {
        w.github.mergedPulls.set(path, {
          number: 78,
          url: "https://github.com/acme/access/pull/78",
          mergedAt,
          mergeCommitSha: "d".repeat(40),
        });
      }
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.plan.missingGrants.map((m) => m.requestPath)).toEqual([path]);
      expect(w.github.count("upsertComment")).toBe(0);
      expect(w.github.files.has("access-requests/payments/odd.ungranted.json")).toBe(false);
      const dashboard = [...w.github.issues.values()][0]!.body;
      expect(dashboard.includes(`Request without a pull request: ${path}`)).toBe(attention);
    },
  );

  it("does not report a grant whose record the app committed a moment ago and whose role it is still creating", async () => {
    const w = world();
    const fresh = { ...grant("fresh", "2026-11-26T11:59:00Z", "2026-11-26T15:00:00Z") };
    fresh.grantedAt = "2026-11-26T11:59:30Z";
    w.record(fresh, false);
    const during = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(during.plan.missingGrants).toEqual([]);
    expect(during.plan.pendingGrants.map((p) => p.grant.requestPath)).toEqual([fresh.requestPath]);
    expect(w.github.count("upsertComment")).toBe(0);
    expect([...w.github.issues.values()][0]!.body).not.toContain("Missing grant");

    w.aws.addGrantRole(fresh);
    const after = await sweep(w.deps, { now: new Date("2026-11-26T12:05:00Z"), dryRun: false });
    expect(after.plan.watch.map((l) => l.grant.requestPath)).toEqual([fresh.requestPath]);
    expect(after.plan.revoke).toEqual([]);
    expect(after.issues).toEqual([]);
  });

  it("finishes the work of a run killed half-way, ending where an uninterrupted run ends", async () => {
    function scenario() {
      const w = world();
      const many = Array.from({ length: 6 }, (_, i) =>
        grant(`exp${i}`, "2026-11-26T08:00:00Z", `2026-11-26T11:0${i}:00Z`),
      );
      for (const g of many) w.record(g);
      w.record(live);
      w.cloudtrail.add(
        live.roleArn,
        grantEvent(live, {
          id: "k1",
          time: "2026-11-26T11:20:00Z",
          action: "iam:PutRolePolicy",
          readOnly: false,
        }),
      );
      return w;
    }
    const clean = scenario();
    await sweep(clean.deps, { now: NOW, dryRun: false });

    const killed = scenario();
    // Dies after 9 writes: some roles deleted without their record, the rest untouched.
    killed.github.failures.killAfter = 9;
    killed.aws.failures.killAfter = 9;
    await sweep(killed.deps, { now: NOW, dryRun: false });
    expect(killed.aws.store(PROD.id).roles.size).toBeGreaterThan(0);
    killed.github.failures.killAfter = undefined;
    killed.aws.failures.killAfter = undefined;
    const rerun = await sweep(killed.deps, {
      now: new Date("2026-11-26T12:05:00Z"),
      dryRun: false,
    });
    expect(rerun.issues).toEqual([]);
    // The alert's revocation that failed with the dead run is owed, and done now.
    expect(rerun.revoked.map((r) => [r.requestPath, r.reason])).toContainEqual([
      live.requestPath,
      "alert",
    ]);

    expect(killed.aws.store(PROD.id).roles.size).toBe(0);
    const recordsOf = (g: FakeGitHub) =>
      [...g.files.entries()]
        .filter(([p]) => /\.(revocation|alerts)\.json$/.test(p))
        .map(([p, c]) => {
          const record = JSON.parse(c);
          return [
            p,
            record.reason ??
              record.alerts.map((a: { id: string; revoked: boolean }) => [a.id, a.revoked]),
          ];
        })
        .sort();
    expect(recordsOf(killed.github)).toEqual(recordsOf(clean.github));
  });

  it("defers the watch of grants it has no time for, and watches them on a later run", async () => {
    const w = world();
    const people = ["p1", "p2", "p3", "p4"].map((login) => ({
      ...grant(login, "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z"),
      requester: login,
      sessionName: login,
      sourceIdentity: login,
    }));
    for (const g of people) {
      w.record(g);
      w.cloudtrail.add(
        g.roleArn,
        grantEvent(g, {
          id: `${g.sessionName}-1`,
          time: "2026-11-26T11:30:00Z",
          action: "iam:CreateUser",
          readOnly: false,
        }),
      );
    }
    // A slow CloudTrail: every look at the clock is a minute later.
    let t = 0;
    const slow = { ...w.deps, clock: () => (t += 60_000) };
    const first = await sweep(slow, {
      now: NOW,
      dryRun: false,
      watchBudgetMs: 150_000,
      concurrency: 1,
    });
    expect(first.watchDeferred.length).toBeGreaterThan(0);
    expect(first.alerts.length + first.watchDeferred.length).toBe(people.length);
    const second = await sweep(w.deps, { now: new Date("2026-11-26T12:05:00Z"), dryRun: false });
    expect(second.watchDeferred).toEqual([]);
    expect(second.alerts.map((a) => a.requestPath).sort()).toEqual(first.watchDeferred.sort());
  });

  describe("a grant whose holder makes a huge number of calls", () => {
    const noisy = {
      ...grant("noisy", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z"),
      requester: "nora",
      sessionName: "nora",
      sourceIdentity: "nora",
    };

    /**
     * `live` wrote to IAM (a `revoke: true` rule); `noisy` reads S3 every `everyMs` in every
     * region. Time passes only with CloudTrail pages: half a second each (2 calls a second).
     */
    function noisyWorld(everyMs: number) {
      const w = world();
      w.record(live);
      w.record(noisy);
      w.cloudtrail.add(
        live.roleArn,
        grantEvent(live, {
          id: "create-user",
          time: "2026-11-26T11:50:00Z",
          action: "iam:CreateUser",
          readOnly: false,
        }),
      );
      const queries: GrantEventQuery[] = [];
      let served = 0;
      async function* flood(query: GrantEventQuery) {
        queries.push(query);
        let page = [];
        for (let ms = query.endTime.getTime(); ms >= query.startTime.getTime(); ms -= everyMs) {
          served++;
          page.push(
            grantEvent(noisy, {
              id: `${query.region}-${ms}`,
              time: new Date(Math.floor(ms / 1000) * 1000).toISOString(),
              action: "s3:GetObject",
              region: query.region,
              readOnly: true,
            }),
          );
          if (page.length === 50) {
            yield page;
            page = [];
          }
        }
        if (page.length > 0) yield page;
      }
      const cloudtrail: CloudTrailPort = {
        grantEventPages: (query) =>
          query.sessionName === noisy.sessionName
            ? flood(query)
            : w.cloudtrail.grantEventPages(query),
      };
      const clock = () => Math.floor(served / 50) * 500 + w.cloudtrail.requests * 500;
      return { ...w, deps: { ...w.deps, cloudtrail, clock }, queries, served: () => served };
    }

    const watchedOf = (w: { github: FakeGitHub }) =>
      JSON.parse(w.github.files.get("access-requests/payments/noisy.alerts.json")!).watched;

    it("does not keep another grant's revoking alert from being raised and acted on in the same run", {
      timeout: 10_000,
    }, async () => {
      // 3.6 million events an hour in each region: far more than a run can read.
      const w = noisyWorld(1);
      const report = await sweep(w.deps, { now: NOW, dryRun: false });
      expect(report.alerts.map((a) => [a.requestPath, a.alert.rule, a.revoked])).toEqual([
        [live.requestPath, "iam-changes", true],
      ]);
      expect(w.aws.store(PROD.id).roles.has(live.roleName)).toBe(false);
      // The noisy grant's lookups stopped at their share of the run, and said where.
      expect(w.served()).toBeLessThanOrEqual(2 * 2_500);
      expect(report.watchDeferred).toEqual([noisy.requestPath]);
      expect(watchedOf(w)).toEqual({
        "eu-west-1": [{ from: "2026-11-26T11:59:58.000Z", to: "2026-11-26T12:00:00.000Z" }],
        "us-east-1": [{ from: "2026-11-26T11:59:58.000Z", to: "2026-11-26T12:00:00.000Z" }],
      });
    });

    it("resumes the next runs where the previous one stopped, newest events first", async () => {
      // One event a second; a lookup may read 1,000 events a run.
      const w = noisyWorld(1000);
      const options = { dryRun: false, watchLookupMaxEvents: 1_000 };
      await sweep(w.deps, { ...options, now: NOW });
      // 1,000 events back from 12:00, the last second read again next time.
      expect(watchedOf(w)["eu-west-1"]).toEqual([
        { from: "2026-11-26T11:43:22.000Z", to: "2026-11-26T12:00:00.000Z" },
      ]);

      w.queries.length = 0;
      await sweep(w.deps, { ...options, now: new Date("2026-11-26T12:05:00Z") });
      const eu = () =>
        w.queries
          .filter((q) => q.region === "eu-west-1")
          .map((q) => [q.startTime.toISOString(), q.endTime.toISOString()]);
      // What is new (back over the 35 minutes CloudTrail may deliver late and a burst may span),
      // then below it; half of the lookup's events each.
      expect(eu()).toEqual([
        ["2026-11-26T11:25:00.000Z", "2026-11-26T12:05:00.000Z"],
        ["2026-11-26T11:00:00.000Z", "2026-11-26T11:25:00.000Z"],
      ]);
      expect(watchedOf(w)["eu-west-1"]).toEqual([
        { from: "2026-11-26T11:16:42.000Z", to: "2026-11-26T11:25:00.000Z" },
        { from: "2026-11-26T11:43:22.000Z", to: "2026-11-26T12:05:00.000Z" },
      ]);

      w.queries.length = 0;
      await sweep(w.deps, { ...options, now: new Date("2026-11-26T12:10:00Z") });
      // The gap below the newest span, then the rest from where the last run stopped.
      expect(eu()).toEqual([
        ["2026-11-26T11:30:00.000Z", "2026-11-26T12:10:00.000Z"],
        ["2026-11-26T11:25:00.000Z", "2026-11-26T11:30:00.000Z"],
        ["2026-11-26T11:00:00.000Z", "2026-11-26T11:16:42.000Z"],
      ]);
    });
  });

  describe("watching many grants of one account", () => {
    /** Ten people: five started at 11:00, five at 11:58; each wrote to IAM and was denied 3 times. */
    function crowd(options: ConstructorParameters<typeof FakeCloudTrail>[0]) {
      const w = world(options);
      for (let i = 0; i < 10; i++) {
        const start = i < 5 ? "2026-11-26T11:00:00Z" : "2026-11-26T11:58:00Z";
        const g = {
          ...grant(`crowd${i}`, start, "2026-11-26T14:00:00Z"),
          sessionName: `p${i}-000000000${i}`,
        };
        w.record(g);
        const at = (s: number) => new Date(Date.parse(start) + s * 1000).toISOString();
        w.cloudtrail.add(
          g.roleArn,
          grantEvent(g, { id: `${i}-w`, time: at(30), action: "iam:AttachRolePolicy" }),
          ...[1, 2, 3].map((k) =>
            grantEvent(g, {
              id: `${i}-d${k}`,
              time: at(40 + k),
              action: "s3:GetObject",
              readOnly: true,
              errorCode: "AccessDenied",
            }),
          ),
        );
      }
      return w;
    }
    const alertsOf = (r: Awaited<ReturnType<typeof sweep>>) =>
      r.alerts
        .map(
          (a) =>
            `${a.requestPath} ${a.alert.rule} ${a.alert.events.map((e) => e.eventID).join(",")}`,
        )
        .sort();

    it.each([
      // [background events a second, streams, stream pages, lookups by session name]
      ["a quiet account: one stream per region serves every grant", 0, 2, 2, 0],
      ["a busy account: the stream stops after its first page", 50, 2, 2, 20],
      ["some traffic: the stream covers the late starters, the rest are looked up", 0.2, 2, 2, 10],
    ])(
      "sees exactly the per-grant lookups' events in %s",
      async (_n, rate, streams, pages, lookups) => {
        const plain = await sweep(crowd({}).deps, { now: NOW, dryRun: true });
        expect(plain.watchLookups).toEqual({ streams: 0, streamPages: 0, grantLookups: 20 });
        const w = crowd({ accountStreams: { backgroundPerSecond: rate } });
        const report = await sweep(w.deps, { now: NOW, dryRun: true });
        expect(report.issues).toEqual([]);
        expect(report.watchLookups).toEqual({ streams, streamPages: pages, grantLookups: lookups });
        expect(alertsOf(report)).toEqual(alertsOf(plain));
        expect(alertsOf(report)).toHaveLength(20);
      },
    );

    it("watches every grant over a few runs when the time budget cuts the stream, the oldest included", async () => {
      // 60 grants started a minute apart; each wrote to IAM once and read 20 times. The stream
      // reads newest first, so a budget that cuts it always leaves the same oldest grants: they
      // must still get their turn through the per-grant lookups.
      const w = world({ accountStreams: { backgroundPerSecond: 0 } });
      const all: string[] = [];
      for (let i = 0; i < 60; i++) {
        const start = new Date(Date.parse("2026-11-26T11:00:00Z") + i * 60_000).toISOString();
        const g = {
          ...grant(`old${i}`, start, "2026-11-26T20:00:00Z"),
          sessionName: `q${i}-00000000${String(i).padStart(2, "0")}`,
        };
        all.push(g.requestPath);
        w.record(g);
        const at = (s: number) => new Date(Date.parse(start) + s * 1000).toISOString();
        w.cloudtrail.add(
          g.roleArn,
          grantEvent(g, { id: `${i}-w`, time: at(5), action: "iam:AttachRolePolicy" }),
          ...Array.from({ length: 20 }, (_, k) =>
            grantEvent(g, {
              id: `${i}-r${k}`,
              time: at(6 + k),
              action: "iam:GetUser",
              readOnly: true,
            }),
          ),
        );
      }
      // Time passes only with CloudTrail calls: 2 a second in each of the two regions, which
      // are read side by side.
      const deps = { ...w.deps, clock: () => w.cloudtrail.requests * 250 };
      const alerted = new Set<string>();
      for (let run = 0; run < 24; run++) {
        const report = await sweep(deps, {
          now: new Date(NOW.getTime() + run * 300_000),
          dryRun: false,
          concurrency: 2,
          watchBudgetMs: 5_000,
        });
        if (run === 0) expect(report.watchDeferred.length).toBeGreaterThan(0);
        for (const a of report.alerts) alerted.add(a.requestPath);
      }
      expect(all.filter((p) => !alerted.has(p))).toEqual([]);
    });

    it("falls back to a lookup per grant when the stream fails, losing nothing", async () => {
      const plain = await sweep(crowd({}).deps, { now: NOW, dryRun: true });
      const w = crowd({ accountStreams: { backgroundPerSecond: 0 } });
      w.cloudtrail.failStreamAtPage = 1;
      const report = await sweep(w.deps, { now: NOW, dryRun: true });
      expect(report.issues).toEqual([]);
      expect(report.watchLookups.grantLookups).toBe(10);
      expect(alertsOf(report)).toEqual(alertsOf(plain));
    });

    it("keeps an event of the stream's last second once when the lookups overlap it", async () => {
      const w = crowd({ accountStreams: { backgroundPerSecond: 0.2 } });
      const report = await sweep(w.deps, { now: NOW, dryRun: true });
      // Per region, every lookup ends one second after where that region's stream stopped.
      const ends = new Map<string, Set<number>>();
      for (const q of w.cloudtrail.queries) {
        ends.set(q.region, (ends.get(q.region) ?? new Set()).add(q.endTime.getTime()));
      }
      expect([...ends.values()].map((e) => e.size)).toEqual([1, 1]);
      for (const e of ends.values()) expect([...e][0]).toBeLessThan(NOW.getTime());
      for (const a of report.alerts) {
        const ids = a.alert.events.map((e) => e.eventID);
        expect(new Set(ids).size).toBe(ids.length);
      }
    });
  });

  it("changes nothing with dryRun, but says what it would do", async () => {
    const w = world();
    w.record(expired);
    w.record(live);
    w.cloudtrail.add(
      live.roleArn,
      grantEvent(live, {
        id: "x1",
        time: "2026-11-26T11:20:00Z",
        action: "iam:CreateUser",
        readOnly: false,
      }),
    );
    w.github.files.set("access-requests/payments/refused.yaml", "requester: bob\n");
    w.github.mergedPulls.set("access-requests/payments/refused.yaml", {
      number: 77,
      url: "https://github.com/acme/access/pull/77",
      mergedAt: "2026-11-26T10:00:00Z",
      mergeCommitSha: "c".repeat(40),
    });
    const files = new Map(w.github.files);
    const report = await sweep(w.deps, { now: NOW, dryRun: true });
    expect(report.plan.revoke.map((r) => r.requestPath)).toEqual([expired.requestPath]);
    expect(report.alerts.map((a) => a.alert.rule)).toEqual(["iam-changes"]);
    expect(w.github.files).toEqual(files);
    expect(
      w.github.count("commitFiles") +
        w.github.count("upsertComment") +
        w.github.count("upsertIssue"),
    ).toBe(0);
    expect(w.aws.store(PROD.id).calls.filter((c) => c !== "listGrantRoles")).toEqual([]);
    expect(w.slack).toEqual([]);
  });

  it("concludes nothing about an account it cannot reach, and says so", async () => {
    const w = world();
    w.record(expired);
    w.aws.unreachable.add(PROD.id);
    const report = await sweep(w.deps, { now: NOW, dryRun: false, accounts: ["production"] });
    expect(report.revoked).toEqual([]);
    expect(report.plan.unreachableAccounts).toEqual([PROD]);
    expect(report.issues[0]).toMatchObject({
      step: "read",
      subject: "account production (123456789012)",
    });
    expect([...w.github.issues.values()][0]!.title).toBe("hallpass dashboard (production)");
  });

  it("says so when a grant's account is no longer in policies/, instead of skipping it forever", async () => {
    const w = world();
    const gone = {
      ...grant("gone", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z"),
      account: { name: "retired", id: "999999999999" },
    };
    w.record(gone, false);
    const report = await sweep(w.deps, { now: NOW, dryRun: false });
    expect(report.issues).toEqual([
      {
        step: "read",
        subject: gone.requestPath,
        message: expect.stringContaining(
          "account retired (999999999999), which policies/ no longer defines",
        ),
      },
    ]);
    expect([...w.github.issues.values()][0]!.body).toContain(`read: ${gone.requestPath}`);
  });

  it("refuses to sweep on invalid policies or an unknown shard account", async () => {
    const w = world();
    await expect(sweep(w.deps, { now: NOW, dryRun: false, accounts: ["nope"] })).rejects.toThrow(
      /accounts input names nope, which policies\/ does not define \(known: staging, production\)/,
    );
    // A name every JavaScript object answers to is no account either: it must not sweep nothing.
    await expect(
      sweep(w.deps, { now: NOW, dryRun: false, accounts: ["constructor"] }),
    ).rejects.toThrow(/accounts input names constructor, which policies\/ does not define/);
    w.github.files.set("policies/settings.yaml", "settings: {}\n");
    await expect(sweep(w.deps, { now: NOW, dryRun: false })).rejects.toThrow(SweepConfigError);
  });
});
