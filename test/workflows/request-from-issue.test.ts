import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FORM_FIELDS, NO_RESPONSE } from "../../src/core/request/issue-form-fields.ts";
import { ISSUE_FORM_MARKER } from "../../src/core/request/render-issue-form-reply.ts";
import { evaluatePullRequest } from "../../src/workflows/evaluate-pull-request.ts";
import { requestFromIssue } from "../../src/workflows/request-from-issue.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { CODEOWNERS } from "../support/merged-request.ts";

const NOW = new Date("2026-11-26T09:00:00Z");
const ANSWERS: Record<string, string | undefined> = {
  role: "prod-readonly",
  account: "production",
  duration: "2h",
  reason: "Investigate elevated p99 latency on the checkout API since the deploy.",
  ticket: undefined,
};

/** The body GitHub renders from the form with these answers. */
function body(answers: Record<string, string | undefined> = ANSWERS): string {
  return FORM_FIELDS.map(
    ({ field, label }) => `### ${label}\n\n${answers[field] ?? NO_RESPONSE}`,
  ).join("\n\n");
}

function repository(roles: string = examplePolicyFiles["policies/roles.yaml"]): FakeGitHub {
  const github = new FakeGitHub().setFiles("main", {
    ...examplePolicyFiles,
    "policies/roles.yaml": roles,
    ".github/CODEOWNERS": CODEOWNERS,
  });
  github.teams.set("acme/sre", ["sam", "alice"]);
  github.teams.set("acme/dba", ["dan"]);
  return github;
}

const submit = (github: FakeGitHub, answers = ANSWERS, author = "alice") =>
  requestFromIssue(github, { number: 12, author, body: body(answers) }, { now: NOW });

describe("requestFromIssue", () => {
  it("opens the request's pull request in the author's name and points the issue at it", async () => {
    const github = repository();
    const outcome = await submit(github);
    expect(outcome).toMatchObject({
      kind: "opened",
      pullRequest: { number: 100, author: "hallpass[bot]" },
    });
    const file = github.trees.get("hallpass/issue-12")?.get("access-requests/alice/issue-12.yaml");
    expect(parse(file!)).toEqual({
      requester: "alice",
      role: "prod-readonly",
      account: "production",
      duration: "2h",
      reason: ANSWERS.reason,
    });
    expect(github.pulls.get(100)?.title).toBe(
      "Access request: prod-readonly in production for 2h (alice)",
    );
    expect(github.pullBodies.get(100)).toContain("Closes #12");
    expect(github.comment(12, ISSUE_FORM_MARKER)).toContain(
      "Opened pull request #100 (https://github.com/acme/access/pull/100) with you as the requester.",
    );
  });

  it("opens one pull request however often the event comes, and says where it is", async () => {
    const github = repository();
    await submit(github);
    const again = await submit(github, { ...ANSWERS, duration: "8h" });
    expect(again).toMatchObject({ kind: "already-opened", pullRequest: { number: 100 } });
    expect(github.pulls.size).toBe(1);
    expect(github.commits).toHaveLength(1);
    expect(github.comment(12, ISSUE_FORM_MARKER)).toContain(
      "This form's request is pull request #100",
    );
  });

  it("comments what to fix, with the request validation's messages at the form's lines, and opens nothing", async () => {
    const github = repository();
    const outcome = await submit(github, { ...ANSWERS, duration: "9h", account: "prod" });
    expect(outcome.kind).toBe("problems");
    const comment = github.comment(12, ISSUE_FORM_MARKER)!;
    expect(comment).toContain("2 problems to fix");
    expect(comment).toContain(
      '- **Account** (line 5): account "prod" is not defined in policies/.',
    );
    expect(comment).toContain(
      '- **Duration** (line 9): 9h is longer than the 8h role "prod-readonly" allows',
    );
    expect(github.calls).not.toContain("createBranch");
    expect(github.pulls.size).toBe(0);
  });

  it("refuses an author with no identity, and one the role's eligible list leaves out", async () => {
    const github = repository();
    await submit(github, ANSWERS, "mallory");
    expect(github.comment(12, ISSUE_FORM_MARKER)).toContain(
      '- **Requester (you)** (line 1): "mallory" has no identity in policies/',
    );
    const roles = examplePolicyFiles["policies/roles.yaml"].replace(
      "    maxDuration: 4h\n",
      '    maxDuration: 4h\n    eligible: ["@acme/dba"]\n',
    );
    const eligible = repository(roles);
    const outcome = await submit(eligible, { ...ANSWERS, role: "db-admin", ticket: "INC-1" });
    expect(outcome.kind).toBe("problems");
    expect(eligible.comment(12, ISSUE_FORM_MARKER)).toContain(
      "- **Role** (line 1): @\u200balice may not request this role: only @\u200bacme/dba may.",
    );
    expect(eligible.pulls.size).toBe(0);
  });

  it("opens nothing when a team of the eligible list cannot be read, and says so", async () => {
    const roles = examplePolicyFiles["policies/roles.yaml"].replace(
      "    maxDuration: 4h\n",
      '    maxDuration: 4h\n    eligible: ["@acme/ghosts"]\n',
    );
    const github = repository(roles);
    const outcome = await submit(github, { ...ANSWERS, role: "db-admin", ticket: "INC-1" });
    expect(outcome.kind).toBe("unchecked");
    expect(github.comment(12, ISSUE_FORM_MARKER)).toContain(
      "hallpass could not check who may request this role",
    );
    expect(github.pulls.size).toBe(0);
  });

  it("opens nothing when the default branch's policies are invalid", async () => {
    const github = repository("roles: [\n");
    const outcome = await submit(github);
    expect(outcome).toMatchObject({ kind: "unchecked" });
    expect(github.pulls.size).toBe(0);
  });

  it("ends with one pull request and one commit whichever call fails first, once redelivered", async () => {
    // The calls of a fault-free run, each made to fail in turn (a throttled or dropped call).
    const clean = repository();
    await submit(clean);
    const calls = [...new Set(clean.calls)] as (keyof FakeGitHub & string)[];
    expect(calls).toContain("createPullRequest");
    for (const method of calls) {
      const github = repository().fail(method as never, new Error(`${method}: 502`));
      await expect(submit(github), method).rejects.toThrow(`${method}: 502`);
      expect(github.pulls.size, method).toBeLessThanOrEqual(1);
      const outcome = await submit(github);
      expect(outcome.kind, method).toMatch(/^(already-)?opened$/);
      expect(github.pulls.size, method).toBe(1);
      expect(github.commits, method).toHaveLength(1);
      expect(
        github.trees.get("hallpass/issue-12")?.get("access-requests/alice/issue-12.yaml"),
      ).toBe(clean.trees.get("hallpass/issue-12")?.get("access-requests/alice/issue-12.yaml"));
      expect(github.comment(12, ISSUE_FORM_MARKER), method).toContain("pull request #100");
    }
  });

  it("leaves its pull request to the check exactly as if the author had opened it", async () => {
    const github = repository();
    const { pullRequest } = (await submit(github)) as {
      pullRequest: { number: number; headSha: string };
    };
    const number = pullRequest.number;
    github.pullFiles.set(number, [
      { path: "access-requests/alice/issue-12.yaml", status: "added" },
    ]);
    github.pullCommits.set(number, [
      {
        sha: pullRequest.headSha,
        authorLogin: "hallpass[bot]",
        committerLogin: "web-flow",
        signedByGitHub: true,
      },
    ]);
    const review = (id: number, user: string) => ({
      id,
      user,
      state: "APPROVED" as const,
      commitId: pullRequest.headSha,
      submittedAt: `2026-11-26T08:5${id}:00Z`,
    });
    // alice is in @acme/sre, the role's approvers, but is the requester.
    github.reviews.set(number, [review(1, "alice")]);
    const own = await evaluatePullRequest(github, number, { now: NOW });
    expect(own.status).toBe("pending");
    expect(own.decision?.excluded).toEqual([{ login: "alice", reason: "is the requester" }]);
    github.reviews.set(number, [review(1, "alice"), review(2, "sam")]);
    const approved = await evaluatePullRequest(github, number, { now: NOW });
    expect(approved.status).toBe("approved");
    expect(approved.request?.request.requester).toBe("alice");
    expect(approved.approvals.map((a) => a.reviewer)).toEqual(["sam"]);
  });
});
