import { describe, expect, it } from "vitest";
import { recheckApprovals } from "../../../src/workflows/grant/recheck-approvals.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { addMergedRequest, BASE_SHA, MERGE_SHA } from "../../support/merged-request.ts";

describe("recheckApprovals", () => {
  it("goes on with the request, its policies and the merge of an approved, merged request", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github);
    const checked = await recheckApprovals(github, pr);
    expect(checked.kind).toBe("approved");
    if (checked.kind !== "approved") return;
    expect(checked.requestPath).toBe("access-requests/alice-db.yaml");
    expect(checked.pull).toMatchObject({ number: pr, mergeCommitSha: MERGE_SHA });
    expect(checked.request.request.requester).toBe("alice");
    expect(checked.evaluation.approvals.map((a) => a.reviewer)).toEqual(["sam"]);
  });

  it("reads the rules of the merge commit the event names with the pull request, and the teams afresh", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github);
    github.pulls.get(pr)!.defaultBranch = "main";
    const checked = await recheckApprovals(github, pr, MERGE_SHA);
    expect(checked.kind).toBe("approved");
    // The pull request with the rules, then the request file with the teams: two reads.
    expect(github.calls).toEqual(["readPullRequest", "readPaths"]);
    // sam left sre after the merge: a second re-check reads the teams again, and refuses.
    github.teams.set("acme/sre", ["sue"]);
    expect((await recheckApprovals(github, pr, MERGE_SHA)).kind).toBe("stopped");
  });

  it("reads the rules at the real merge commit when the event names another commit", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github);
    github.pulls.get(pr)!.defaultBranch = "main";
    // At the base commit the role still let sre approve; at the merge only dba approves.
    github.setFiles(MERGE_SHA, { ".github/CODEOWNERS": "access-requests/ @acme/dba\n" });
    const checked = await recheckApprovals(github, pr, BASE_SHA);
    expect(checked.kind).toBe("stopped");
    expect(github.calls).toEqual(["readPullRequest", "readPaths", "listTeamsMembers"]);
  });

  it("skips a pull request that is not merged, and tells nobody", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github, { merged: false });
    expect(await recheckApprovals(github, pr)).toEqual({
      kind: "skipped",
      reason: "the pull request is not merged",
    });
  });

  it("skips a pull request that adds no request file", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github);
    github.pullFiles.set(pr, [{ path: "README.md", status: "modified" }]);
    expect(await recheckApprovals(github, pr)).toMatchObject({
      kind: "skipped",
      reason: "not an access request",
    });
  });

  it("refuses a request merged past the check, naming who merged it", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github, { reviews: [] });
    const checked = await recheckApprovals(github, pr);
    expect(checked).toMatchObject({
      kind: "stopped",
      requestPath: "access-requests/alice-db.yaml",
      stop: { stop: "refused", title: "approvals do not hold at the merge commit 3e76e00" },
    });
    expect(
      checked.kind === "stopped" && checked.stop.stop === "refused" && checked.stop.details,
    ).toContain("@alice merged this pull request past the hallpass/approval check.");
  });

  it("fails, without saying the approvals do not hold, when GitHub cannot be read", async () => {
    const github = new FakeGitHub();
    const pr = addMergedRequest(github);
    github.fail("readPaths", new Error("502 Bad Gateway"));
    const checked = await recheckApprovals(github, pr);
    expect(checked).toMatchObject({
      kind: "stopped",
      stop: {
        stop: "failed",
        title: "GitHub could not be read",
        reason: "GitHub could not be read to re-check the approvals: 502 Bad Gateway",
        rolledBack: true,
      },
    });
  });
});
