import { describe, expect, it } from "vitest";
import { createMemoryCache } from "../../../src/ports/cache.ts";
import { evaluatePullRequest } from "../../../src/workflows/evaluate-pull-request.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import {
  addMergedRequest,
  BASE_SHA,
  CODEOWNERS,
  HEAD_SHA,
  MERGE_SHA,
} from "../../support/merged-request.ts";

/**
 * What the evaluation reads along with the pull request (the rules at the commit the event
 * names, the check run of the head) and with the request file (the teams the request may need):
 * the reads it saves, and the properties it keeps: rules only from the pull request's real base,
 * a team's absence an error only when the request needs it, team members no staler than the
 * cache's TTL.
 */

const NOW = new Date("2026-11-26T09:58:00Z");
const CHECK = "hallpass/approval";
/** A commit that is not the pull request's base: its rules let mallory approve anything. */
const OTHER_SHA = "07e4000000000000000000000000000000000009";

function openRequest(): FakeGitHub {
  const github = new FakeGitHub();
  addMergedRequest(github, { merged: false });
  // As the GraphQL adapter reads it, with the pull request.
  github.pulls.get(7)!.defaultBranch = "main";
  return github;
}

describe("reading along", () => {
  it("reads the event's rules with the pull request, and the request with its teams: two reads cold, one warm", async () => {
    const github = openRequest();
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    const context = { now: NOW, cache, rulesAt: BASE_SHA, checkName: CHECK };
    const cold = await evaluatePullRequest(github, 7, context);
    expect(github.calls).toEqual(["readPullRequest", "readPaths"]);
    expect(cold.status).toBe("approved");
    // The same decision as when everything is read after the pull request.
    const plain = await evaluatePullRequest(openRequest(), 7, { now: NOW });
    expect({ ...cold, previousCheck: undefined }).toEqual({ ...plain, previousCheck: undefined });
    github.calls.length = 0;
    expect((await evaluatePullRequest(github, 7, context)).status).toBe("approved");
    expect(github.calls).toEqual(["readPullRequest"]);
  });

  it("ignores rules read at a commit that is not the pull request's base, and reads the base's", async () => {
    const github = openRequest();
    // The event named another commit (the base moved since, or a replayed event): there,
    // CODEOWNERS and the role would let mallory approve.
    github.copyTree(BASE_SHA, OTHER_SHA).setFiles(OTHER_SHA, {
      ".github/CODEOWNERS": "access-requests/ @mallory\n",
    });
    github.reviews.set(7, [
      {
        id: 1,
        user: "mallory",
        state: "APPROVED",
        commitId: HEAD_SHA,
        submittedAt: NOW.toISOString(),
      },
    ]);
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    const evaluation = await evaluatePullRequest(github, 7, {
      now: NOW,
      cache,
      rulesAt: OTHER_SHA,
    });
    expect(evaluation.rulesSha).toBe(BASE_SHA);
    expect(evaluation.owners?.pattern).toBe("access-requests/");
    expect(evaluation.owners?.owners.map((o) => o.text)).toEqual(["@acme/sre", "@acme/dba"]);
    expect(evaluation.status).toBe("pending");
    expect(evaluation.approvals).toEqual([]);
    // The base's rules were read after the pull request, as without reading along.
    expect(github.calls).toEqual(["readPullRequest", "readPaths", "listTeamsMembers"]);
    // What was read at the other commit is not kept either.
    expect(cache.get(`codeowners:acme/access@${OTHER_SHA}`)).toBeUndefined();
    expect(cache.get(`policies:acme/access@${OTHER_SHA}`)).toBeUndefined();
  });

  it("judges a merged pull request by its merge commit's rules, whatever base the event names", async () => {
    const github = new FakeGitHub();
    addMergedRequest(github);
    github.pulls.get(7)!.defaultBranch = "main";
    // Tightened before the merge: only dba approves now, and sam (sre) approved.
    github.setFiles(MERGE_SHA, { ".github/CODEOWNERS": "access-requests/ @acme/dba\n" });
    const evaluation = await evaluatePullRequest(github, 7, {
      now: NOW,
      rulesAt: BASE_SHA,
    });
    expect(evaluation.rulesSha).toBe(MERGE_SHA);
    expect(evaluation.owners?.owners.map((o) => o.text)).toEqual(["@acme/dba"]);
    expect(evaluation.status).not.toBe("approved");
  });

  it("reads no rules along for a name that is not a commit SHA", async () => {
    const github = openRequest();
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW, rulesAt: "main" });
    expect(evaluation.status).toBe("approved");
    expect(github.calls).toEqual(["readPullRequest", "readPaths", "listTeamsMembers"]);
  });

  it("fails, with the message of a team read later, when a team the request needs is not visible", async () => {
    const github = openRequest();
    github.teams.delete("acme/sre");
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW, rulesAt: BASE_SHA });
    expect(github.calls).toEqual(["readPullRequest", "readPaths"]);
    expect(evaluation.status).toBe("error");
    expect(evaluation.title).toBe("A team could not be read");
    expect(evaluation.reasons[0]).toContain(
      "team acme/sre does not exist or is not visible to the app",
    );
  });

  it("reads on its own a team the read along could not give", async () => {
    const github = openRequest();
    const readPaths = github.readPaths.bind(github);
    github.readPaths = async (reads) => {
      const read = await readPaths(reads);
      return { ...read, ...(read.teams ? { teams: read.teams.map(() => null) } : {}) };
    };
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW, rulesAt: BASE_SHA });
    expect(evaluation.status).toBe("approved");
    expect(github.calls).toEqual(["readPullRequest", "readPaths", "listTeamsMembers"]);
  });

  it("does not fail on a team only another role names", async () => {
    const github = openRequest();
    // CODEOWNERS names a team no role of this request's needs, and that GitHub does not show.
    github.setFiles(BASE_SHA, { ".github/CODEOWNERS": `${CODEOWNERS}/policies/ @acme/ghosts\n` });
    github.setFiles(BASE_SHA, {
      "policies/roles.yaml": `${github.trees.get(BASE_SHA)!.get("policies/roles.yaml")!}  ghost-role:
    description: Named by a team that is gone.
    accounts: [staging]
    maxDuration: 1h
    permissions:
      managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    approval:
      rules:
        - count: 1
          from: ["@acme/ghosts"]
`,
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW, rulesAt: BASE_SHA });
    expect(evaluation.status).toBe("approved");
    expect(github.calls).toEqual(["readPullRequest", "readPaths"]);
  });

  it("trusts team members read along no longer than the cache's TTL, and the merge re-check not at all", async () => {
    const github = openRequest();
    let clock = 0;
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000, now: () => clock });
    const context = { now: NOW, cache, rulesAt: BASE_SHA };
    expect((await evaluatePullRequest(github, 7, context)).status).toBe("approved");
    // sam, who approved, leaves sre.
    github.teams.set("acme/sre", ["sue"]);
    clock = 59_000;
    expect((await evaluatePullRequest(github, 7, context)).status).toBe("approved");
    // Without the app's cache (as the merge re-check evaluates), the change counts at once.
    expect((await evaluatePullRequest(github, 7, { now: NOW })).status).toBe("pending");
    clock = 60_000;
    expect((await evaluatePullRequest(github, 7, context)).status).toBe("pending");
  });

  it("gives what the head's check said, read with the pull request", async () => {
    const github = openRequest();
    const none = await evaluatePullRequest(github, 7, { now: NOW, checkName: CHECK });
    expect(none.previousCheck).toBeNull();
    github.checkRuns.set(`${HEAD_SHA} ${CHECK}`, {
      status: "completed",
      conclusion: "action_required",
      title: "Waiting for approval",
      summary: "",
    });
    const seen = await evaluatePullRequest(github, 7, { now: NOW, checkName: CHECK });
    expect(seen.previousCheck).toEqual({
      conclusion: "action_required",
      title: "Waiting for approval",
    });
    expect(github.calls).not.toContain("readCheckRun");
    expect((await evaluatePullRequest(github, 7, { now: NOW })).previousCheck).toBeUndefined();
  });
});
