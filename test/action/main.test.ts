import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../action/main.ts";
import type { CloudTrailEvent } from "../../src/core/audit/cloudtrail-event.ts";
import { digestRoleDocuments } from "../../src/core/grant/digest-grant-plan.ts";
import type { GrantRecord } from "../../src/core/grant/records.ts";
import { alertsMarker } from "../../src/core/sweep/render-alerts.ts";
import { dashboardMarker } from "../../src/core/sweep/render-dashboard.ts";
import { GRANT_TAGS, MANAGED_BY } from "../../src/ports/aws.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeAwsWire, type FakeRole } from "../support/fake-aws-wire.ts";
import { FakeCloudTrailWire } from "../support/fake-cloudtrail-wire.ts";
import { FAKE_APP, FakeGitHubWire } from "../support/fake-github-wire.ts";
import { grantEvent } from "../support/sweep-fakes.ts";

/**
 * The action's entry point with the inputs and environment GitHub gives it, against the GitHub
 * REST API (a GitHub Enterprise Server URL), IAM, STS and CloudTrail on the wire.
 */

const ACCOUNT = { name: "production", id: "123456789012" };
const API = "https://ghe.example.com/api/v3";
const CLOUDTRAIL = "https://cloudtrail.internal.example";
const SLACK = "https://hooks.slack.example";
const NOW = new Date("2026-11-26T12:00:00Z");

const settings = `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  auditDelay: 30m
  notifications:
    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK
  alerts:
    - name: iam-changes
      actions: ["iam:*"]
      writesOnly: true
      severity: critical
`;

function grant(stem: string, start: string, end: string): GrantRecord {
  return {
    version: 1,
    requestPath: `access-requests/payments/${stem}.yaml`,
    pullRequest: {
      number: 7,
      url: `https://ghe.example.com/acme/access/pull/7`,
      mergeCommit: "a".repeat(40),
      mergedAt: start,
      mergedBy: "bob",
    },
    requester: "alice",
    role: "db-admin",
    account: ACCOUNT,
    emergency: false,
    approvals: [
      { reviewer: "dana", reviewId: 1, submittedAt: start, commitId: "b".repeat(40), rules: [] },
    ],
    roleArn: `arn:aws:iam::${ACCOUNT.id}:role/hallpass/hp-${stem}`,
    roleName: `hp-${stem}`,
    sessionName: "alice",
    sourceIdentity: "alice",
    window: { start, end },
    grantedAt: start,
  };
}

/** A role as IAM lists it; made by the app a few seconds after `createdAt` (its grant's grantedAt). */
function role(
  name: string,
  tags: Record<string, string>,
  createdAt = "2026-11-26T09:00:00Z",
): FakeRole {
  return {
    name,
    path: "/hallpass/",
    arn: `arn:aws:iam::${ACCOUNT.id}:role/hallpass/${name}`,
    trust: "{}",
    boundary: `arn:aws:iam::${ACCOUNT.id}:policy/hallpass-boundary`,
    maxSessionDuration: 3600,
    tags,
    inline: new Map([["hallpass-permissions", "{}"]]),
    managed: new Set(["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
    createdAt: new Date(Date.parse(createdAt) + 2000).toISOString(),
  };
}

function tagsOf(g: GrantRecord): Record<string, string> {
  return {
    [GRANT_TAGS.managedBy]: MANAGED_BY,
    [GRANT_TAGS.repository]: "acme/access",
    [GRANT_TAGS.request]: g.requestPath,
    [GRANT_TAGS.requester]: g.requester,
    [GRANT_TAGS.expiresAt]: g.window.end,
  };
}

const expired = grant("expired", "2026-11-26T09:00:00Z", "2026-11-26T11:00:00Z");
const live = grant("live", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z");

let dir: string;
let saved: NodeJS.ProcessEnv;

function inputs(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) {
    process.env[`INPUT_${name.toUpperCase()}`] = value;
  }
}

function setup(files: Record<string, string> = {}) {
  const github = new FakeGitHubWire(API, {
    ...examplePolicyFiles,
    "policies/settings.yaml": settings,
    ...files,
  });
  github.install();
  const iam = new FakeAwsWire(ACCOUNT.id);
  iam.install();
  const cloudtrail = new FakeCloudTrailWire(CLOUDTRAIL);
  cloudtrail.install();
  return { github, iam, cloudtrail };
}

function recordFiles(...grants: GrantRecord[]): Record<string, string> {
  return Object.fromEntries(
    grants.flatMap((g) => [
      [g.requestPath, "requester: alice\naccount: production\n"],
      [g.requestPath.replace(".yaml", ".grant.json"), `${JSON.stringify(g, null, 2)}\n`],
    ]),
  );
}

const fastTiming = {
  now: () => Date.now(),
  sleep: async () => {},
  random: () => 0.5,
};

function outputs(): Record<string, string> {
  const text = readFileSync(join(dir, "output"), "utf8");
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}

beforeEach(() => {
  saved = { ...process.env };
  dir = mkdtempSync(join(tmpdir(), "hallpass-action-"));
  writeFileSync(join(dir, "summary.md"), "");
  writeFileSync(join(dir, "output"), "");
  Object.assign(process.env, {
    GITHUB_REPOSITORY: "acme/access",
    GITHUB_API_URL: API,
    GITHUB_SERVER_URL: "https://ghe.example.com",
    GITHUB_RUN_ID: "4242",
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    GITHUB_OUTPUT: join(dir, "output"),
    // As aws-actions/configure-aws-credentials leaves them after the OIDC exchange.
    AWS_ACCESS_KEY_ID: "ASIAOIDCEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_CLOUDTRAIL: CLOUDTRAIL,
    HALLPASS_SLACK_WEBHOOK: `${SLACK}/services/T0/B0/secret`,
  });
  inputs({
    "github-token": "ghs_apptoken",
    "app-id": String(FAKE_APP.id),
    "dry-run": "false",
    accounts: "production",
    "audit-delay": "",
  });
  nock.disableNetConnect();
  process.exitCode = undefined;
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  process.env = saved;
  process.exitCode = undefined;
});

describe("the action", () => {
  it("revokes what expired, revokes and alerts on a hand-made role, alerts on a live grant, and reports", async () => {
    const { github, iam, cloudtrail } = setup(recordFiles(expired, live));
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));
    iam.roles.set("hp-live", role("hp-live", tagsOf(live), live.grantedAt));
    iam.roles.set("by-hand", role("by-hand", {}));
    cloudtrail.pageSize = 2;
    cloudtrail.throttle(1);
    const events: CloudTrailEvent[] = [
      grantEvent(live, {
        id: "l1",
        time: "2026-11-26T11:05:00Z",
        action: "rds:DescribeDBInstances",
        readOnly: true,
      }),
      grantEvent(live, {
        id: "l2",
        time: "2026-11-26T11:06:00Z",
        action: "rds:DescribeDBLogFiles",
        readOnly: true,
      }),
      grantEvent(live, {
        id: "l3",
        time: "2026-11-26T11:07:00Z",
        action: "rds:ListTagsForResource",
        readOnly: true,
      }),
      grantEvent(live, {
        id: "l4",
        time: "2026-11-26T11:30:00Z",
        action: "iam:AttachRolePolicy",
        readOnly: false,
      }),
    ];
    cloudtrail.events.push(...events);
    const slack = nock(SLACK)
      .post("/services/T0/B0/secret", (body) => typeof body.text === "string")
      .times(2)
      .reply(200, "ok");

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    // IAM: both roles gone, after the deny on old sessions, policies removed first.
    expect([...iam.roles.keys()]).toEqual(["hp-live"]);
    // Two revocations (they run concurrently): each role's deny, policies, then the role.
    const listing = ["GetRole", "ListRoles", "GetAccountAuthorizationDetails"];
    expect(iam.calls.filter((c) => !listing.includes(c)).sort()).toEqual(
      [
        "PutRolePolicy",
        "ListRolePolicies",
        "DeleteRolePolicy",
        "ListAttachedRolePolicies",
        "DetachRolePolicy",
        "DeleteRolePolicy",
        "DeleteRole",
      ]
        .flatMap((c) => [c, c])
        .sort(),
    );
    expect(iam.assumed).toContain("arn:aws:iam::123456789012:role/hallpass-broker");
    // Git: both revocations and the alert recorded, through the Git Data API on GHES.
    expect(
      JSON.parse(github.files.get("access-requests/payments/expired.revocation.json")!),
    ).toMatchObject({
      reason: "expired",
      revokedBy: "hallpass-action",
    });
    expect(
      JSON.parse(
        github.files.get("access-requests/unrecorded/123456789012/by-hand.revocation.json")!,
      ),
    ).toMatchObject({
      reason: "unrecorded-role",
    });
    expect(
      JSON.parse(github.files.get("access-requests/payments/live.alerts.json")!).alerts,
    ).toMatchObject([{ id: "iam-changes:l4", eventIds: ["l4"], severity: "critical" }]);
    // CloudTrail: paged by NextToken in both regions, the throttled call asked again.
    expect(cloudtrail.calls.map((c) => [c.region, c.token, c.status])).toEqual(
      expect.arrayContaining([
        ["eu-west-1", undefined, 400],
        ["eu-west-1", undefined, 200],
        ["eu-west-1", "page-2", 200],
        ["us-east-1", undefined, 200],
      ]),
    );
    // The PR comment mentions the requester and the approvers.
    const alert = github.comments.find((c) => c.body.includes("hallpass:alerts"))!;
    expect(alert.issue_number).toBe(7);
    expect(alert.body).toContain("@alice @dana");
    expect(slack.isDone()).toBe(true);
    // Dashboard, job summary, outputs.
    expect(github.issues.map((i) => i.title)).toEqual(["hallpass dashboard (production)"]);
    expect(github.issues[0]!.body).toContain(
      "https://ghe.example.com/acme/access/actions/runs/4242",
    );
    const summary = readFileSync(join(dir, "summary.md"), "utf8");
    expect(summary).toContain("## hallpass sweep");
    expect(summary).toContain("| Revoked | 2 |");
    // The expired grant ended more than the audit delay ago: its summary is written too.
    expect(outputs()).toMatchObject({ revoked: "2", alerts: "1", audits: "1" });
    expect(github.files.has("access-requests/payments/expired.audit.md")).toBe(true);
    // Records were read in one GraphQL batch (GHES: /api/graphql), not one request a file.
    expect(github.graphqlQueries.length).toBeGreaterThan(0);
    expect(github.requests.filter((r) => r.path.endsWith(".grant.json"))).toEqual([]);
    // Every GitHub request exists in GitHub's REST description, signed with the App token.
    github.assertAllDescribed();
    expect(new Set(github.requests.map((r) => r.authorization))).toEqual(
      new Set(["token ghs_apptoken"]),
    );
  });

  it("records a revocation whose IAM call is never answered as a problem, and finishes the run", async () => {
    const { github, iam } = setup(recordFiles(expired));
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));
    iam.hang("PutRolePolicy");

    // Every call of the run shares these timeouts: roomy enough for each answered request on a
    // loaded machine (50 ms failed there), so only the stalled call waits one of them out.
    await run({
      timing: fastTiming,
      now: () => NOW,
      timeouts: { connectMs: 1_000, requestMs: 1_500 },
    });

    expect(process.exitCode).toBe(1);
    expect(iam.calls).toContain("PutRolePolicy");
    expect(iam.roles.has("hp-expired")).toBe(true);
    expect(github.files.has("access-requests/payments/expired.revocation.json")).toBe(false);
    // The run went on: the dashboard names the failure for a person to look at. (Under nock the
    // socket of an unanswered request never reports its connection, so the connect timeout is
    // the one that fires here; a real silent server trips the request timeout.)
    const timedOut =
      /revoke: access-requests\/payments\/expired\.yaml\*\*: .*(timeout of 1000 ms|1500 ms requestTimeout)/;
    expect(github.issues[0]!.body).toMatch(timedOut);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(
      /timeout of 1000 ms|1500 ms requestTimeout/,
    );
    expect(github.files.has("access-requests/payments/expired.audit.md")).toBe(true);
  });

  it("commits on a fresh base when another commit moved the branch, losing no record", async () => {
    const { github, iam } = setup(recordFiles(expired));
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));
    github.moveBranchBeforeNextUpdate({
      "access-requests/payments/other.yaml": "someone else's\n",
    });

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    expect(github.conflicts).toBe(1);
    expect(github.files.get("access-requests/payments/other.yaml")).toBe("someone else's\n");
    expect(github.files.has("access-requests/payments/expired.revocation.json")).toBe(true);
    github.assertAllDescribed();
  });

  it("writes the audit summary of an ended grant and links it from the PR", async () => {
    const { github, cloudtrail } = setup({
      ...recordFiles(expired),
      "access-requests/payments/expired.revocation.json": JSON.stringify({
        version: 1,
        requestPath: expired.requestPath,
        roleArn: expired.roleArn,
        revokedAt: "2026-11-26T11:00:01Z",
        reason: "expired",
        revokedBy: "hallpass-action",
      }),
    });
    cloudtrail.events.push(
      grantEvent(expired, {
        id: "x1",
        time: "2026-11-26T09:10:00Z",
        action: "s3:ListBuckets",
        readOnly: true,
      }),
      grantEvent(expired, {
        id: "x2",
        time: "2026-11-26T09:20:00Z",
        action: "iam:CreateUser",
        readOnly: false,
      }),
    );

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    const json = JSON.parse(github.files.get("access-requests/payments/expired.audit.json")!);
    expect(json.totals).toEqual({ events: 2, reads: 1, writes: 1, failed: 0 });
    expect(github.files.get("access-requests/payments/expired.audit.md")).toContain(
      "# Audit: access-requests/payments/expired.yaml",
    );
    const link = github.comments.find((c) => c.body.includes("hallpass:audit-link"))!;
    expect(link.body).toContain(
      "https://ghe.example.com/acme/access/blob/main/access-requests/payments/expired.audit.md",
    );
  });

  it("revokes and alerts on a live grant role changed by hand, and leaves an untouched one alone", async () => {
    const planned = {
      trustPolicy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:user/alice"},"Action":"sts:AssumeRole"}]}',
      inlinePolicies: {
        "hallpass-permissions":
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["rds:Describe*"],"Resource":"*"}]}',
      },
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundary: `arn:aws:iam::${ACCOUNT.id}:policy/hallpass-boundary`,
      maxSessionDuration: 3600,
    };
    const planDigest = digestRoleDocuments(planned);
    const kept = { ...grant("kept", live.window.start, live.window.end), planDigest };
    const changed = { ...grant("changed", live.window.start, live.window.end), planDigest };
    const { github, iam } = setup(recordFiles(kept, changed));
    const held = (g: GrantRecord, edit: (r: FakeRole) => void) => {
      const r = role(g.roleName, tagsOf(g), g.grantedAt);
      r.trust = planned.trustPolicy;
      r.inline = new Map(Object.entries(planned.inlinePolicies));
      edit(r);
      iam.roles.set(g.roleName, r);
    };
    // Untouched, but stored as a person would type it: IAM returns it so, URL-encoded.
    held(kept, (r) => {
      r.trust = JSON.stringify(JSON.parse(r.trust), null, 2);
    });
    held(changed, (r) => r.managed.add("arn:aws:iam::aws:policy/AdministratorAccess"));
    const slack = nock(SLACK)
      .post("/services/T0/B0/secret", (body) =>
        String(body.text).includes(
          "changed by hand: managed policy arn:aws:iam::aws:policy/AdministratorAccess attached",
        ),
      )
      .reply(200, "ok");

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    expect([...iam.roles.keys()]).toEqual(["hp-kept"]);
    expect(slack.isDone()).toBe(true);
    const record = JSON.parse(
      github.files.get("access-requests/payments/changed.revocation.json")!,
    );
    expect(record).toMatchObject({ reason: "alert", roleArn: changed.roleArn });
    expect(github.files.has("access-requests/payments/kept.revocation.json")).toBe(false);
    expect(outputs()).toMatchObject({ revoked: "1" });
  });

  it("re-requests an open request's green check once the approvals it says it rests on aged out", async () => {
    const aging = settings.replace(
      "  auditDelay: 30m\n",
      "  auditDelay: 30m\n  approvalMaxAge: 1d\n",
    );
    const { github } = setup({ "policies/settings.yaml": aging });
    // The shard of policies/' first account re-requests (recheck-aged-approvals.ts).
    inputs({ accounts: "staging" });
    const stand = github.standIn;
    stand.openPullRequest("bob", "access/bob", "Access: bob", [
      { path: "access-requests/bob.yaml", content: "requester: bob\n" },
    ]);
    const pull = [...stand.pulls.values()][0]!;
    const green = (id: number, headSha: string, until: string) => ({
      id,
      name: "hallpass/approval",
      headSha,
      status: "completed",
      conclusion: "success",
      title: "Approved by @dana",
      summary: "",
      annotations: [],
      appId: FAKE_APP.id,
      externalId: `hallpass:approved-until:${until}`,
    });
    // An older run on the same head says a later time: only the newest run counts.
    stand.checkRuns.push(green(900, pull.headSha, "2026-11-27T11:00:00.000Z"));
    stand.checkRuns.push(green(901, pull.headSha, "2026-11-26T11:59:00.000Z"));

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    expect(github.writes().filter((r) => r.path.includes("check-runs"))).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/repos/acme/access/check-runs/901/rerequest",
      }),
    ]);
    expect(github.requests).toContainEqual(
      expect.objectContaining({
        method: "GET",
        path: `/repos/acme/access/commits/${pull.headSha}/check-runs`,
        query: expect.objectContaining({ check_name: "hallpass/approval", app_id: "4242" }),
      }),
    );
    github.assertAllDescribed();
    // GitHub tells the app, whose check_run.rerequested handler decides again.
    expect(stand.outbox.map((e) => [e.name, e.payload.action, e.payload.check_run.id])).toEqual([
      ["check_run", "rerequested", 901],
    ]);
    expect(stand.outbox[0]!.payload.check_run.pull_requests).toEqual([{ number: pull.number }]);
  });

  it("reads the state at the branch's head, resolved twice (policies; records after the roles), however many requests it looks up", async () => {
    // Two requests merged without a grant record: the merged pull request of each is looked for.
    const { github } = setup({
      "access-requests/payments/one.yaml": "requester: alice\naccount: production\n",
      "access-requests/payments/two.yaml": "requester: bob\naccount: production\n",
    });

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    const refs = github.requests.filter((r) => r.path.includes("/git/ref/"));
    expect(refs.map((r) => r.path)).toEqual([
      "/repos/acme/access/git/ref/heads/main",
      "/repos/acme/access/git/ref/heads/main",
    ]);
    // Every later read starts from the second: the trees and the commits lists.
    const trees = github.requests.filter((r) => r.path.includes("/git/trees/"));
    const lists = github.requests.filter((r) => r.path === "/repos/acme/access/commits");
    expect(lists.map((r) => r.query.path).sort()).toEqual([
      "access-requests/payments/one.yaml",
      "access-requests/payments/two.yaml",
    ]);
    const heads = new Set([...lists.map((r) => r.query.sha), trees[0]?.path.split("/").at(-1)]);
    expect(heads.size).toBe(1);
    expect([...heads][0]).toMatch(/^[0-9a-f]{40}$/);
    github.assertAllDescribed();
  });

  it("changes nothing in a dry run", async () => {
    const { github, iam } = setup(recordFiles(expired));
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));
    inputs({ "dry-run": "true" });

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    expect(github.writes()).toEqual([]);
    expect(
      iam.calls.filter(
        (c) => !["ListRoles", "GetRole", "GetAccountAuthorizationDetails"].includes(c),
      ),
    ).toEqual([]);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toContain("dry run: nothing was changed");
  });

  it("fails the job, changing nothing, when the policies are invalid", async () => {
    const { github, iam } = setup({
      ...recordFiles(expired),
      "policies/settings.yaml": "settings: {}\n",
    });
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));

    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await run({ timing: fastTiming, now: () => NOW });
    } finally {
      spy.mockRestore();
    }

    expect(process.exitCode).toBe(1);
    // The error annotation says where: the file, line and field.
    expect(printed.join("")).toContain(
      "::error::the policies on main are not valid, so the sweep changes nothing:%0Apolicies/settings.yaml:1:11: error: missing required field",
    );
    expect(github.writes()).toEqual([]);
    expect(iam.calls).toEqual([]);
  });
  it("ignores a comment and a dashboard issue that carry hallpass's marker but that another app or a person wrote", async () => {
    const { github, iam, cloudtrail } = setup(recordFiles(live));
    iam.roles.set("hp-live", role("hp-live", tagsOf(live), live.grantedAt));
    cloudtrail.events.push(
      grantEvent(live, {
        id: "l4",
        time: "2026-11-26T11:30:00Z",
        action: "iam:AttachRolePolicy",
        readOnly: false,
      }),
    );
    // Any workflow can post as github-actions[bot]; anyone can paste a marker.
    const actions = { id: 15368, slug: "github-actions" };
    const actionsBot = { login: "github-actions[bot]", type: "Bot" };
    const planted = `${alertsMarker(live.requestPath)}\nnothing to see here`;
    github.comments.push(
      {
        id: 900,
        issue_number: 7,
        body: planted,
        user: actionsBot,
        performed_via_github_app: actions,
      },
      {
        id: 901,
        issue_number: 7,
        body: planted,
        user: { login: "mallory", type: "User" },
        performed_via_github_app: null,
      },
    );
    const quiet = `${dashboardMarker(["production"])}\nall quiet`;
    github.issues.push({
      number: 900,
      title: "hallpass dashboard (production)",
      body: quiet,
      state: "open",
      html_url: "https://github.example/acme/access/issues/900",
      user: actionsBot,
      performed_via_github_app: actions,
      labels: [],
    });
    const slack = nock(SLACK).post("/services/T0/B0/secret").reply(200, "ok");

    await run({ timing: fastTiming, now: () => NOW });

    expect(process.exitCode).toBeUndefined();
    expect(slack.isDone()).toBe(true);
    // Neither edited nor taken for the alert already told: hallpass posts its own.
    expect(github.comments.filter((c) => c.id >= 900).map((c) => c.body)).toEqual([
      planted,
      planted,
    ]);
    const alert = github.comments.filter(
      (c) => c.body.includes(alertsMarker(live.requestPath)) && c.id < 900,
    );
    expect(alert).toHaveLength(1);
    expect(alert[0]!.performed_via_github_app).toEqual(FAKE_APP);
    expect(alert[0]!.body).toContain("iam:AttachRolePolicy");
    expect(github.issues.find((i) => i.number === 900)!.body).toBe(quiet);
    expect(
      github.issues
        .filter((i) => i.performed_via_github_app?.id === FAKE_APP.id)
        .map((i) => i.title),
    ).toEqual(["hallpass dashboard (production)"]);
  });

  it("fails the job, changing nothing, without the app's id to recognise its own comments by", async () => {
    const { github, iam } = setup(recordFiles(expired));
    iam.roles.set("hp-expired", role("hp-expired", tagsOf(expired)));
    inputs({ "app-id": "hallpass" });
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await run({ timing: fastTiming, now: () => NOW });
    } finally {
      spy.mockRestore();
    }

    expect(process.exitCode).toBe(1);
    expect(printed.join("")).toContain("app-id");
    expect(github.writes()).toEqual([]);
    expect(iam.calls).toEqual([]);
  });
});
