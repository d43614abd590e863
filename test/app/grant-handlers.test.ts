import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsIamPort } from "../../src/adapters/aws-iam.ts";
import { defaultDeps } from "../../src/app/index.ts";
import {
  grantRecordSchema,
  revocationRecordSchema,
  ungrantedRecordSchema,
} from "../../src/core/grant/records.ts";
import { DeadlineError, deadlineAfter } from "../../src/workflows/deadline.ts";
import { FakeAwsWire } from "../support/fake-aws-wire.ts";
import {
  APP_ID,
  createHarness,
  examplePayload,
  fixture,
  type Harness,
  HEAD,
  MERGE,
  pullRequestEvent,
  REPO,
  review,
} from "./harness.ts";

/**
 * The README's user story end to end, through the real app: GitHub mocked with nock (every
 * request checked against GitHub's OpenAPI description), AWS IAM and STS answered on the wire
 * by a stateful fake, the real SDK v3 clients in between.
 */

const MERGED = new Date("2026-11-26T11:00:05Z");
const RELEASED = new Date("2026-11-26T11:40:00Z");
const GRANT_PATH = "access-requests/alice-db.grant.json";
const REVOCATION_PATH = "access-requests/alice-db.revocation.json";
const UNGRANTED_PATH = "access-requests/alice-db.ungranted.json";

let h: Harness;
let wire: FakeAwsWire;
let clock = MERGED;

// biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
type Body = any;

beforeEach(async () => {
  clock = MERGED;
  h = await createHarness({
    now: () => clock,
    aws: createAwsIamPort({
      credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
      brokerSessionName: "hallpass-app",
      maxAttempts: 1,
    }),
  });
  wire = new FakeAwsWire("123456789012");
  wire.install();
});

afterEach(() => {
  try {
    h.github.verify();
  } finally {
    nock.cleanAll();
  }
});

const APPROVALS = [review(101, "dan", "APPROVED", 10), review(102, "sam", "APPROVED", 11)];

/** An evaluation of merged PR 7: the reads of the grant's re-check. */
function mergedEvaluation(reviews = APPROVALS, policies?: string) {
  h.github
    .prReads({ pull: { merged: true }, reviews })
    .baseReads({ sha: MERGE, ...(policies ? { policies } : {}) })
    .requestFile()
    .teams();
}

/** The refusal comment on PR 7 and the alert issue; the returned getters give their bodies. */
function refusalCommentAndAlert(): { comment: () => Body; alert: () => Body } {
  let comment: Body;
  let alert: Body;
  h.github
    .newComment(56, (b) => {
      comment = b;
    })
    .newIssue(90, (b) => {
      alert = b;
    });
  return { comment: () => comment, alert: () => alert };
}

/** A grant record of alice's request #7, live from 11:00 to 13:00. */
function grantOfAlice() {
  return {
    version: 1,
    requestPath: "access-requests/alice-db.yaml",
    pullRequest: {
      number: 7,
      url: "https://github.com/acme/access/pull/7",
      mergeCommit: "3e7600000000000000000000000000000000000a",
      mergedAt: "2026-11-26T11:00:00Z",
      mergedBy: "sue",
    },
    requester: "alice",
    role: "db-admin",
    account: { name: "production", id: "123456789012" },
    emergency: false,
    approvals: [],
    roleArn: "arn:aws:iam::123456789012:role/hallpass/hallpass-alice-0123456789",
    roleName: "hallpass-alice-0123456789",
    sessionName: "alice-0123456789",
    sourceIdentity: "alice",
    window: { start: "2026-11-26T11:00:00Z", end: "2026-11-26T13:00:00Z" },
    grantedAt: "2026-11-26T11:00:05Z",
  };
}

function revokeComment(login: string, body = "/hallpass revoke") {
  const payload = examplePayload("issue_comment", "created");
  payload.issue.number = 7;
  payload.issue.pull_request = { url: `https://api.github.com${REPO}/pulls/7` };
  payload.comment.body = body;
  payload.comment.user.login = login;
  payload.comment.user.type = "User";
  return { id: `comment-${login}-${Math.random()}`, name: "issue_comment", payload };
}

describe("other repositories", () => {
  it("judges and grants nothing in a repository other than the access repository", async () => {
    // Whoever controls another repository the app is installed on controls its policies/.
    const event = pullRequestEvent("closed", { merged: true });
    event.payload.repository.name = "playground";
    event.payload.repository.full_name = "acme/playground";
    await h.probot.receive(event);
    expect(h.recorder.requests).toEqual([]);
    expect(wire.calls).toEqual([]);
  });
});

describe("without HALLPASS_ACCESS_REPOSITORY", () => {
  it("grants nothing, whatever the repository", async () => {
    const unconfigured = await createHarness({
      accessRepository: undefined,
      aws: createAwsIamPort({ brokerSessionName: "hallpass-app", maxAttempts: 1 }),
    });
    // The approval check still runs; the grant handlers are not registered at all.
    h.github.optionalToken();
    h.github
      .prReads({ pull: { merged: true }, reviews: APPROVALS })
      .baseReads({ sha: MERGE })
      .requestFile()
      .teams()
      .checkCreate(HEAD, () => {});
    await unconfigured.probot.receive(pullRequestEvent("closed", { merged: true }));
    expect(h.recorder.requests.filter((r) => r.path.includes(".grant.json"))).toEqual([]);
    expect(wire.calls).toEqual([]);
  });
});

describe("the user story", () => {
  it("a merged request yields the grant, its record and the usage comment; /hallpass revoke ends it", async () => {
    // 1. Merge: the grant alone evaluates the merged PR (the head's check is left as it was).
    h.github.optionalToken();
    mergedEvaluation();
    // No record yet: the records read (one query) finds neither file.
    let grantTree: Body;
    h.github.commitOnMerge("c-grant", (b) => {
      grantTree = b;
    });
    let usage: Body;
    h.github.newComment(55, (b) => {
      usage = b;
    });

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    const file = grantTree.files[0];
    expect(file.path).toBe(GRANT_PATH);
    const record = grantRecordSchema.parse(JSON.parse(file.content));
    expect(record).toMatchObject({
      requester: "alice",
      role: "db-admin",
      account: { name: "production", id: "123456789012" },
      pullRequest: { number: 7, mergedBy: "sue", mergedAt: "2026-11-26T11:00:00Z" },
      window: { start: "2026-11-26T11:00:00Z", end: "2026-11-26T13:00:00Z" },
      sourceIdentity: "alice",
    });
    expect(record.approvals.map((a) => [a.reviewer, a.reviewId])).toEqual([
      ["dan", 101],
      ["sam", 102],
    ]);
    const role = wire.roles.get(record.roleName.toLowerCase())!;
    expect(role.arn).toBe(record.roleArn);
    expect(role.boundary).toBe("arn:aws:iam::123456789012:policy/hallpass-boundary");
    expect(JSON.parse(role.trust).Statement[0].Principal).toEqual({
      AWS: "arn:aws:iam::123456789012:user/alice",
    });
    expect(wire.assumed).toEqual(["arn:aws:iam::123456789012:role/hallpass-broker"]);
    expect(usage.body).toContain("<!-- hallpass:grant -->");
    expect(usage.body).toContain(`--role-arn ${record.roleArn}`);
    expect(usage.body).toContain("--source-identity alice");
    expect(usage.body).toContain("2026-11-26 13:00:00 UTC** (in 1h59m55s)");

    // 2. /hallpass revoke by the requester, 40 minutes later.
    clock = RELEASED;
    h.github.optionalToken();
    mergedEvaluation();
    h.github.fileOnMain(GRANT_PATH, file.content);
    // Read once, by the revoke routine, before it commits the record.
    h.github.fileOnMain(REVOCATION_PATH);
    let revocationTree: Body;
    h.github.commitOnMain("c-revoke", (b) => {
      revocationTree = b;
    });
    let revoked: Body;
    h.github.scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        {
          id: 55,
          user: { type: "Bot" },
          performed_via_github_app: { id: APP_ID },
          body: usage.body,
        },
      ])
      .patch(`${REPO}/issues/comments/55`, (b) => {
        revoked = b;
        return true;
      })
      .reply(200, {});

    await h.probot.receive(revokeComment("alice") as never);

    expect(wire.roles.size).toBe(0);
    expect(wire.calls.slice(-6)).toEqual([
      "PutRolePolicy",
      "ListRolePolicies",
      "DeleteRolePolicy",
      "ListAttachedRolePolicies",
      "DeleteRolePolicy",
      "DeleteRole",
    ]);
    const revocation = revocationRecordSchema.parse(JSON.parse(revocationTree.files[0].content));
    expect(revocationTree.files[0].path).toBe(REVOCATION_PATH);
    expect(revocation).toMatchObject({
      roleArn: record.roleArn,
      reason: "early-release",
      revokedBy: "alice",
      revokedAt: "2026-11-26T11:40:00Z",
    });
    expect(revoked.body).toContain("### Access revoked");
  });
});

describe("break-glass", () => {
  it("opens the post-incident review issue once, from the grant, before the role exists", async () => {
    h.github.optionalToken();
    h.github
      .prReads({ pull: { merged: true }, reviews: [review(101, "dan", "APPROVED", 10)] })
      .baseReads({ sha: MERGE })
      .requestFile(
        `${fixture("db-admin-request.yaml").replace(/duration: .*/, "duration: 1h")}emergency: true\n`,
      )
      .teams();
    let rolesWhenOpened = -1;
    let issue: Body;
    // One search and one creation: the approval side no longer opens it on the same delivery.
    h.github.newIssue(
      9,
      (b) => {
        rolesWhenOpened = wire.roles.size;
        issue = b;
      },
      { state: "open", per_page: "100", labels: "hallpass:post-incident-review" },
    );
    h.github.commitOnMerge("c-grant");
    h.github.newComment(55, () => {});

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(issue.body).toContain("<!-- hallpass:post-incident-review:7 -->");
    expect(rolesWhenOpened).toBe(0);
    expect(wire.roles.size).toBe(1);
  });
});

describe("refusals", () => {
  it("an admin merge without approvals grants nothing, records why in git, says so on the PR and raises an alert", async () => {
    h.github.optionalToken();
    mergedEvaluation([]);
    // The refusal is recorded first: nothing of the stem's is in git yet, so it commits.
    let tree: Body;
    h.github.commitOnMain("refusal-sha", (b) => {
      tree = b;
    });
    const refusal = refusalCommentAndAlert();

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(refusal.comment().body).toContain(
      "### No access granted: approvals do not hold at the merge commit",
    );
    expect(refusal.comment().body).toContain(
      "@sue merged this pull request past the hallpass/approval check",
    );
    expect(refusal.comment().body).toContain(`This refusal is recorded in \`${UNGRANTED_PATH}\``);
    expect(tree.files).toHaveLength(1);
    expect(tree.files[0].path).toBe(UNGRANTED_PATH);
    const record = ungrantedRecordSchema.parse(JSON.parse(tree.files[0].content));
    expect(record).toMatchObject({
      source: "app",
      requestPath: "access-requests/alice-db.yaml",
      pullRequest: { number: 7, mergeCommit: MERGE, mergedBy: "sue" },
      reason: `approvals do not hold at the merge commit ${MERGE.slice(0, 7)}`,
    });
    expect(record.details?.join("\n")).toContain("@sue merged this pull request");
    expect(refusal.alert().labels).toEqual(["hallpass-alert"]);
    expect(wire.calls).toEqual([]);
    expect(wire.assumed).toEqual([]);
  });

  it("posts the refusal alert to the Slack webhook whose variable the policies name", async () => {
    const webhook = "https://hooks.slack.test/services/T0/B0/secret";
    h = await createHarness({
      now: () => clock,
      aws: createAwsIamPort({
        credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
        brokerSessionName: "hallpass-app",
        maxAttempts: 1,
      }),
      notifierFor: defaultDeps({ HALLPASS_SLACK_WEBHOOK: webhook }).notifierFor,
    });
    const policies = `${fixture("policies.yaml")}  notifications:\n    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK\n`;
    h.github.optionalToken();
    mergedEvaluation([], policies);
    h.github.commitOnMain("refusal-sha");
    const refusal = refusalCommentAndAlert();
    let slack: Body;
    const hook = nock("https://hooks.slack.test")
      .post("/services/T0/B0/secret", (b) => {
        slack = b;
        return true;
      })
      .reply(200, "ok");

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(hook.isDone()).toBe(true);
    expect(slack.text).toContain("approvals do not hold at the merge commit");
    expect(slack.text).toContain("access-requests/alice-db.yaml");
    expect(refusal.alert().labels).toEqual(["hallpass-alert"]);
  });

  it("keeps the alert issue when the Slack webhook fails", async () => {
    h = await createHarness({
      now: () => clock,
      aws: createAwsIamPort({
        credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
        brokerSessionName: "hallpass-app",
        maxAttempts: 1,
      }),
      notifierFor: defaultDeps({ HALLPASS_SLACK_WEBHOOK: "https://hooks.slack.test/x" })
        .notifierFor,
    });
    const policies = `${fixture("policies.yaml")}  notifications:\n    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK\n`;
    h.github.optionalToken();
    mergedEvaluation([], policies);
    h.github.commitOnMain("refusal-sha");
    refusalCommentAndAlert();
    // Slack answers 403 (a revoked webhook): not retried, and the issue above stays the alert.
    const hook = nock("https://hooks.slack.test").post("/x").reply(403, "invalid_token");

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(hook.isDone()).toBe(true);
  });

  it("still comments and alerts, and grants nothing, when the refusal cannot be committed", async () => {
    h.github.optionalToken();
    mergedEvaluation([]);
    h.github.scope.post("/graphql").reply(200, {
      data: null,
      errors: [{ type: "UNPROCESSABLE", message: "Git Repository is empty." }],
    });
    const refusal = refusalCommentAndAlert();

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(refusal.comment().body).toContain("### No access granted: approvals do not hold");
    expect(refusal.comment().body).toContain(`could not be recorded in \`${UNGRANTED_PATH}\``);
    expect(refusal.comment().body).toContain("Git Repository is empty");
    expect(refusal.alert().body).toContain(`could not be recorded in \`${UNGRANTED_PATH}\``);
    expect(wire.calls).toEqual([]);
  });

  it("/hallpass revoke by someone else is refused and changes nothing in AWS", async () => {
    h.github.optionalToken();
    mergedEvaluation();
    h.github.fileOnMain(GRANT_PATH, JSON.stringify(grantOfAlice()));
    let reply: Body;
    h.github.newComment(57, (b) => {
      reply = b;
    });

    await h.probot.receive(revokeComment("mallory") as never);

    expect(reply.body).toContain("@mallory: you may not revoke this access");
    expect(wire.calls).toEqual([]);
  });

  it("/hallpass extend by someone else than the requester says who may, and opens nothing", async () => {
    h.github.optionalToken().prReads({ pull: { merged: true } });
    // The default branch comes with the pull request's read: only its head is read.
    h.github.scope
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: "5a1e000000000000000000000000000000000001" } });
    // The grant and its revocation (none) are read in one query at the branch's head.
    h.github.fileAt(
      "5a1e000000000000000000000000000000000001",
      GRANT_PATH,
      JSON.stringify(grantOfAlice()),
    );
    let reply: Body;
    h.github.newComment(58, (b) => {
      reply = b;
    });
    const extend = revokeComment("mallory", "/hallpass extend 1h");
    h.requestsSince();
    await h.probot.receive(extend as never);
    // The pull request, main's head, the grant records, the comments, the reply.
    expect(h.requestsSince()).toBe(5);
    expect(reply.body).toContain(
      "@mallory: only the requester, @alice, may extend this access with `/hallpass extend`",
    );
    expect(wire.calls).toEqual([]);
  });

  it("ignores comments that are not the command, and the app's own comments", async () => {
    await h.probot.receive(revokeComment("alice", "thanks, all done") as never);
    const own = revokeComment("hallpass[bot]");
    own.payload.comment.user.type = "Bot";
    await h.probot.receive(own as never);
    expect(h.requestsSince()).toBe(0);
  });

  it("ignores a comment edited to contain /hallpass revoke: only a new comment is a command", async () => {
    // An edit can be made to an old comment long after the thread moved on, and its author is
    // the original commenter: acting on it would let a history rewrite end someone's access.
    const edited = revokeComment("alice");
    const payload = examplePayload("issue_comment", "edited");
    payload.issue = edited.payload.issue;
    payload.comment = edited.payload.comment;
    payload.changes = { body: { from: "thanks, all done" } };
    await h.probot.receive({ id: "comment-edited", name: "issue_comment", payload } as never);
    expect(h.requestsSince()).toBe(0);
    expect(wire.calls).toEqual([]);
  });
});

describe("stalled dependencies", () => {
  it("says on the PR and alerts when IAM accepts CreateRole and never answers, within the merge deadline", async () => {
    // The work's deadline is reached when CreateRole stalls, not after a real 2.5 s that a
    // loaded machine could spend before the call is even made; telling keeps a real timer.
    const work = new AbortController();
    let workMessage = "";
    h = await createHarness({
      now: () => clock,
      aws: createAwsIamPort({
        credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
        brokerSessionName: "hallpass-app",
        maxAttempts: 1,
      }),
      mergeDeadlines: { workMs: 2_500, tellMs: 15_000 },
      deadlineAfter: (ms, message) => {
        if (ms !== 2_500) return deadlineAfter(ms, message);
        workMessage = message;
        return work.signal;
      },
    });
    wire.hang("CreateRole", () => work.abort(new DeadlineError(workMessage)));
    h.github.optionalToken();
    mergedEvaluation();
    h.github.commitOnMerge("c-grant");
    const told = refusalCommentAndAlert();

    await expect(h.probot.receive(pullRequestEvent("closed", { merged: true }))).rejects.toThrow(
      "the merge handling reached its deadline (2.5 s",
    );

    expect(wire.calls).toContain("CreateRole");
    expect(told.comment().body).toContain("### The grant could not be completed");
    expect(told.comment().body).toContain("Redeliver the merge event");
    expect(told.alert().title).toBe("hallpass alert: the grant could not be completed (#7)");
  });

  it("says on the PR and alerts when GitHub accepts the record's commit and never answers", async () => {
    h = await createHarness(
      {
        now: () => clock,
        aws: createAwsIamPort({
          credentials: { accessKeyId: "AKIAAPP", secretAccessKey: "app-secret" },
          brokerSessionName: "hallpass-app",
          maxAttempts: 1,
        }),
      },
      // Roomy enough for every answered request on a loaded machine; only the stalled commit
      // waits it out.
      { timeouts: { connectMs: 2_000, requestMs: 2_000 } },
    );
    h.github.optionalToken();
    mergedEvaluation();
    h.github.scope
      .post("/graphql", (body) => String(body.query).includes("createCommitOnBranch"))
      .reply((_request: Request) => new Promise<never>(() => {}));
    const told = refusalCommentAndAlert();

    await h.probot.receive(pullRequestEvent("closed", { merged: true }));

    expect(told.comment().body).toContain(
      "### Access NOT granted: the grant record could not be committed",
    );
    expect(told.comment().body).toContain("no answer from api.github.com within 2000 ms");
    expect(told.alert().labels).toEqual(["hallpass-alert"]);
    expect(wire.calls).not.toContain("CreateRole");
  });
});
