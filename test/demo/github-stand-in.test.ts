import { describe, expect, it } from "vitest";
import { GitHubStandIn } from "../../src/demo/github-stand-in.ts";
import { MemoryGitStore } from "../support/memory-git-store.ts";

/** The GitHub stand-in answers as GitHub does where hallpass's safety leans on the answer. */

function standIn() {
  const store = new MemoryGitStore();
  const tree = store.writeTree(undefined, [
    { path: "policies/roles.yaml", content: "roles: {}\n" },
  ]);
  const by = { name: "carol", email: "carol@users.noreply.github.com", date: new Date(0) };
  store.updateBranch("main", store.writeCommit(tree, [], "seed", by), undefined);
  const github = new GitHubStandIn({
    owner: "acme",
    repo: "access",
    webUrl: "https://github.example",
    store,
    now: () => new Date("2026-11-26T10:00:00Z"),
    teams: { "acme/dba": ["dan"] },
    app: { id: 7, installationId: 9, slug: "hallpass" },
  });
  github.addToken("t", github.appBot);
  const call = (method: string, path: string, body?: Record<string, unknown>, auth = "token t") =>
    github.handle(method, path, new URLSearchParams(), body, auth);
  return { github, store, call };
}

describe("the demo's GitHub stand-in", () => {
  it("answers an unknown token with 401, and a JSON web token with an installation token", () => {
    const { call } = standIn();
    expect(call("GET", "/repos/acme/access", undefined, "token nope")[0]).toBe(401);
    expect(call("POST", "/app/installations/9/access_tokens", undefined, "token t")[0]).toBe(401);
    const [status, body] = call(
      "POST",
      "/app/installations/9/access_tokens",
      undefined,
      "bearer x.y.z",
    );
    expect(status).toBe(201);
    const token = (body as { token: string }).token;
    expect(call("GET", "/repos/acme/access", undefined, `token ${token}`)[0]).toBe(200);
  });

  it("refuses a ref update that is not a fast forward, as GitHub does", () => {
    const { call, store } = standIn();
    const main = store.resolve("main")!;
    const tree = store.treeOf(main)!;
    const by = { name: "x", email: "x@example.com", date: new Date(0) };
    const unrelated = store.writeCommit(tree, [], "elsewhere", by);
    expect(call("PATCH", "/repos/acme/access/git/refs/heads/main", { sha: unrelated })[0]).toBe(
      422,
    );
    const child = store.writeCommit(tree, [main], "next", by);
    expect(call("PATCH", "/repos/acme/access/git/refs/heads/main", { sha: child })[0]).toBe(200);
    expect(store.resolve("main")).toBe(child);
  });

  it("lets the app branch, commit (signed) and open a pull request, and tells it of that pull request", () => {
    const { github, call, store } = standIn();
    const main = store.resolve("main")!;
    const branch = "hallpass/issue-3";
    expect(
      call("POST", "/repos/acme/access/git/refs", { ref: `refs/heads/${branch}`, sha: main })[0],
    ).toBe(201);
    expect(
      call("POST", "/repos/acme/access/git/refs", { ref: `refs/heads/${branch}`, sha: main }),
    ).toEqual([422, { message: "Reference already exists" }]);
    const input = {
      branch: { repositoryNameWithOwner: "acme/access", branchName: branch },
      message: { headline: "request" },
      fileChanges: {
        additions: [
          { path: "access-requests/a.yaml", contents: Buffer.from("x").toString("base64") },
        ],
      },
      expectedHeadOid: main,
    };
    const [, committed] = github.graphql(
      { query: "mutation createCommitOnBranch", variables: { input } },
      "token t",
    );
    const head = (committed as { data: { createCommitOnBranch: { commit: { oid: string } } } }).data
      .createCommitOnBranch.commit.oid;
    const [status, pull] = call("POST", "/repos/acme/access/pulls", {
      head: branch,
      base: "main",
      title: "t",
      body: "b",
    });
    expect(status).toBe(201);
    expect(pull).toMatchObject({
      user: { login: "hallpass[bot]", type: "Bot" },
      head: { sha: head, ref: branch },
    });
    expect(github.outbox.map((e) => [e.name, e.payload.action])).toEqual([
      ["pull_request", "opened"],
    ]);
    const number = (pull as { number: number }).number;
    // Signed by GitHub: the check takes it for the app's own (the memory store keeps no e-mails).
    expect(call("GET", `/repos/acme/access/pulls/${number}/commits`)[1]).toMatchObject([
      { sha: head, commit: { verification: { verified: true, reason: "valid" } } },
    ]);
    const byHead = (head: string) =>
      github.handle(
        "GET",
        "/repos/acme/access/pulls",
        new URLSearchParams({ head, state: "all" }),
        undefined,
        "token t",
      )[1];
    expect(byHead(`acme:${branch}`)).toHaveLength(1);
    expect(byHead("acme:hallpass/issue-4")).toEqual([]);
  });

  it("tells a pull request's files, commits, reviews and merge as the REST API does", () => {
    const { github, call } = standIn();
    const opened = github.openPullRequest("bob", "bob/req", "a request", [
      { path: "access-requests/bob/req.yaml", content: "requester: bob\n" },
    ]);
    const number = opened.payload.number as number;
    const pull = `/repos/acme/access/pulls/${number}`;
    expect(call("GET", `${pull}/files`)[1]).toEqual([
      { filename: "access-requests/bob/req.yaml", status: "added" },
    ]);
    const review = github.approve(number, "dan");
    expect(review.payload.review).toMatchObject({ state: "approved", user: { login: "dan" } });
    expect(call("GET", `${pull}/reviews`)[1]).toMatchObject([{ state: "APPROVED" }]);
    const merged = github.merge(number, "bob");
    expect(merged.payload).toMatchObject({ action: "closed", pull_request: { merged: true } });
    const after = call("GET", pull)[1] as {
      merge_commit_sha: string;
      merged_by: { login: string };
    };
    expect(after.merged_by.login).toBe("bob");
    expect(github.store.readFile(after.merge_commit_sha, "access-requests/bob/req.yaml")).toBe(
      "requester: bob\n",
    );
    expect(call("GET", "/orgs/acme/teams/dba/members")[1]).toEqual([
      { login: "dan", type: "User" },
    ]);
  });

  it("keeps what the app writes under the app's name, and appends a check run's annotations", () => {
    const { github, call } = standIn();
    const [, comment] = call("POST", "/repos/acme/access/issues/1/comments", { body: "hi" });
    expect(comment).toMatchObject({ performed_via_github_app: { id: 7 }, user: { type: "Bot" } });
    const note = {
      path: "a",
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      message: "m",
    };
    const [, run] = call("POST", "/repos/acme/access/check-runs", {
      name: "hallpass/approval",
      head_sha: "abc",
      status: "completed",
      conclusion: "failure",
      output: { title: "t", summary: "s", annotations: [note] },
    });
    call("PATCH", `/repos/acme/access/check-runs/${(run as { id: number }).id}`, {
      output: { title: "t", summary: "s", annotations: [note] },
    });
    expect(github.checkRun("abc", "hallpass/approval")?.annotations).toHaveLength(2);
  });
  it("re-requests only a check run of the token's own app, as GitHub does, and tells the app", () => {
    const { github, call } = standIn();
    github.addToken("other", {
      ...github.appBot,
      login: "other[bot]",
      app: { id: 8, slug: "other" },
    });
    const [, run] = call("POST", "/repos/acme/access/check-runs", {
      name: "hallpass/approval",
      head_sha: "a".repeat(40),
      conclusion: "success",
      external_id: "hallpass:approved-until:2026-11-26T11:00:00.000Z",
      output: { title: "Approved", summary: "" },
    });
    const id = (run as { id: number; external_id: string }).id;
    expect((run as { external_id: string }).external_id).toBe(
      "hallpass:approved-until:2026-11-26T11:00:00.000Z",
    );
    const path = `/repos/acme/access/check-runs/${id}/rerequest`;
    expect(call("POST", path, undefined, "token other")[0]).toBe(403);
    expect(call("POST", "/repos/acme/access/check-runs/999/rerequest")[0]).toBe(404);
    expect(github.outbox).toEqual([]);
    expect(call("POST", path)[0]).toBe(201);
    expect(github.outbox.map((e) => [e.name, e.payload.action, e.payload.check_run.id])).toEqual([
      ["check_run", "rerequested", id],
    ]);
    // The run itself stays as it was until the app writes it.
    expect(github.checkRun("a".repeat(40), "hallpass/approval")?.conclusion).toBe("success");
  });
});
