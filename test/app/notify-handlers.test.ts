import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { REVIEW_REQUEST_MARKER } from "../../src/core/approval/render-review-request.ts";
import type { WebhookFor } from "../../src/ports/notify.ts";
import {
  APP_ID,
  createHarness,
  fixture,
  type Harness,
  HEAD,
  pullRequestEvent,
  REPO,
  review,
  reviewEvent,
} from "./harness.ts";

/** The test policies with a JSON channel that hears of every request. */
const POLICIES = fixture("policies.yaml").replace(
  "settings:\n",
  `settings:
  notifications:
    channels:
      approvers: { webhookEnv: HOOK_APPROVERS, format: json }
    notify: [approvers]
`,
);

// biome-ignore lint/suspicious/noExplicitAny: documents are inspected freely
type Doc = any;

let h: Harness;
afterEach(() => {
  try {
    h.github.verify();
  } finally {
    nock.cleanAll();
  }
});

/** A harness whose channel keeps every document posted to it. */
async function harnessWithChannel(options: { failing?: boolean } = {}) {
  const posted: Doc[] = [];
  const warnings: string[] = [];
  const webhookFor: WebhookFor = (envName) =>
    envName === "HOOK_APPROVERS"
      ? async (body) => {
          if (options.failing) throw new Error("the webhook of channel approvers answered 500");
          posted.push(body);
        }
      : undefined;
  h = await createHarness({ webhookFor });
  return { posted, warnings };
}

function evaluation(reviews: ReturnType<typeof review>[] = []) {
  return h.github
    .token()
    .prReads({ reviews })
    .baseReads({ policies: POLICIES })
    .requestFile(fixture("db-admin-request.yaml"), HEAD)
    .teams();
}

/** The app's own comment on PR 7, as GitHub lists it. */
const ours = (body: string) => ({
  id: 1,
  body,
  user: { login: "hallpass[bot]", type: "Bot" },
  performed_via_github_app: { id: APP_ID },
});

describe("notifications of review moments", () => {
  it("tells the approvers' channel once that a request awaits review, however often the event is delivered", async () => {
    const { posted } = await harnessWithChannel();
    let comment = "";
    evaluation().checkCreate(HEAD, () => {});
    // The comments are listed once: the write posts what the announcement's lookup did not find.
    h.github.newComment(1, (b) => {
      comment = b.body;
    });
    h.github.scope.post(`${REPO}/pulls/7/requested_reviewers`).reply(201, {});
    const event = pullRequestEvent("opened");
    await h.probot.receive(event);

    expect(posted).toEqual([
      expect.objectContaining({
        event: "hallpass.awaiting-review",
        pullRequest: { number: 7, url: expect.stringContaining("/pull/7") },
        requester: "alice",
        role: "db-admin",
      }),
    ]);
    expect(comment).toContain(REVIEW_REQUEST_MARKER);
    expect(comment).toMatch(/<!-- hallpass:announced opened@[^ ]+ -->/);

    // A later delivery's reads: the pull request, its comments (listed once, holding the
    // announcement), the check's write and the reviewers asked.
    const deliveryFinding = (body: string) => {
      h.github
        .prReads()
        .scope.get(`${REPO}/issues/7/comments`)
        .query(true)
        .reply(200, [ours(body)]);
      h.github.scope.patch(/check-runs\/1000$/).reply(200, {});
      h.github.scope.post(`${REPO}/pulls/7/requested_reviewers`).reply(201, {});
    };

    // The same event again: the comment records it was announced, so nobody is told twice.
    // Listed once, and unchanged: no write.
    deliveryFinding(comment);
    await h.probot.receive(event);
    expect(posted).toHaveLength(1);

    // Reopened: announced again, in the same comment, edited by the id its lookup found.
    let edited = "";
    deliveryFinding(comment);
    h.github.scope
      .patch(`${REPO}/issues/comments/1`, (b) => {
        edited = b.body;
        return true;
      })
      .reply(200, { id: 1 });
    await h.probot.receive(pullRequestEvent("reopened"));
    expect(posted).toHaveLength(2);
    expect(edited).toMatch(/<!-- hallpass:announced reopened@[^ ]+ -->/);
  });

  it("tells 'approved' when the head turns green, and not again on a redelivery", async () => {
    const { posted } = await harnessWithChannel();
    const approved = [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)];
    evaluation(approved);
    // Before the evaluation writes, the app reads what the head's check said: none yet.
    h.github.scope
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    h.github.checkCreate(HEAD, () => {}, 555);
    const event = reviewEvent("submitted", { id: "same-delivery" });
    await h.probot.receive(event);
    expect(posted).toEqual([
      expect.objectContaining({ event: "hallpass.approved", people: ["@dan", "@sue"] }),
    ]);

    h.github.prReads({ reviews: approved });
    h.github.scope
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          { id: 555, app: { id: APP_ID }, conclusion: "success", output: { title: "Approved" } },
        ],
      });
    h.github.checkUpdate(555, () => {});
    await h.probot.receive(event);
    expect(posted).toHaveLength(1);
  });

  it("tells 'approved' once per head from the check run read with the pull request, with no REST read of it", async () => {
    const { posted } = await harnessWithChannel();
    const approved = [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)];
    // The pull request's query says the head has no check of this app yet: no GET before the
    // write, neither to tell nor to find the run to update.
    h.github
      .token()
      .prReads({ reviews: approved, checkRun: null })
      .baseReads({ policies: POLICIES })
      .requestFile(fixture("db-admin-request.yaml"), HEAD)
      .teams()
      .checkCreate(HEAD, () => {}, 555, false);
    const event = reviewEvent("submitted", { id: "same-delivery" });
    await h.probot.receive(event);
    expect(posted).toEqual([expect.objectContaining({ event: "hallpass.approved" })]);
    // Redelivered: the query finds the run approved already; nobody is told again.
    h.github.prReads({
      reviews: approved,
      checkRun: { id: 555, conclusion: "success", title: "Approved by @dan, @sue" },
    });
    h.github.checkUpdate(555, () => {});
    await h.probot.receive(event);
    expect(posted).toHaveLength(1);
  });

  it("a failing channel never fails the event or the check", async () => {
    await harnessWithChannel({ failing: true });
    const approved = [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)];
    let check: Doc;
    evaluation(approved);
    h.github.scope
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    h.github.checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("success");
  });
});
