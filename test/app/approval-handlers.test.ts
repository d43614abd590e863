import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BASE,
  createHarness,
  fixture,
  type Harness,
  HEAD,
  NEW_HEAD,
  pullRequestEvent,
  REPO,
  REQUEST_PATH,
  review,
  reviewEvent,
} from "./harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(() => {
  try {
    h.github.verify();
  } finally {
    nock.cleanAll();
  }
});

// biome-ignore lint/suspicious/noExplicitAny: check bodies are inspected freely
type Body = any;

/** A cold evaluation: token, PR reads, base reads, request file, teams. */
function coldEvaluation(options: Parameters<Harness["github"]["prReads"]>[0] = {}) {
  return h.github.token().prReads(options).baseReads().requestFile().teams();
}

describe("a new access request", () => {
  it("gets an action-required check, one review-request comment and review requests", async () => {
    let check: Body;
    let comment: Body;
    let reviewers: Body;
    coldEvaluation().checkCreate(HEAD, (b) => {
      check = b;
    });
    h.github.scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO}/issues/7/comments`, (b) => {
        comment = b;
        return true;
      })
      .reply(201, { id: 1 })
      .post(`${REPO}/pulls/7/requested_reviewers`, (b) => {
        reviewers = b;
        return true;
      })
      .reply(201, {});

    await h.probot.receive(pullRequestEvent("opened"));

    expect(check.name).toBe("hallpass/approval");
    expect(check.conclusion).toBe("action_required");
    expect(check.output.title).toContain("Waiting for approval");
    expect(check.output.summary).toContain("**@alice** asks for **db-admin** in **production**");
    expect(check.output.summary).toContain("| database | 1 from @acme/db-admins | — | @dan |");
    expect(check.output.summary).toContain("@alice cannot approve: is the requester");
    expect(comment.body).toContain("<!-- hallpass:review-request -->");
    expect(comment.body).toContain("@acme/db-admins @acme/security @carol");
    expect(reviewers).toEqual({ reviewers: ["carol"], team_reviewers: ["db-admins", "security"] });
  });
});
