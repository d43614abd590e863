/**
 * The requests one sweep makes with 1,000 live and 200 expired grants in one account, counted
 * by fakes of the GitHub, IAM and CloudTrail ports. Port calls are what the sweep decides; the
 * REST requests they stand for are estimated from what the adapters send per call (stated
 * below), and CloudTrail pages are counted as LookupEvents would return them (50 events a page).
 */
import type { GrantRecord } from "../src/core/grant/records.ts";
import { sweep } from "../src/workflows/sweep/run-sweep.ts";
import { examplePolicyFiles } from "../test/support/example-policies.ts";
import {
  boundRevokeGrant,
  FakeAws,
  FakeCloudTrail,
  FakeGitHub,
  grantEvent,
} from "../test/support/sweep-fakes.ts";

const LIVE = 1_000;
const EXPIRED = 200;
const EVENTS_PER_LIVE_GRANT = 20;
const NOW = new Date("2026-11-26T12:00:00Z");
const PROD = { name: "production", id: "123456789012" };

/** REST requests per port call, from src/adapters/octokit-github.ts. */
const REST_PER_CALL: Record<string, string> = {
  getDefaultBranch: "1 (GET repo)",
  listFiles: "2 (tree walk + recursive tree)",
  getFile: "1 (GET contents, raw)",
  getFiles: "1 GraphQL query per 100 files",
  commitFiles: "5 (ref, commit, tree, commit, ref update)",
  upsertComment: "2-3 (list comments, create or update); 0-1 after a findComment (its id)",
  upsertIssue: "1-2 (list issues, create or update)",
  listOpenPullRequests: "1 per 100 PRs",
};
const REST_ESTIMATE: Record<string, number> = {
  getDefaultBranch: 1,
  listFiles: 2,
  getFile: 1,
  getFiles: 1,
  commitFiles: 5,
  upsertComment: 2,
  upsertIssue: 2,
  listOpenPullRequests: 1,
};

function grant(i: number, start: string, end: string, people: number): GrantRecord {
  const roleName = `hp-bench-${i}`;
  return {
    version: 1,
    requestPath: `access-requests/bench/g${i}.yaml`,
    pullRequest: {
      number: 1000 + i,
      url: `https://github.com/acme/access/pull/${1000 + i}`,
      mergeCommit: "a".repeat(40),
      mergedAt: start,
      mergedBy: "bob",
    },
    requester: `user${i % people}`,
    role: "prod-readonly",
    account: PROD,
    emergency: false,
    approvals: [],
    roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/${roleName}`,
    roleName,
    sessionName: `user${i % people}-${i.toString(16).padStart(10, "0")}`,
    sourceIdentity: `user${i % people}`,
    window: { start, end },
    grantedAt: start,
  };
}

export async function run(): Promise<void> {
  // Every grant has a session name of its own (`<login>-<key>`, see plan-grant.ts), so the watch
  // makes one CloudTrail lookup per live grant and region.
  await scenario(1_000, true);
  await scenario(1_000, false);
  console.log(
    `\nThe watch of the ${LIVE} live grants (started 2 h ago, ${EVENTS_PER_LIVE_GRANT} events each) with an account-wide LookupEvents stream per region, chosen page by page against the per-grant lookups it replaces, by the account's other activity:`,
  );
  console.log(
    "| other events a second, per region | LookupEvents calls | stream pages | lookups by session | seconds at 2/s per region | alerts |",
  );
  console.log("|--:|--:|--:|--:|--:|--:|");
  await watchScenario(undefined);
  for (const rate of [0, 0.5, 2, 5, 20]) await watchScenario(rate);
}

/** The example policies with one alert on IAM writes, in an in-memory repository. */
function alertingRepository(batchReads: boolean): FakeGitHub {
  const github = new FakeGitHub({ batchReads });
  for (const [path, content] of Object.entries(examplePolicyFiles)) github.files.set(path, content);
  github.files.set(
    "policies/settings.yaml",
    `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  alerts:
    - name: iam-changes
      actions: ["iam:*"]
      writesOnly: true
`,
  );
  return github;
}

/** The watch alone (a dry run), with or without the account-wide stream. */
async function watchScenario(backgroundPerSecond: number | undefined): Promise<void> {
  const github = alertingRepository(true);
  const aws = new FakeAws();
  const cloudtrail = new FakeCloudTrail(
    backgroundPerSecond === undefined ? {} : { accountStreams: { backgroundPerSecond } },
  );
  for (let i = 0; i < LIVE; i++) {
    const g = grant(i, "2026-11-26T10:00:00Z", "2026-11-26T16:00:00Z", LIVE);
    github.files.set(g.requestPath, `account: production\n`);
    github.files.set(g.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(g));
    aws.addGrantRole(g);
    for (let e = 0; e < EVENTS_PER_LIVE_GRANT; e++) {
      const write = i % 100 === 0 && e === 0;
      cloudtrail.add(
        g.roleArn,
        grantEvent(g, {
          id: `g${i}-e${e}`,
          time: new Date(Date.parse("2026-11-26T10:00:00Z") + e * 60_000).toISOString(),
          action: write ? "iam:CreateUser" : e % 2 === 0 ? "s3:GetObject" : "sts:GetCallerIdentity",
          readOnly: !write,
        }),
      );
    }
  }
  const report = await sweep(
    {
      github,
      aws,
      cloudtrail,
      revokeGrant: boundRevokeGrant(aws, github),
      notifierFor: () => undefined,
    },
    { now: NOW, dryRun: true, watchBudgetMs: Number.POSITIVE_INFINITY },
  );
  const w = report.watchLookups;
  console.log(
    `| ${backgroundPerSecond === undefined ? "no stream (a lookup per grant)" : backgroundPerSecond} | ${cloudtrail.requests} | ${w.streamPages} | ${w.grantLookups} | ${Math.ceil(cloudtrail.requests / 2 / 2)} | ${report.alerts.length} |`,
  );
}

async function scenario(people: number, batchReads: boolean): Promise<void> {
  const github = alertingRepository(batchReads);
  const aws = new FakeAws();
  const cloudtrail = new FakeCloudTrail();
  for (let i = 0; i < LIVE + EXPIRED; i++) {
    const expired = i >= LIVE;
    const g = expired
      ? grant(i, "2026-11-26T08:00:00Z", "2026-11-26T11:50:00Z", people)
      : grant(i, "2026-11-26T10:00:00Z", "2026-11-26T16:00:00Z", people);
    github.files.set(g.requestPath, `account: production\n`);
    github.files.set(g.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(g));
    aws.addGrantRole(g);
    if (!expired) {
      for (let e = 0; e < EVENTS_PER_LIVE_GRANT; e++) {
        cloudtrail.add(
          g.roleArn,
          grantEvent(g, {
            id: `g${i}-e${e}`,
            time: new Date(Date.parse("2026-11-26T10:00:00Z") + e * 60_000).toISOString(),
            // One live grant in a hundred writes to IAM: those raise an alert.
            action: i % 100 === 0 && e === 0 ? "iam:CreateUser" : "s3:GetObject",
            readOnly: !(i % 100 === 0 && e === 0),
          }),
        );
      }
    }
  }
  const revokeGrant = boundRevokeGrant(aws, github);
  const started = performance.now();
  const report = await sweep(
    { github, aws, cloudtrail, revokeGrant, notifierFor: () => undefined },
    { now: NOW, dryRun: false },
  );
  const seconds = (performance.now() - started) / 1000;

  const iam = new Map<string, number>();
  for (const store of aws.stores.values()) {
    for (const c of store.calls) iam.set(c, (iam.get(c) ?? 0) + 1);
  }
  const rest = [...github.calls.entries()].reduce(
    (n, [m, c]) => n + c * (REST_ESTIMATE[m] ?? 1),
    0,
  );
  console.log(
    `\n${LIVE} live + ${EXPIRED} expired grants of ${people} people, ${EVENTS_PER_LIVE_GRANT} events per live grant, records read ${batchReads ? "in GraphQL batches (the action)" : "file by file (a port without getFiles)"}: ${report.revoked.length} revoked, ${report.alerts.length} alerts, ${report.issues.length} problems, ${seconds.toFixed(2)} s against in-memory fakes`,
  );
  console.log(
    `GitHub port calls: ${github.count()} (about ${rest} HTTP requests, REST and GraphQL)`,
  );
  for (const [method, n] of [...github.calls.entries()].sort()) {
    console.log(`  ${method}: ${n}  (${REST_PER_CALL[method] ?? "?"} each)`);
  }
  console.log(
    `IAM calls: ${aws.count()} (${[...iam.entries()]
      .sort()
      .map(([m, n]) => `${m} ${n}`)
      .join(
        ", ",
      )}); of which the revoke routine's: ${aws.count() - (iam.get("listGrantRoles") ?? 0)}. ` +
      `Each listGrantRoles is ListRoles pages plus GetAccountAuthorizationDetails pages (tags, boundary and policy documents of every role of the account; up to 1,000 roles a page each) in the IAM adapter: at least ${2 * Math.ceil((LIVE + EXPIRED) / 1000)} IAM requests more for ${LIVE + EXPIRED} grant roles (plus one page per 1,000 other roles, or more if IAM cuts a page short), where a GetRole per role took ${LIVE + EXPIRED + Math.ceil((LIVE + EXPIRED) / 100)}`,
  );
  console.log(
    `CloudTrail LookupEvents: ${cloudtrail.requests} requests (${cloudtrail.queries.length} lookups by session name, no account-wide stream here: (live grants + the expired ones, watched until their audit) x 2 regions, 50 events a page); at 2/s per account and region, at least ${Math.ceil(cloudtrail.requests / 2 / 2)} s with both regions in parallel`,
  );
  const perRegion = cloudtrail.queries.length / 2;
  const perRun = 180 * 2;
  console.log(
    `With the default 180 s watch budget, a run makes at most about ${perRun} lookups per account and region: ${perRegion <= perRun ? "every grant is watched every run" : `each grant is watched about every ${Math.ceil(perRegion / perRun)} runs (see the account-wide stream below)`}`,
  );
}
