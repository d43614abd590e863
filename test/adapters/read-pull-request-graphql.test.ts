import type nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import {
  createOctokitGitHub,
  type OctokitGitHubOptions,
} from "../../src/adapters/octokit-github.ts";
import { createMemoryCache } from "../../src/ports/cache.ts";
import { checkGitHubRequests } from "../support/openapi.ts";

/**
 * The evaluation's GraphQL reads (read-pull-request-graphql.ts, read-paths-graphql.ts,
 * list-teams-graphql.ts) through the Octokit adapter, against nock. Every query sent is checked
 * against GitHub's published GraphQL schema (the recorder's `assertAllDescribed`).
 */

const API = "https://api.github.com";

let scope: nock.Scope;
checkGitHubRequests(API, (fresh) => {
  scope = fresh;
});

const github = (options: OctokitGitHubOptions = {}) =>
  createOctokitGitHub(
    new ProbotOctokit({
      auth: { token: "t" },
      retry: { enabled: false },
      throttle: { enabled: false },
    }),
    { owner: "acme", repo: "access" },
    options,
  );

type Body = { query: string; variables: Record<string, unknown> };
const page = (nodes: unknown[], endCursor: string | null = null) => ({
  nodes,
  pageInfo: { hasNextPage: endCursor !== null, endCursor },
});

/** The pull request as GitHub answers it, with `lists` as asked. */
function pull(lists: Record<string, unknown>, head = "h1") {
  return {
    data: {
      repository: {
        defaultBranchRef: { name: "main" },
        pullRequest: {
          number: 7,
          url: "https://github.com/acme/access/pull/7",
          state: "MERGED",
          isDraft: false,
          title: "Access",
          author: { login: "alice" },
          headRefOid: head,
          baseRefOid: "b1",
          baseRefName: "main",
          merged: true,
          mergedAt: "2026-11-26T10:00:00Z",
          mergedBy: { login: "bob" },
          mergeCommit: { oid: "m1" },
          ...lists,
        },
      },
    },
  };
}

const review = (id: number | null, login: string | null, state: string) => ({
  databaseId: id,
  author: login ? { login } : null,
  state,
  commit: { oid: "h1" },
  submittedAt: `t${id}`,
  authorAssociation: "MEMBER",
});

describe("readPullRequest", () => {
  it("names an app's bot as REST does, from GraphQL's Bot actor and its commits' no-reply address", async () => {
    // GraphQL calls the bot `hallpass` (a Bot) and links commit addresses to users only: read
    // as they come, a pull request the app opened (issue form, /hallpass extend) had no
    // `hallpass[bot]` author and no attributable commit, and was never green. Found by review.
    scope.post("/graphql").reply(
      200,
      pull({
        author: { __typename: "Bot", login: "hallpass" },
        mergedBy: { __typename: "User", login: "bob" },
        commits: page([
          {
            commit: {
              oid: "c1",
              author: { email: "4242+hallpass[bot]@users.noreply.github.com", user: null },
              committer: { email: "noreply@github.com", user: { login: "web-flow" } },
              signature: { isValid: true, wasSignedByGitHub: true },
            },
          },
          {
            // A person's unlinked address stays unattributed, as through REST.
            commit: {
              oid: "c2",
              author: { email: "99+mallory@users.noreply.github.com", user: null },
              committer: { email: "m@example.com", user: null },
            },
          },
        ]),
        reviews: page([
          {
            ...review(1, "reviewer", "COMMENTED"),
            author: { __typename: "Bot", login: "reviewer" },
          },
        ]),
      }),
    );
    const read = await github().readPullRequest(7);
    expect(read.pullRequest.author).toBe("hallpass[bot]");
    expect(read.pullRequest.mergedBy).toBe("bob");
    expect(read.commits).toEqual([
      { sha: "c1", authorLogin: "hallpass[bot]", committerLogin: "web-flow", signedByGitHub: true },
      { sha: "c2", authorLogin: null, committerLogin: null, signedByGitHub: false },
    ]);
    expect(read.reviews.map((r) => r.user)).toEqual(["reviewer[bot]"]);
  });

  it("takes a commit in the app's name for the app's only when GitHub itself signed it", async () => {
    // A signature GitHub calls valid can come from a key or certificate someone else holds (an
    // S/MIME certificate for the bot's address from a CA the server trusts, on GHES): only
    // GitHub's own signature shows that the app's API call made the commit.
    const bot = {
      author: { email: "4242+hallpass[bot]@users.noreply.github.com", user: null },
      committer: { email: "4242+hallpass[bot]@users.noreply.github.com", user: null },
    };
    scope.post("/graphql").reply(
      200,
      pull({
        author: { __typename: "Bot", login: "hallpass" },
        commits: page([
          { commit: { oid: "c1", ...bot, signature: { isValid: true, wasSignedByGitHub: false } } },
          { commit: { oid: "c2", ...bot, signature: { isValid: false, wasSignedByGitHub: true } } },
          { commit: { oid: "c3", ...bot, signature: { isValid: true, wasSignedByGitHub: true } } },
        ]),
      }),
    );
    const read = await github().readPullRequest(7);
    expect(read.commits.map((c) => [c.sha, c.signedByGitHub])).toEqual([
      ["c1", false],
      ["c2", false],
      ["c3", true],
    ]);
  });

  it("reads the pull request and every list in one query, and maps them", async () => {
    scope.post("/graphql").reply(
      200,
      pull({
        files: page([{ path: "access-requests/a.yaml", changeType: "ADDED" }]),
        commits: page([
          {
            commit: {
              oid: "c1",
              author: { user: { login: "alice" } },
              committer: { user: { login: "web-flow" } },
            },
          },
          {
            commit: {
              oid: "c2",
              author: { user: null },
              committer: { user: { login: "mallory" } },
              signature: { isValid: true, wasSignedByGitHub: true },
            },
          },
        ]),
        reviews: page([review(1, "bob", "APPROVED"), review(2, null, "APPROVED")]),
        timelineItems: page([
          { __typename: "BaseRefChangedEvent", createdAt: "2026-11-26T09:05:00Z" },
          { __typename: "AutomaticBaseChangeSucceededEvent", createdAt: "2026-11-26T09:09:00Z" },
          {
            __typename: "ReviewDismissedEvent",
            createdAt: "2026-11-26T09:07:00Z",
            previousReviewState: "CHANGES_REQUESTED",
            review: { databaseId: 88 },
          },
        ]),
      }),
    );
    expect(await github().readPullRequest(7)).toEqual({
      pullRequest: {
        number: 7,
        url: "https://github.com/acme/access/pull/7",
        state: "closed",
        draft: false,
        author: "alice",
        title: "Access",
        headSha: "h1",
        baseSha: "b1",
        baseRef: "main",
        defaultBranch: "main",
        merged: true,
        mergeCommitSha: "m1",
        mergedAt: "2026-11-26T10:00:00Z",
        mergedBy: "bob",
      },
      files: [{ path: "access-requests/a.yaml", status: "added" }],
      commits: [
        { sha: "c1", authorLogin: "alice", committerLogin: "web-flow", signedByGitHub: false },
        { sha: "c2", authorLogin: null, committerLogin: "mallory", signedByGitHub: true },
      ],
      // A review by a deleted account can never count.
      reviews: [
        {
          id: 1,
          user: "bob",
          state: "APPROVED",
          commitId: "h1",
          submittedAt: "t1",
          authorAssociation: "MEMBER",
        },
      ],
      baseChanges: [{ at: "2026-11-26T09:05:00Z" }, { at: "2026-11-26T09:09:00Z" }],
      reviewDismissals: [{ reviewId: 88, state: "CHANGES_REQUESTED", at: "2026-11-26T09:07:00Z" }],
    });
  });

  it("follows the next pages of only the lists that have more, checking the head on each", async () => {
    const asked: Body[] = [];
    scope
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(
        200,
        pull({
          files: page([{ path: "access-requests/a.yaml", changeType: "ADDED" }]),
          commits: page([]),
          reviews: page([review(1, "bob", "APPROVED")], "R1"),
          timelineItems: page([]),
        }),
      )
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, pull({ reviews: page([review(2, "carol", "APPROVED")], "R2") }))
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, pull({ reviews: page([review(3, "dan", "CHANGES_REQUESTED")]) }));
    const snapshot = await github().readPullRequest(7);
    expect(snapshot.reviews.map((r) => r.user)).toEqual(["bob", "carol", "dan"]);
    expect(
      asked.map((b) => [b.variables.withReviews, b.variables.withFiles, b.variables.reviews]),
    ).toEqual([
      [true, true, undefined],
      [true, false, "R1"],
      [true, false, "R2"],
    ]);
  });

  it("fails when the head moved between two pages, rather than mix two heads", async () => {
    scope
      .post("/graphql")
      .reply(
        200,
        pull({
          files: page([]),
          commits: page([]),
          reviews: page([], "R1"),
          timelineItems: page([]),
        }),
      )
      .post("/graphql")
      .reply(200, pull({ reviews: page([review(2, "carol", "APPROVED")]) }, "h2"));
    await expect(github().readPullRequest(7)).rejects.toThrow(
      "pull request #7 moved while it was read (head h1 -> h2",
    );
  });

  it("reads the REST file list when a file is renamed: GraphQL does not name its old path", async () => {
    scope
      .post("/graphql")
      .reply(
        200,
        pull({
          files: page([{ path: "b.yaml", changeType: "RENAMED" }]),
          commits: page([]),
          reviews: page([]),
          timelineItems: page([]),
        }),
      )
      .get("/repos/acme/access/pulls/7/files")
      .query(true)
      .reply(200, [
        { filename: "b.yaml", status: "renamed", previous_filename: "access-requests/b.yaml" },
      ])
      // The head is read again: the REST list must belong to the snapshot's head.
      .post("/graphql")
      .reply(200, pull({}));
    expect((await github().readPullRequest(7)).files).toEqual([
      { path: "b.yaml", status: "renamed", previousPath: "access-requests/b.yaml" },
    ]);
  });

  it("fails with status 404 when GitHub does not show the pull request", async () => {
    scope
      .post("/graphql")
      .reply(200, { data: { repository: { defaultBranchRef: null, pullRequest: null } } });
    await expect(github().readPullRequest(7)).rejects.toMatchObject({ status: 404 });
  });
});

describe("readPaths", () => {
  const blob = (text: string) => ({ text, isBinary: false, isTruncated: false });

  it("reads files and whole directories at their commits in one query", async () => {
    const asked: Body[] = [];
    scope
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, {
        data: {
          repository: {
            f0: blob("* @acme/sre\n"),
            f1: null,
            // A directory asked for as a file is not a file.
            f2: {},
            d0: {
              entries: [
                { name: "roles.yaml", type: "blob", object: blob("roles: []\n") },
                {
                  name: "teams",
                  type: "tree",
                  object: {
                    entries: [{ name: "sre.yaml", type: "blob", object: blob("sre: 1\n") }],
                  },
                },
              ],
            },
          },
        },
      });
    const read = await github().readPaths({
      files: [
        { ref: "b1", path: ".github/CODEOWNERS" },
        { ref: "h1", path: "access-requests/a.yaml" },
        { ref: "b1", path: "policies" },
      ],
      directories: [{ ref: "b1", path: "policies" }],
    });
    expect(read.files).toEqual(["* @acme/sre\n", undefined, undefined]);
    expect([...read.directories[0]!]).toEqual([
      ["policies/roles.yaml", "roles: []\n"],
      ["policies/teams/sre.yaml", "sre: 1\n"],
    ]);
    expect(asked[0]!.variables).toMatchObject({
      f0: "refs/heads/b1:.github/CODEOWNERS",
      d0: "refs/heads/b1:policies",
    });
  });

  it("reads a tree deeper than the query's levels with a query of its own", async () => {
    const tree = (name: string, object: unknown) => ({ name, type: "tree", object });
    scope
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            d0: { entries: [tree("a", { entries: [tree("b", { entries: [tree("c", {})] })] })] },
          },
        },
      })
      .post("/graphql", (b: Body) => b.variables.d0 === "refs/heads/b1:policies/a/b/c")
      .reply(200, {
        data: {
          repository: { d0: { entries: [{ name: "deep.yaml", type: "blob", object: blob("x") }] } },
        },
      });
    const read = await github().readPaths({
      files: [],
      directories: [{ ref: "b1", path: "policies" }],
    });
    expect([...read.directories[0]!]).toEqual([["policies/a/b/c/deep.yaml", "x"]]);
  });

  it.each([
    ["binary", { text: null, isBinary: true, isTruncated: false }, "binary"],
    ["truncated", { text: "cut", isBinary: false, isTruncated: true }, "too large to give whole"],
  ])("fails on a %s file rather than judge part of it", async (_, answer, says) => {
    scope.post("/graphql").reply(200, {
      data: { repository: { d0: { entries: [{ name: "x.yaml", type: "blob", object: answer }] } } },
    });
    await expect(
      github().readPaths({ files: [], directories: [{ ref: "b1", path: "policies" }] }),
    ).rejects.toThrow(`policies/x.yaml at b1 cannot be read as text (GitHub reports it ${says})`);
  });
});

describe("listTeamsMembers", () => {
  const members = (logins: string[], endCursor: string | null = null) => ({
    team: {
      members: page(
        logins.map((login) => ({ login })),
        endCursor,
      ),
    },
  });

  it("reads every team in one query, and the next pages of only the teams that have more", async () => {
    const asked: Body[] = [];
    scope
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, { data: { t0: members(["sam"], "S1"), t1: members(["dan"]) } })
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, { data: { t0: members(["sue"]) } });
    const teams = [
      { org: "acme", slug: "sre" },
      { org: "acme", slug: "dba" },
    ];
    expect(await github().listTeamsMembers(teams)).toEqual([["sam", "sue"], ["dan"]]);
    expect(asked[1]!.variables).toEqual({ o0: "acme", s0: "sre", a0: "S1" });
  });

  it("fails with status 404 for a team GitHub does not show", async () => {
    scope.post("/graphql").reply(200, { data: { t0: { team: null } } });
    await expect(github().listTeamsMembers([{ org: "acme", slug: "gone" }])).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("acme/gone"),
    });
  });

  it("fails with status 404 for an organization GitHub does not show", async () => {
    scope.post("/graphql").reply(200, {
      data: { t0: null },
      errors: [
        { type: "NOT_FOUND", path: ["t0"], message: "Could not resolve to an Organization" },
      ],
    });
    await expect(github().listTeamsMembers([{ org: "gone", slug: "sre" }])).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("reading along with the pull request", () => {
  const blob = (text: string) => ({ text, isBinary: false, isTruncated: false });
  const suites = (runs: unknown[], more = false) => ({
    nodes: [{ checkRuns: { nodes: runs, pageInfo: { hasNextPage: false } } }],
    pageInfo: { hasNextPage: more },
  });
  const run = (id: number, conclusion: string | null, title: string, annotations = 0) => ({
    databaseId: id,
    name: "hallpass/approval",
    conclusion,
    title,
    annotations: { totalCount: annotations },
  });
  const head = (oid: string, checkSuites: unknown) => ({
    headCommit: { nodes: [{ commit: { oid, checkSuites } }] },
  });
  const extras = {
    checkName: "hallpass/approval",
    paths: {
      files: [{ ref: "b1", path: ".github/CODEOWNERS" }],
      directories: [{ ref: "b1", path: "policies" }],
    },
  };
  const withApp = () =>
    github({ appId: 77, cache: createMemoryCache({ maxEntries: 10, ttlMs: 60_000 }) });

  it("reads this app's check run on the head and the rules in the pull request's query, so the check's write reads nothing", async () => {
    const asked: Body[] = [];
    const answer = pull(
      head(
        "h1",
        suites([run(5, "ACTION_REQUIRED", "Waiting"), run(9, "SUCCESS", "Approved by @sam")]),
      ),
    );
    Object.assign(answer.data.repository, {
      f0: blob("access-requests/ @acme/sre\n"),
      d0: { entries: [{ name: "roles.yaml", type: "blob", object: blob("roles: {}\n") }] },
    });
    scope
      .post("/graphql", (b: Body) => asked.push(b) > 0)
      .reply(200, answer)
      // The write goes to the run the query found: no GET of the head's check runs first.
      .patch("/repos/acme/access/check-runs/9")
      .reply(200, { id: 9 });
    const github = withApp();
    const read = await github.readPullRequest(7, extras);
    expect(read.checkRun).toEqual({ conclusion: "success", title: "Approved by @sam" });
    expect(read.paths?.files).toEqual(["access-requests/ @acme/sre\n"]);
    expect([...read.paths!.directories[0]!]).toEqual([["policies/roles.yaml", "roles: {}\n"]]);
    expect(asked[0]!.variables).toMatchObject({
      checkName: "hallpass/approval",
      appId: 77,
      f0: "refs/heads/b1:.github/CODEOWNERS",
      d0: "refs/heads/b1:policies",
    });
    await github.upsertCheckRun("h1", "hallpass/approval", {
      status: "completed",
      conclusion: "success",
      title: "Approved by @sam",
      summary: "s",
    });
  });

  it("says there is no check run when the app has none on the head", async () => {
    scope
      .post("/graphql")
      .reply(200, pull(head("h1", { nodes: [], pageInfo: { hasNextPage: false } })));
    expect((await withApp().readPullRequest(7, extras)).checkRun).toBeNull();
  });

  it.each([
    ["its last commit is not the head", head("h0", suites([run(9, "SUCCESS", "ok")]))],
    [
      "there are more check suites than one page",
      head("h1", suites([run(9, "SUCCESS", "ok")], true)),
    ],
  ])("leaves the check run to readCheckRun when %s", async (_, lists) => {
    scope.post("/graphql").reply(200, pull(lists));
    // Without the app's id, the query reads the runs of that name of any app (schema-checked too).
    expect(await github().readPullRequest(7, extras)).not.toHaveProperty("checkRun");
  });

  it("reads teams along with paths, a team GitHub does not show answered as unknown", async () => {
    const members = (logins: string[]) => ({
      team: { members: page(logins.map((login) => ({ login }))) },
    });
    scope.post("/graphql").reply(200, {
      data: {
        repository: { f0: blob("requester: alice\n") },
        t0: members(["sam"]),
        t1: { team: null },
        t2: null,
      },
      errors: [
        { type: "NOT_FOUND", path: ["t2"], message: "Could not resolve to an Organization" },
      ],
    });
    const read = await github().readPaths({
      files: [{ ref: "h1", path: "access-requests/a.yaml" }],
      directories: [],
      teams: [
        { org: "acme", slug: "sre" },
        { org: "acme", slug: "gone" },
        { org: "gone", slug: "sre" },
      ],
    });
    expect(read.files).toEqual(["requester: alice\n"]);
    expect(read.teams).toEqual([["sam"], undefined, undefined]);
  });

  it("answers a team GitHub could not give for another reason as not read (null), to read on its own", async () => {
    scope.post("/graphql").reply(200, {
      data: { repository: { __typename: "Repository" }, t0: { team: null }, t1: null },
      errors: [{ type: "FORBIDDEN", path: ["t1", "team"], message: "Resource not accessible" }],
    });
    const read = await github().readPaths({
      files: [],
      directories: [],
      teams: [
        { org: "acme", slug: "gone" },
        { org: "other", slug: "sre" },
      ],
    });
    expect(read.teams).toEqual([undefined, null]);
  });

  it("leaves rules it cannot read whole to readPaths, which says why", async () => {
    const answer = pull(head("h1", { nodes: [], pageInfo: { hasNextPage: false } }));
    Object.assign(answer.data.repository, {
      f0: { text: null, isBinary: true, isTruncated: false },
      d0: null,
    });
    scope.post("/graphql").reply(200, answer);
    const read = await withApp().readPullRequest(7, extras);
    expect(read).not.toHaveProperty("paths");
    expect(read.checkRun).toBeNull();
  });

  it("fails on any other error of a read with teams", async () => {
    scope.post("/graphql").reply(200, {
      data: null,
      errors: [{ type: "FORBIDDEN", path: ["repository"], message: "Resource not accessible" }],
    });
    await expect(
      github().readPaths({ files: [], directories: [], teams: [{ org: "acme", slug: "sre" }] }),
    ).rejects.toThrow("Resource not accessible");
  });
});
