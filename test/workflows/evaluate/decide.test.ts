import { describe, expect, it } from "vitest";
import type { Decision } from "../../../src/core/approval/decide-approval.ts";
import { decide, decisionTitle } from "../../../src/workflows/evaluate/decide.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { addMergedRequest, HEAD_SHA, MERGED_AT_ISO } from "../../support/merged-request.ts";

const SAM = { kind: "user" as const, login: "sam", text: "@sam" };

function input(submittedAt: string) {
  return {
    requestPath: "access-requests/alice-db.yaml",
    headSha: HEAD_SHA,
    requester: "alice",
    author: "alice",
    pushers: ["alice"],
    reviews: [{ id: 1, user: "sam", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt }],
    baseChangedAt: [],
    owners: [SAM],
    teamMembers: {},
    approval: { rules: [{ count: 1 }] },
  };
}

describe("decide", () => {
  it("counts an approval on the head of an open pull request", () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github, { merged: false }))!;
    expect(decide(pull, input("2026-11-26T10:05:00Z")).status).toBe("approved");
  });

  it("does not count an approval given after the merge", () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github))!;
    const after = new Date(Date.parse(MERGED_AT_ISO) + 60_000).toISOString();
    expect(decide(pull, input(after)).status).not.toBe("approved");
  });
});

describe("decisionTitle", () => {
  const approval = (reviewer: string, rules: string[]) => ({ reviewer, rules });

  it("names the approvals that counted, and marks break-glass", () => {
    const decision = {
      status: "approved",
      approvals: [approval("sam", ["1 approval"]), approval("sue", [])],
    } as unknown as Decision;
    expect(decisionTitle(decision, false)).toBe("Approved by @sam");
    expect(decisionTitle(decision, true)).toBe("BREAK-GLASS: Approved by @sam");
  });

  it("names who requested changes, or what is still waited for", () => {
    const blocked = { status: "disapproved", approvals: [], blockedBy: [{ reviewer: "dan" }] };
    const waiting = { status: "pending", approvals: [], reasons: ["1 more approval", "x"] };
    expect(decisionTitle(blocked as unknown as Decision, false)).toBe("Changes requested by @dan");
    expect(decisionTitle(waiting as unknown as Decision, false)).toBe(
      "Waiting for approval: 1 more approval; x",
    );
  });
});
