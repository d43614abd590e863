import type { GrantRecord } from "../../../src/core/grant/records.ts";
import type { PullRequestInfo } from "../../../src/ports/github.ts";
import { readState, type SweepSnapshot } from "../../../src/workflows/sweep/read-state.ts";
import type { TellSlack } from "../../../src/workflows/sweep/tell.ts";
import type { SweepDeps, SweepRun } from "../../../src/workflows/sweep/types.ts";
import { examplePolicyFiles } from "../../support/example-policies.ts";
import {
  boundRevokeGrant,
  FakeAws,
  FakeCloudTrail,
  FakeGitHub,
} from "../../support/sweep-fakes.ts";

/**
 * What the sweep's steps are handed: the example policies (production is 123456789012, in
 * eu-west-1 and us-east-1) with two alert rules, the in-memory fakes of sweep-fakes.ts, and
 * grant records of alice's in production, the run at `STEP_NOW`.
 */

export const STEP_NOW = new Date("2026-11-26T12:00:00Z");
export const PROD = { name: "production", id: "123456789012" };

export const STEP_SETTINGS = `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  auditDelay: 30m
  notifications:
    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK
  alerts:
    - name: iam-changes
      actions: ["iam:*"]
      writesOnly: true
      severity: critical
      revoke: true
`;

/** A grant record of alice's in production, from `start` to `end`. */
export function grantRecord(stem: string, start: string, end: string): GrantRecord {
  const roleName = `hp-${stem}`;
  return {
    version: 1,
    requestPath: `access-requests/payments/${stem}.yaml`,
    pullRequest: {
      number: 40 + stem.length,
      url: `https://github.com/acme/access/pull/${40 + stem.length}`,
      mergeCommit: "a".repeat(40),
      mergedAt: start,
      mergedBy: "bob",
    },
    requester: "alice",
    role: "db-admin",
    account: PROD,
    emergency: false,
    approvals: [
      {
        reviewer: "dana",
        reviewId: 1,
        submittedAt: start,
        commitId: "b".repeat(40),
        rules: ["dba"],
      },
    ],
    roleArn: `arn:aws:iam::${PROD.id}:role/hallpass/${roleName}`,
    roleName,
    sessionName: "alice",
    sourceIdentity: "alice",
    window: { start, end },
    grantedAt: start,
  };
}

export const LIVE = grantRecord("live", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z");
export const EXPIRED = grantRecord("expired", "2026-11-26T09:00:00Z", "2026-11-26T11:45:00Z");

/** The fakes, Slack's messages, and ways to put grants in git and AWS and to start a run. */
export function stepWorld() {
  const github = new FakeGitHub();
  for (const [path, content] of Object.entries(examplePolicyFiles)) github.files.set(path, content);
  github.files.set("policies/settings.yaml", STEP_SETTINGS);
  const aws = new FakeAws();
  const cloudtrail = new FakeCloudTrail();
  const revokeGrant = boundRevokeGrant(aws, github);
  const slack: string[] = [];
  const deps: SweepDeps = {
    github,
    aws,
    cloudtrail,
    revokeGrant,
    notifierFor: () => async (text) => {
      slack.push(text);
    },
  };
  /** Slack as the steps tell it: every message kept, a failure never. */
  const tellSlack: TellSlack = async (_subject, text) => {
    slack.push(text);
  };
  function record(g: GrantRecord, inAws = true) {
    github.files.set(g.requestPath, `requester: alice\naccount: production\n`);
    github.files.set(g.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(g, null, 2));
    if (inAws) aws.addGrantRole(g);
  }
  /** Reads the state as step 1 does, and the run every later step is handed. */
  async function start(
    dryRun = false,
    overrides: Partial<SweepDeps> = {},
  ): Promise<{ state: SweepSnapshot; run: SweepRun }> {
    const all = { ...deps, ...overrides };
    const state = await readState(all, {}, 8);
    const run: SweepRun = {
      deps: all,
      branch: state.branch,
      head: state.head,
      now: STEP_NOW,
      dryRun,
      concurrency: 8,
      targets: state.targets,
    };
    return { state, run };
  }
  return { github, aws, cloudtrail, revokeGrant, slack, tellSlack, deps, record, start };
}

/** An open pull request as the port lists it: `fields` over a plain one by bob. */
export function openPull(number: number, fields: Partial<PullRequestInfo> = {}): PullRequestInfo {
  return {
    number,
    url: `https://github.com/acme/access/pull/${number}`,
    state: "open",
    draft: false,
    author: "bob",
    title: `Access: #${number}`,
    headSha: `${number}`.padStart(40, "d"),
    baseSha: "e".repeat(40),
    baseRef: "main",
    merged: false,
    mergeCommitSha: null,
    mergedAt: null,
    mergedBy: null,
    ...fields,
  };
}
