import { describe, expect, it } from "vitest";
import { webhooksFrom } from "../../../src/adapters/slack-notifier.ts";
import {
  expiryWarningMarker,
  REMINDER_MARKER,
  STALE_CLOSED_DONE,
  STALE_CLOSED_MARKER,
} from "../../../src/core/notify/render-notice-comments.ts";
import { loadPolicies } from "../../../src/core/policy/load-policies.ts";
import type { Policies } from "../../../src/core/policy/policy-format.ts";
import type { SweepPlan } from "../../../src/core/sweep/plan-sweep.ts";
import type { Review } from "../../../src/ports/github.ts";
import type { WebhookFor } from "../../../src/ports/notify.ts";
import { sweep } from "../../../src/workflows/sweep/run-sweep.ts";
import { tellMoments } from "../../../src/workflows/sweep/tell-moments.ts";
import { listOpenPullRequestsOnce, type SweepRun } from "../../../src/workflows/sweep/types.ts";
import { examplePolicyFiles, examplePolicySources } from "../../support/example-policies.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { addMergedRequest, BASE_SHA, CODEOWNERS } from "../../support/merged-request.ts";
import { EXPIRED, grantRecord, STEP_NOW, STEP_SETTINGS, stepWorld } from "./sweep-step-fixtures.ts";

const NOTIFY = `    channels:
      dba: { webhookEnv: HOOK_DBA, format: json }
    notify: [dba]
    remindAfter: 4h
    closeAfter: 3d
    expiryWarning: 15m
`;
const SETTINGS = STEP_SETTINGS.replace(
  "    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK\n",
  `    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK\n${NOTIFY}`,
);

/** A webhookFor that keeps every document posted, by channel. */
function channelLog() {
  const posted: { channel: string; body: { event?: string; pullRequest?: { number: number } } }[] =
    [];
  const webhookFor: WebhookFor = (envName, channel) =>
    envName === "HOOK_DBA"
      ? async (body) => {
          posted.push({ channel, body: body as (typeof posted)[number]["body"] });
        }
      : undefined;
  return { posted, webhookFor };
}

describe("the sweep's timed moments: expiring and revoked grants", () => {
  const ENDING = grantRecord("ending", "2026-11-26T10:00:00Z", "2026-11-26T12:10:00Z");

  it("warns a grant's PR once before it expires, tells the channel, and tells each revocation", async () => {
    const w = stepWorld();
    w.github.files.set("policies/settings.yaml", SETTINGS);
    w.record(ENDING);
    w.record(EXPIRED);
    const { posted, webhookFor } = channelLog();
    const deps = { ...w.deps, webhookFor };

    const first = await sweep(deps, { now: STEP_NOW, dryRun: false });
    expect(first.issues).toEqual([]);
    const warning = w.github.comments.get(
      `${ENDING.pullRequest.number} ${expiryWarningMarker(ENDING.requestPath)}`,
    );
    expect(warning).toContain("This access expires in 10m");
    // The comments are listed once: the warning is posted where its lookup found none.
    expect(w.github.commentLists).toBe(1);
    expect(warning).toContain("/hallpass extend <duration>");
    expect(posted.map((p) => [p.channel, p.body.event, p.body.pullRequest?.number])).toEqual([
      ["dba", "hallpass.revoked", EXPIRED.pullRequest.number],
      ["dba", "hallpass.expiring", ENDING.pullRequest.number],
    ]);

    // The next run, five minutes later: the warning is on the PR already, the role is gone.
    const later = new Date(STEP_NOW.getTime() + 5 * 60_000);
    const second = await sweep(deps, { now: later, dryRun: false });
    expect(second.issues).toEqual([]);
    expect(posted).toHaveLength(2);
    expect(w.github.commentLists).toBe(2);
  });

  it("a dry run tells nothing", async () => {
    const w = stepWorld();
    w.github.files.set("policies/settings.yaml", SETTINGS);
    w.record(ENDING);
    w.record(EXPIRED);
    const { posted, webhookFor } = channelLog();
    await sweep({ ...w.deps, webhookFor }, { now: STEP_NOW, dryRun: true });
    expect(posted).toEqual([]);
    expect(w.github.count("upsertComment")).toBe(0);
  });

  it("a failing channel is an issue of the run that never shows the webhook URL; the PR is warned", async () => {
    const w = stepWorld();
    w.github.files.set("policies/settings.yaml", SETTINGS);
    w.record(ENDING);
    const secret = "https://hooks.example/services/very-secret";
    const fetch = (async () =>
      new Response("no", { status: 403 })) as unknown as typeof globalThis.fetch;
    const webhookFor = webhooksFrom({ HOOK_DBA: secret }, { fetch });
    const report = await sweep({ ...w.deps, webhookFor }, { now: STEP_NOW, dryRun: false });
    expect(report.issues).toEqual([
      {
        step: "notify",
        subject: ENDING.requestPath,
        message: expect.stringContaining("channel dba: the webhook of channel dba answered 403 no"),
      },
    ]);
    expect(JSON.stringify(report)).not.toContain("very-secret");
    expect(w.github.count("upsertComment")).toBe(1);
  });

  it("an unset channel variable is said, not silently dropped", async () => {
    const w = stepWorld();
    w.github.files.set("policies/settings.yaml", SETTINGS);
    w.record(ENDING);
    const report = await sweep(
      { ...w.deps, webhookFor: () => undefined },
      { now: STEP_NOW, dryRun: false },
    );
    expect(report.issues.map((i) => i.message)).toEqual([
      expect.stringContaining("channel dba: HOOK_DBA is not set"),
    ]);
  });
});

const HOUR = 3600_000;
const EMPTY_PLAN = { revoke: [], watch: [] } as unknown as SweepPlan;

/** An open request PR opened `hoursAgo`, in the FakeGitHub the evaluation reads. */
function openRequest(hoursAgo: number, reviews: Review[] = []) {
  const github = new FakeGitHub();
  const settings = `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  notifications:
${NOTIFY}`;
  github.setFiles(BASE_SHA, {
    ...examplePolicyFiles,
    "policies/settings.yaml": settings,
    ".github/CODEOWNERS": CODEOWNERS,
  });
  const number = addMergedRequest(github, { merged: false, reviews });
  const pull = github.pulls.get(number)!;
  github.pulls.set(number, {
    ...pull,
    createdAt: new Date(STEP_NOW.getTime() - hoursAgo * HOUR).toISOString(),
  });
  const { policies } = loadPolicies(examplePolicySources({ "policies/settings.yaml": settings }));
  const { posted, webhookFor } = channelLog();
  const run: SweepRun = {
    deps: {
      github,
      aws: undefined as never,
      cloudtrail: undefined as never,
      revokeGrant: undefined as never,
      webhookFor,
    },
    branch: "main",
    head: "5ee0000000000000000000000000000000000005",
    now: STEP_NOW,
    dryRun: false,
    concurrency: 2,
    targets: new Map([["123456789012", { name: "production", id: "123456789012" } as never]]),
  };
  const tell = (now = STEP_NOW) =>
    tellMoments(
      { ...run, now },
      {
        plan: EMPTY_PLAN,
        policies: policies as Policies,
        revoked: [],
        openPullRequests: listOpenPullRequestsOnce(github, []),
      },
    );
  return { github, number, posted, tell, run, policies: policies as Policies };
}

describe("the sweep's timed moments: requests nobody reviewed", () => {
  it("reminds the eligible approvers once, then closes the request once", async () => {
    const { github, number, posted, tell } = openRequest(5);
    expect((await tell()).reminded).toEqual([number]);
    const reminder = github.comment(number, REMINDER_MARKER)!;
    expect(reminder).toContain("waited 5h without a review");
    expect(reminder).toContain("@acme/sre @acme/dba");
    expect(posted.map((p) => p.body.event)).toEqual(["hallpass.reminder"]);
    expect(await tell()).toEqual({ issues: [], reminded: [], closed: [], warned: [] });
    // One comment read a run: the reminder's, until closing is due. The reminder is written
    // where that read found none, without listing the comments again.
    expect(github.calls.filter((c) => c === "findComment")).toHaveLength(2);
    expect(github.commentLists).toBe(2);

    const threeDaysOn = new Date(STEP_NOW.getTime() + 70 * HOUR);
    expect((await tell(threeDaysOn)).closed).toEqual([number]);
    // The closing comment is posted, then edited to say it is done, on one list of comments.
    expect(github.commentLists).toBe(3);
    expect(github.closed).toEqual([number]);
    expect(github.comment(number, STALE_CLOSED_MARKER)).toContain("Closed: nobody reviewed");
    expect(posted.map((p) => p.body.event)).toEqual(["hallpass.reminder", "hallpass.closed-stale"]);
  });

  it("reads a due pull request once: the reviews it was read for are the ones evaluated", async () => {
    const { github, number, tell } = openRequest(5);
    expect((await tell()).reminded).toEqual([number]);
    expect(github.calls.filter((c) => c === "readPullRequest")).toHaveLength(1);
  });

  it("never closes again a request someone reopened", async () => {
    const { github, number, tell } = openRequest(80);
    await tell();
    expect(github.closed).toEqual([number]);
    github.pulls.set(number, { ...github.pulls.get(number)!, state: "open" });
    await tell();
    expect(github.closed).toEqual([number]);
  });

  it("closes on the next run a request whose closing failed after its comment was written", async () => {
    // Found by the fault table: the comment was the record of the closing, so a failed close
    // looked like a request someone had reopened, and it was never closed.
    const { github, number, tell } = openRequest(80);
    const close = github.closePullRequest.bind(github);
    let failures = 1;
    github.closePullRequest = async (pull: number) => {
      if (failures-- > 0) throw Object.assign(new Error("Server Error"), { status: 502 });
      return close(pull);
    };
    const first = await tell();
    expect(first.closed).toEqual([]);
    expect(first.issues.map((i) => i.message)).toEqual([expect.stringContaining("Server Error")]);
    expect(github.commentLists).toBe(1);
    expect((await tell()).closed).toEqual([number]);
    expect(github.comment(number, STALE_CLOSED_MARKER)).toContain(STALE_CLOSED_DONE);
    // The comment the first run wrote is found and finished by its id: one list per run.
    expect(github.commentLists).toBe(2);
    // Once closed for good, a reopened request is left open.
    github.pulls.set(number, { ...github.pulls.get(number)!, state: "open" });
    expect((await tell()).closed).toEqual([]);
  });

  it("on a request hallpass opened for someone, the requester's own review is no review", async () => {
    // The issue form and /hallpass extend open the pull request as the app, in the requester's
    // name: their comment on it must not stop the reminder and the closing.
    const comment = (user: string) => ({
      id: 1,
      user,
      state: "COMMENTED" as const,
      commitId: "x",
      submittedAt: "2026-11-26T01:00:00Z",
    });
    for (const [reviewer, closes] of [
      ["alice", true],
      ["sam", false],
    ] as const) {
      const { github, number, tell } = openRequest(80, [comment(reviewer)]);
      const pull = github.pulls.get(number)!;
      github.pulls.set(number, { ...pull, author: "hallpass[bot]" });
      github.pullCommits.set(number, [
        {
          sha: pull.headSha,
          authorLogin: "hallpass[bot]",
          committerLogin: "web-flow",
          signedByGitHub: true,
        },
      ]);
      expect((await tell()).closed, reviewer).toEqual(closes ? [number] : []);
    }
  });

  it("leaves a reviewed request alone, whatever the review said", async () => {
    const { github, posted, tell } = openRequest(80, [
      {
        id: 1,
        user: "sam",
        state: "COMMENTED",
        commitId: "x",
        submittedAt: "2026-11-26T01:00:00Z",
      },
    ]);
    expect(await tell()).toEqual({ issues: [], reminded: [], closed: [], warned: [] });
    expect(github.closed).toEqual([]);
    expect(posted).toEqual([]);
  });

  it("leaves a request of another shard's account to that shard", async () => {
    const { github, run, policies } = openRequest(80);
    const out = await tellMoments(
      { ...run, targets: new Map() },
      {
        plan: EMPTY_PLAN,
        policies,
        revoked: [],
        openPullRequests: listOpenPullRequestsOnce(github, []),
      },
    );
    expect(out).toEqual({ issues: [], reminded: [], closed: [], warned: [] });
    expect(github.closed).toEqual([]);
    expect(github.calls).toContain("readPullRequest");
  });
});
