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

/** A pull request as `commits/{commit_sha}/pulls` lists it (`pull-request-simple`), in part. */
function pull(
  number: number,
  mergeCommitSha: string | null,
  mergedAt: string | null,
  baseRef = "main",
) {
  return {
    number,
    html_url: `https://github.com/acme/access/pull/${number}`,
    state: "closed",
    merged_at: mergedAt,
    merge_commit_sha: mergeCommitSha,
    base: { ref: baseRef, sha: "b".repeat(40), label: `acme:${baseRef}` },
  };
}

/** The lookup on main, where the file's oldest commit is `branch1` and GitHub lists `pulls`. */
async function findOnMain(pulls: ReturnType<typeof pull>[]) {
  scope
    .get(`${REPO}/git/ref/heads%2Fmain`)
    .reply(200, MAIN_REF)
    .get(`${REPO}/commits`)
    .query(true)
    .reply(200, [{ sha: "branch1" }]);
  scope.get(`${REPO}/commits/branch1/pulls`).query(true).reply(200, pulls);
  return github().findMergedPullRequest!("main", PATH);
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
    expect((await findOnMain([pull(4, "merge4", "2026-11-26T09:00:00Z")]))?.number).toBe(4);
  });

  it("takes only a pull request merged into the branch looked up, not one into release (rebase or merge commits)", async () => {
    const found = await findOnMain([
      pull(5, "rebased5", "2026-11-26T08:00:00Z", "release"),
      pull(6, "rebased6", "2026-11-26T09:00:00Z", "main"),
    ]);
    expect(found).toEqual({
      number: 6,
      url: "https://github.com/acme/access/pull/6",
      mergedAt: "2026-11-26T09:00:00Z",
      mergeCommitSha: "rebased6",
    });
  });

  it("says there is none when the one merged pull request went into another branch", async () => {
    expect(
      await findOnMain([pull(5, "rebased5", "2026-11-26T08:00:00Z", "release")]),
    ).toBeUndefined();
  });

  it("of several merged into the branch, takes the first merged, which brought the commit in", async () => {
    const found = await findOnMain([
      pull(8, "merge8", "2026-11-27T08:00:00Z"),
      pull(9, "merge9", "2026-11-26T08:00:00Z"),
      pull(3, "merge3", "2026-11-27T08:00:00Z"),
    ]);
    expect(found?.number).toBe(9);
  });

  it("breaks a tie of merge times by the lower number, whatever GitHub's order", async () => {
    const same = "2026-11-26T08:00:00Z";
    expect((await findOnMain([pull(8, "m8", same), pull(3, "m3", same)]))?.number).toBe(3);
  });

  it("takes the pull request that merged release into the branch, not the one whose merge commit went into release", async () => {
    // A squash into release made the commit; a merge of release into main brought it to main.
    const found = await findOnMain([
      pull(5, "branch1", "2026-11-26T08:00:00Z", "release"),
      pull(6, "merge6", "2026-11-26T09:00:00Z", "main"),
    ]);
    expect(found?.number).toBe(6);
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

  it("looks back from the commit it is given, and keeps the branch as the base to match", async () => {
    const from = "4b20000000000000000000000000000000000004";
    scope
      .get(`${REPO}/commits`)
      .query({ sha: from, path: PATH, per_page: "100" })
      .reply(200, [{ sha: "branch1" }]);
    scope
      .get(`${REPO}/commits/branch1/pulls`)
      .query(true)
      .reply(200, [
        pull(5, "rebased5", "2026-11-26T08:00:00Z", "release"),
        pull(6, "rebased6", "2026-11-26T09:00:00Z", "main"),
      ]);
    expect((await github().findMergedPullRequest!("main", PATH, from))?.number).toBe(6);
  });

  it("throws when given a commit id as the branch, which cannot say the base to match", async () => {
    await expect(github().findMergedPullRequest!(MAIN_SHA, PATH)).rejects.toThrow(
      `needs the branch the pull request merged into, not the commit ${MAIN_SHA}`,
    );
    expect(recorder.requests).toEqual([]);
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
