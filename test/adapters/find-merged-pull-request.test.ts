import type nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { withMergedPullRequestLookup } from "../../src/adapters/find-merged-pull-request.ts";
import { createOctokitGitHub } from "../../src/adapters/octokit-github.ts";
import { checkGitHubRequests, type RequestRecorder } from "../support/openapi.ts";

const API = "https://api.github.com";
const REPO = "/repos/acme/access";
const PATH = "access-requests/payments/alice-db.yaml";
/** The branch's head: commits are listed from it, not from a name a tag could take. */
const MAIN_SHA = "3a10000000000000000000000000000000000003";
const MAIN_REF = { ref: "refs/heads/main", object: { sha: MAIN_SHA, type: "commit" } };

function github() {
  const octokit = new ProbotOctokit({
    auth: { token: "test-token" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  return withMergedPullRequestLookup(
    createOctokitGitHub(octokit, { owner: "acme", repo: "access" }),
    octokit,
  );
}

function pull(number: number, mergeCommitSha: string | null, mergedAt: string | null) {
  return {
    number,
    html_url: `https://github.com/acme/access/pull/${number}`,
    state: "closed",
    merged_at: mergedAt,
    merge_commit_sha: mergeCommitSha,
  };
}

let scope: nock.Scope;
let recorder: RequestRecorder;
checkGitHubRequests(API, (fresh, itsRecorder) => {
  scope = fresh;
  recorder = itsRecorder;
});

describe("findMergedPullRequest", () => {
  it("finds the merged pull request of the oldest commit that touched the file", async () => {
    scope
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, MAIN_REF)
      .get(`${REPO}/commits`)
      .query({ sha: MAIN_SHA, path: PATH, per_page: "100" })
      .reply(200, [{ sha: "newer" }, { sha: "squash1" }]);
    scope
      .get(`${REPO}/commits/squash1/pulls`)
      .query({ per_page: "100" })
      .reply(200, [
        pull(7, null, null),
        pull(12, "other", "2026-11-26T08:00:00Z"),
        pull(9, "squash1", "2026-11-26T09:00:00Z"),
      ]);
    expect(await github().findMergedPullRequest!("main", PATH)).toEqual({
      number: 9,
      url: "https://github.com/acme/access/pull/9",
      mergedAt: "2026-11-26T09:00:00Z",
      mergeCommitSha: "squash1",
    });
    expect(recorder.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${REPO}/git/ref/heads/main`,
      `GET ${REPO}/commits`,
      `GET ${REPO}/commits/squash1/pulls`,
    ]);
  });

  it("takes the merged pull request that brought in a branch commit (merge commits)", async () => {
    scope
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, MAIN_REF)
      .get(`${REPO}/commits`)
      .query(true)
      .reply(200, [{ sha: "branch1" }]);
    scope
      .get(`${REPO}/commits/branch1/pulls`)
      .query(true)
      .reply(200, [pull(4, "merge4", "2026-11-26T09:00:00Z")]);
    expect((await github().findMergedPullRequest!("main", PATH))?.number).toBe(4);
  });

  it.each([
    ["no commit touched the file", [], undefined],
    ["only an unmerged pull request has the commit", [{ sha: "direct" }], [pull(3, null, null)]],
    ["no pull request has the commit (pushed directly)", [{ sha: "direct" }], []],
  ])("says there is none when %s", async (_n, commits, pulls) => {
    scope.get(`${REPO}/git/ref/heads%2Fmain`).reply(200, MAIN_REF);
    scope.get(`${REPO}/commits`).query(true).reply(200, commits);
    if (pulls) scope.get(`${REPO}/commits/direct/pulls`).query(true).reply(200, pulls);
    expect(await github().findMergedPullRequest!("main", PATH)).toBeUndefined();
  });

  it("throws on a missing branch, rather than find nothing", async () => {
    scope.get(`${REPO}/git/ref/heads%2Fgone`).reply(404, { message: "Not Found" });
    await expect(github().findMergedPullRequest!("gone", PATH)).rejects.toThrow(
      "there is no branch gone",
    );
  });

  it("throws when GitHub fails, so the sweep reports it and tries again", async () => {
    scope.get(`${REPO}/git/ref/heads%2Fmain`).reply(200, MAIN_REF);
    scope.get(`${REPO}/commits`).query(true).reply(500, { message: "boom" });
    await expect(github().findMergedPullRequest!("main", PATH)).rejects.toThrow(/boom/);
  });
});
