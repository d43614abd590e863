import { describe, expect, it } from "vitest";
import { grantRecordSchema } from "../../src/core/grant/records.ts";
import { evaluatePullRequest } from "../../src/workflows/evaluate-pull-request.ts";
import {
  EXTEND_REPLY_MARKER,
  extendGrant,
  parseExtendCommand,
} from "../../src/workflows/extend-grant.ts";
import { grantAccess } from "../../src/workflows/grant-access.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { addMergedRequest, BASE_SHA, CODEOWNERS } from "../support/merged-request.ts";

const NOW = new Date("2026-11-26T10:00:10Z");
const LATER = new Date("2026-11-26T11:00:00Z");
const PATH = "access-requests/alice/extend-7-555.yaml";
const COMMAND = { pullNumber: 7, commentId: 555, duration: "1h" };

const EXTENSION_RULE = examplePolicyFiles["policies/roles.yaml"].replace(
  "    maxDuration: 8h\n",
  "    maxDuration: 8h\n    extension:\n      withoutApproval: 1h\n",
);

/** A granted request #7 of alice (prod-readonly, 2h from 10:00, approved by sam). */
async function granted(roles: string = examplePolicyFiles["policies/roles.yaml"]) {
  const github = new FakeGitHub();
  github.setFiles(BASE_SHA, {
    ...examplePolicyFiles,
    "policies/roles.yaml": roles,
    ".github/CODEOWNERS": CODEOWNERS,
  });
  const aws = new FakeAwsAccounts();
  const pr = addMergedRequest(github);
  expect((await grantAccess({ github, aws }, pr, { now: NOW })).status).toBe("granted");
  return { github, aws };
}

/** Marks the opened pull request as GitHub lists it: the app's one commit adding the file. */
function asListed(github: FakeGitHub, number: number) {
  github.pullFiles.set(number, [{ path: PATH, status: "added" }]);
  github.pullCommits.set(number, [
    {
      sha: "e".repeat(40),
      authorLogin: "hallpass[bot]",
      committerLogin: "web-flow",
      signedByGitHub: true,
    },
  ]);
  github.reviews.set(number, []);
  github.setFiles(github.pulls.get(number)!.headSha, {
    ...Object.fromEntries(github.trees.get("main")!),
  });
  github.pulls.set(number, {
    ...github.pulls.get(number)!,
    baseSha: "main",
    defaultBranch: "main",
  });
}

describe("parseExtendCommand", () => {
  it.each([
    ["/hallpass extend 1h", "1h"],
    ["thanks!\n  /HALLPASS extend 30m  \n", "30m"],
    ["```\n/hallpass extend 1h\n```", undefined],
    ["    /hallpass extend 1h", undefined],
    ["<!-- /hallpass extend 1h -->", undefined],
    ["/hallpass extend", undefined],
    ["/hallpass extend 1h please", undefined],
    ["please /hallpass extend 1h", undefined],
  ])("reads %j as %j", (body, duration) => {
    expect(parseExtendCommand(body)).toBe(duration);
  });
});

describe("extendGrant: /hallpass extend <duration> on a merged request", () => {
  it("opens the extension in the requester's name, asks the original's approvers, and links both", async () => {
    const { github } = await granted();
    const before = github.calls.length;
    const outcome = await extendGrant(github, COMMAND, "alice", { now: LATER });
    // The default branch comes with the pull request; its head is read once, and the branch
    // is made from it (then the new branch's head is read, as it may exist already).
    const calls = github.calls.slice(before);
    expect(calls.filter((c) => c === "getDefaultBranch")).toEqual([]);
    expect(calls.filter((c) => c === "getBranchHead")).toHaveLength(2);
    expect(outcome.status).toBe("opened");
    const opened = "pullRequest" in outcome ? outcome.pullRequest : undefined;
    expect(opened?.author).toBe("hallpass[bot]");
    const file = github.trees.get("hallpass/extend-7-555")?.get(PATH);
    expect(file?.split("\n").slice(0, 2)).toEqual([
      "# yaml-language-server: $schema=../schema.json",
      "# Written by hallpass for /hallpass extend on #7, in its requester's name.",
    ]);
    expect(file).toContain(
      "requester: alice\nrole: prod-readonly\naccount: production\nduration: 1h\n",
    );
    expect(file).toContain("extends: access-requests/alice-db.yaml");
    expect(file).toContain(
      'reason: "Extension of #7: Investigate elevated p99 latency on the checkout API since the deploy."',
    );
    expect(github.pullBodies.get(opened!.number)).toContain("#7");
    expect(github.reviewRequests).toEqual([
      { pullNumber: opened!.number, users: ["sam"], teams: [] },
    ]);
    expect(github.comment(7, EXTEND_REPLY_MARKER)).toContain(
      `@alice: opened the extension request #${opened!.number}`,
    );
  });

  it("opens one pull request for a redelivered command", async () => {
    const { github } = await granted();
    await extendGrant(github, COMMAND, "alice", { now: LATER });
    const lists = github.commentLists;
    const again = await extendGrant(github, COMMAND, "alice", { now: LATER });
    expect(again.status).toBe("already-opened");
    expect(github.reviewRequests).toHaveLength(1);
    // The reply, read to see that the reviewers were asked, is rewritten without a second list.
    expect(github.commentLists - lists).toBe(1);
  });

  it("ends with one pull request, one commit, its reviewers asked and the reply, whichever call fails first, once redelivered", async () => {
    // The calls of a fault-free command, each made to fail in turn (a throttled or dropped call).
    const clean = await granted();
    const before = clean.github.calls.length;
    await extendGrant(clean.github, COMMAND, "alice", { now: LATER });
    const calls = [...new Set(clean.github.calls.slice(before))] as (keyof FakeGitHub & string)[];
    expect(calls).toEqual(expect.arrayContaining(["createPullRequest", "requestReviewers"]));
    for (const method of calls) {
      const { github } = await granted();
      github.fail(method as never, new Error(`${method}: 502`));
      await expect(extendGrant(github, COMMAND, "alice", { now: LATER }), method).rejects.toThrow(
        `${method}: 502`,
      );
      const outcome = await extendGrant(github, COMMAND, "alice", { now: LATER });
      expect(outcome.status, method).toMatch(/^(already-)?opened$/);
      expect(github.pulls.size, method).toBe(2);
      expect(
        github.commits.filter((c) => c.branch === "hallpass/extend-7-555"),
        method,
      ).toHaveLength(1);
      expect(github.trees.get("hallpass/extend-7-555")?.get(PATH), method).toBe(
        clean.github.trees.get("hallpass/extend-7-555")?.get(PATH),
      );
      expect(github.reviewRequests.at(-1), method).toMatchObject({ users: ["sam"] });
      expect(github.comment(7, EXTEND_REPLY_MARKER), method).toContain(
        "opened the extension request",
      );
    }
  });

  it("tells anyone but the requester who may extend, and opens nothing", async () => {
    const { github } = await granted();
    const outcome = await extendGrant(github, COMMAND, "sam", { now: LATER });
    expect(outcome.status).toBe("not-allowed");
    expect(github.comment(7, EXTEND_REPLY_MARKER)).toContain(
      "@sam: only the requester, @alice, may extend this access",
    );
    expect(github.pullBranches.size).toBe(0);
  });

  it("opens nothing once the grant ended or was revoked", async () => {
    const { github } = await granted();
    const ended = await extendGrant(github, COMMAND, "alice", {
      now: new Date("2026-11-26T12:00:00Z"),
    });
    expect(ended).toMatchObject({ status: "not-live" });
    github.setFiles("main", { "access-requests/alice-db.revocation.json": "{}" });
    const revoked = await extendGrant(github, COMMAND, "alice", { now: LATER });
    expect(revoked.status).toBe("not-live");
    expect(github.pullBranches.size).toBe(0);
  });

  it("says why a duration the role does not allow cannot be opened", async () => {
    const { github } = await granted();
    const outcome = await extendGrant(github, { ...COMMAND, duration: "9h" }, "alice", {
      now: LATER,
    });
    expect(outcome.status).toBe("invalid");
    expect(github.pullBranches.size).toBe(0);
  });

  it("keeps the requester the requester: the extension needs an approval from someone else", async () => {
    const { github } = await granted();
    const outcome = await extendGrant(github, COMMAND, "alice", { now: LATER });
    const number = "pullRequest" in outcome ? outcome.pullRequest.number : 0;
    asListed(github, number);
    const evaluation = await evaluatePullRequest(github, number, { now: LATER });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.request?.request.requester).toBe("alice");
    expect(evaluation.decision?.eligible).not.toContain("alice");
  });

  it("turns the extension's check green by the role's extension.withoutApproval", async () => {
    const { github } = await granted(EXTENSION_RULE);
    const outcome = await extendGrant(github, COMMAND, "alice", { now: LATER });
    const number = "pullRequest" in outcome ? outcome.pullRequest.number : 0;
    asListed(github, number);
    const evaluation = await evaluatePullRequest(github, number, { now: LATER });
    expect(evaluation.status).toBe("approved");
    expect(evaluation.title).toBe(
      "Approved without review: one extension without approval up to 1h",
    );
    const record = grantRecordSchema.parse(
      JSON.parse(github.trees.get("main")!.get("access-requests/alice-db.grant.json")!),
    );
    expect(record.requester).toBe("alice");
  });
});
