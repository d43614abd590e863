import { describe, expect, it } from "vitest";
import {
  openRequestPullRequest,
  type RequestPullRequest,
} from "../../src/workflows/open-request-pull-request.ts";
import { FakeGitHub } from "../support/fake-github.ts";

const REQUEST: RequestPullRequest = {
  branch: "hallpass/issue-12",
  file: { path: "access-requests/alice/issue-12.yaml", content: "requester: alice\n" },
  commitMessage: "Access request of @alice from issue #12",
  title: "Access request: read-only in production for alice",
  body: "Closes #12",
};

function repository(): FakeGitHub {
  return new FakeGitHub().setFiles("main", { "policies/p.yaml": "p" });
}

describe("openRequestPullRequest", () => {
  it("branches from the default branch, commits the file and opens the pull request", async () => {
    const github = repository();
    const { pullRequest, opened } = await openRequestPullRequest(github, REQUEST);
    expect(opened).toBe(true);
    expect(pullRequest).toMatchObject({
      author: "hallpass[bot]",
      baseRef: "main",
      title: REQUEST.title,
    });
    expect(github.trees.get(REQUEST.branch)?.get(REQUEST.file.path)).toBe(REQUEST.file.content);
    expect(github.trees.get(REQUEST.branch)?.get("policies/p.yaml")).toBe("p");
    expect(github.trees.get("main")?.has(REQUEST.file.path)).toBe(false);
    expect(github.commits).toEqual([
      { branch: REQUEST.branch, message: REQUEST.commitMessage, files: [REQUEST.file] },
    ]);
    expect(github.pullBodies.get(pullRequest.number)).toBe("Closes #12");
  });

  it("answers the pull request already opened on a redelivery, and writes nothing", async () => {
    const github = repository();
    const first = await openRequestPullRequest(github, REQUEST);
    const writes = github.calls.length;
    const again = await openRequestPullRequest(github, REQUEST);
    expect(again).toEqual({ pullRequest: first.pullRequest, opened: false });
    expect(github.calls.slice(writes)).toEqual(["findPullRequestByBranch"]);
    expect(github.pulls.size).toBe(1);
  });

  it("finishes what an interrupted delivery began: no second branch or commit", async () => {
    const github = repository().fail("createPullRequest");
    await expect(openRequestPullRequest(github, REQUEST)).rejects.toThrow(
      "createPullRequest failed",
    );
    const { opened } = await openRequestPullRequest(github, REQUEST);
    expect(opened).toBe(true);
    expect(github.calls.filter((c) => c === "createBranch")).toHaveLength(1);
    expect(github.commits).toHaveLength(1);
    expect(github.pulls.size).toBe(1);
  });

  it("fails when the default branch is missing, opening nothing", async () => {
    const github = new FakeGitHub();
    await expect(openRequestPullRequest(github, REQUEST)).rejects.toThrow(
      "The default branch main of acme/access is missing.",
    );
    expect(github.pulls.size).toBe(0);
  });
});
