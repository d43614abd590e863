import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultDeps } from "../../src/app/index.ts";
import { GRANT_COMMENT_MARKER } from "../../src/core/grant/render-usage-comment.ts";

/** The app's production wiring (APP_ID from the environment), over GitHub's REST API. */

const REPO = "/repos/acme/access";
const octokit = () =>
  new ProbotOctokit({
    auth: { token: "test-token" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("the app's GitHub port", () => {
  it("takes only comments made through APP_ID for its own, not another bot's with the marker", async () => {
    const planted = {
      id: 8,
      user: { login: "github-actions[bot]", type: "Bot" },
      performed_via_github_app: { id: 15368 },
      body: `${GRANT_COMMENT_MARKER}\nassume arn:aws:iam::123456789012:role/elsewhere`,
    };
    let posted: unknown;
    nock("https://api.github.com")
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [planted])
      .post(`${REPO}/issues/7/comments`, (body) => {
        posted = body;
        return true;
      })
      .reply(201, { id: 9 });
    const github = defaultDeps({ APP_ID: "77" }).github(octokit(), {
      owner: "acme",
      repo: "access",
    });

    await github.upsertComment(7, GRANT_COMMENT_MARKER, "how to use the grant");

    expect(posted).toEqual({ body: `${GRANT_COMMENT_MARKER}\nhow to use the grant` });
  });
});
