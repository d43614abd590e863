import { createHash } from "node:crypto";
import type nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createOctokitGitHub, type KeyValueCache } from "../../src/adapters/octokit-github.ts";
import { checkGitHubRequests, type RequestRecorder } from "../support/openapi.ts";

const API = "https://api.github.com";
const REPO = "/repos/acme/access";
const BASE_SHA = "ba5e000000000000000000000000000000000001";
const ROOT_SHA = "2007000000000000000000000000000000000002";

function octokit() {
  return new ProbotOctokit({
    auth: { token: "test-token" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

function mapCache(): KeyValueCache & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return { map, get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

let scope: nock.Scope;
let recorder: RequestRecorder;
checkGitHubRequests(API, (fresh, itsRecorder) => {
  scope = fresh;
  recorder = itsRecorder;
});

const github = (options = {}) =>
  createOctokitGitHub(octokit(), { owner: "acme", repo: "access" }, options);

describe("getFile", () => {
  it("returns the raw text of a file at a ref", async () => {
    scope
      .get(`${REPO}/contents/access-requests%2Falice%20db.yaml`)
      .query({ ref: BASE_SHA })
      .matchHeader("accept", /raw/)
      .reply(200, "requester: alice\n", { "content-type": "text/plain" });
    expect(await github().getFile(BASE_SHA, "access-requests/alice db.yaml")).toBe(
      "requester: alice\n",
    );
  });

  it("names a branch in full, so that a tag named like it is not read instead", async () => {
    scope
      .get(`${REPO}/contents/CODEOWNERS`)
      .query({ ref: "refs/heads/main" })
      .reply(200, "* @acme/dba\n", { "content-type": "text/plain" });
    expect(await github().getFile("main", "CODEOWNERS")).toBe("* @acme/dba\n");
  });

  it("gives a binary file as text, never as absent: a binary revocation record still counts", async () => {
    // GitHub answers a raw file that is not UTF-8 text without a charset; Octokit then gives an
    // ArrayBuffer. Reading that as "no file" hid a revocation record from the merge's re-read.
    scope
      .get(`${REPO}/contents/access-requests%2Falice-db.revocation.json`)
      .query({ ref: "refs/heads/main" })
      .reply(200, Buffer.from([0xff, 0x00, 0x7b, 0x7d]), {
        "content-type": "application/octet-stream",
      });
    const text = await github().getFile("main", "access-requests/alice-db.revocation.json");
    expect(text).toBe("\ufffd\u0000{}");
  });

  it("gives a file Octokit parsed as JSON as text, never as absent", async () => {
    scope
      .get(`${REPO}/contents/access-requests%2Falice-db.grant.json`)
      .query({ ref: BASE_SHA })
      .reply(200, { version: 1 }, { "content-type": "application/json; charset=utf-8" });
    const text = await github().getFile(BASE_SHA, "access-requests/alice-db.grant.json");
    expect(JSON.parse(text ?? "null")).toEqual({ version: 1 });
  });

  it("reads a directory as no file", async () => {
    scope
      .get(`${REPO}/contents/access-requests`)
      .query({ ref: BASE_SHA })
      .reply(200, [{ type: "file", name: "a.yaml", path: "access-requests/a.yaml" }]);
    expect(await github().getFile(BASE_SHA, "access-requests")).toBeUndefined();
  });

  it("returns undefined for a missing file", async () => {
    scope.get(`${REPO}/contents/CODEOWNERS`).query(true).reply(404, { message: "Not Found" });
    expect(await github().getFile("abc", "CODEOWNERS")).toBeUndefined();
  });

  it("throws on other errors so callers fail closed", async () => {
    scope.get(`${REPO}/contents/CODEOWNERS`).query(true).reply(500, { message: "boom" });
    await expect(github().getFile("abc", "CODEOWNERS")).rejects.toThrow(/boom/);
  });
});

describe("listFiles", () => {
  it("walks to the directory's tree and lists its files recursively", async () => {
    scope
      .get(`${REPO}/git/trees/${BASE_SHA}`)
      .reply(200, {
        sha: BASE_SHA,
        truncated: false,
        tree: [
          { path: "policies", type: "tree", sha: "t-pol" },
          { path: "README.md", type: "blob", sha: "b0" },
        ],
      })
      .get(`${REPO}/git/trees/t-pol`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t-pol",
        truncated: false,
        tree: [
          { path: "roles.yaml", type: "blob", sha: "b1" },
          { path: "team", type: "tree", sha: "t2" },
          { path: "team/accounts.yaml", type: "blob", sha: "b2" },
        ],
      });
    expect(await github().listFiles(BASE_SHA, "policies")).toEqual([
      "policies/roles.yaml",
      "policies/team/accounts.yaml",
    ]);
  });

  it("starts at a branch's head, read as a branch, so that a tag named like it is not listed instead", async () => {
    scope
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, { ref: "refs/heads/main", object: { sha: BASE_SHA, type: "commit" } })
      .get(`${REPO}/git/trees/${BASE_SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: BASE_SHA, truncated: false, tree: [{ path: "a", type: "blob" }] });
    expect(await github().listFiles("main", "")).toEqual(["a"]);
  });

  it("fails on a missing branch, rather than list it as empty", async () => {
    scope.get(`${REPO}/git/ref/heads%2Fgone`).reply(404, { message: "Not Found" });
    await expect(github().listFiles("gone", "access-requests")).rejects.toThrow(
      "there is no branch gone",
    );
  });

  it("returns [] when the directory does not exist", async () => {
    scope
      .get(`${REPO}/git/trees/${BASE_SHA}`)
      .reply(200, { sha: BASE_SHA, truncated: false, tree: [] });
    expect(await github().listFiles(BASE_SHA, "policies/")).toEqual([]);
  });

  it("walks level by level when the recursive listing is truncated", async () => {
    scope
      .get(`${REPO}/git/trees/${ROOT_SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: ROOT_SHA, truncated: true, tree: [] })
      .get(`${REPO}/git/trees/${ROOT_SHA}`)
      .reply(200, {
        sha: ROOT_SHA,
        truncated: false,
        tree: [
          { path: "a.txt", type: "blob", sha: "b1" },
          { path: "d", type: "tree", sha: "t-d" },
        ],
      })
      .get(`${REPO}/git/trees/t-d`)
      .reply(200, {
        sha: "t-d",
        truncated: false,
        tree: [{ path: "b.txt", type: "blob", sha: "b2" }],
      });
    expect(await github().listFiles(ROOT_SHA, "")).toEqual(["a.txt", "d/b.txt"]);
  });
});

describe("pull requests", () => {
  // Reading them: read-pull-request-graphql.test.ts.
  it("requests reviewers, and does nothing when there is nobody to request", async () => {
    scope
      .post(`${REPO}/pulls/7/requested_reviewers`, {
        reviewers: ["bob"],
        team_reviewers: ["db-admins"],
      })
      .reply(201, {});
    await github().requestReviewers(7, ["bob"], ["db-admins"]);
    await github().requestReviewers(7, [], []);
  });
});

describe("upsertCheckRun", () => {
  const output = {
    status: "completed" as const,
    conclusion: "success" as const,
    title: "Approved",
    summary: "ok",
  };

  it("creates the check run when the commit has none, then remembers its id", async () => {
    const cache = mapCache();
    scope
      .get(`${REPO}/commits/h1/check-runs`)
      .query({ check_name: "hallpass/approval", filter: "latest", per_page: "100", app_id: "42" })
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`, (body) => body.head_sha === "h1" && body.conclusion === "success")
      .reply(201, { id: 99 })
      .patch(`${REPO}/check-runs/99`, (body) => body.conclusion === "failure")
      .reply(200, { id: 99 });
    const gh = github({ appId: 42, cache });
    await gh.upsertCheckRun("h1", "hallpass/approval", output);
    // The second write finds the id in the cache: no lookup.
    await gh.upsertCheckRun("h1", "hallpass/approval", { ...output, conclusion: "failure" });
  });

  it("updates this app's check run, not another app's of the same name", async () => {
    scope
      .get(`${REPO}/commits/h1/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 5, app: { id: 7 }, output: { annotations_count: 0 } },
          { id: 6, app: { id: 42 }, output: { annotations_count: 0 } },
        ],
      })
      .patch(`${REPO}/check-runs/6`)
      .reply(200, { id: 6 });
    await github({ appId: 42 }).upsertCheckRun("h1", "hallpass/approval", output);
  });

  const annotation = (line: number) => ({
    path: "access-requests/a.yaml",
    startLine: line,
    endLine: line,
    level: "failure" as const,
    message: `problem on line ${line}`,
  });
  const failing = { ...output, conclusion: "failure" as const };

  it("updates a run in place without re-sending annotations it already carries", async () => {
    const cache = mapCache();
    scope
      .get(`${REPO}/commits/h1/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`, (b) => b.output.annotations.length === 1)
      .reply(201, { id: 7 })
      .patch(`${REPO}/check-runs/7`, (b) => b.output.annotations === undefined)
      .reply(200, { id: 7 });
    const gh = github({ cache });
    await gh.upsertCheckRun("h1", "n", { ...failing, annotations: [annotation(3)] });
    await gh.upsertCheckRun("h1", "n", { ...failing, annotations: [annotation(3)] });
  });

  it("replaces a run whose annotations changed, since GitHub would append to the old ones", async () => {
    const cache = mapCache();
    scope
      .get(`${REPO}/commits/h1/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [{ id: 7, app: { id: 42 }, output: { annotations_count: 2 } }],
      })
      .post(`${REPO}/check-runs`, (b) => b.output.annotations.length === 1)
      .reply(201, { id: 8 })
      .post(
        `${REPO}/check-runs`,
        (b) => b.output.annotations.length === 0 && b.conclusion === "success",
      )
      .reply(201, { id: 9 });
    const gh = github({ appId: 42, cache });
    await gh.upsertCheckRun("h1", "n", { ...failing, annotations: [annotation(4)] });
    await gh.upsertCheckRun("h1", "n", output);
  });

  it("sends annotations 50 at a time", async () => {
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: "access-requests/a.yaml",
      startLine: i + 1,
      endLine: i + 1,
      level: "failure" as const,
      message: `problem ${i}`,
    }));
    const sizes: number[] = [];
    scope
      .get(`${REPO}/commits/h1/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`, (b) => sizes.push(b.output.annotations.length) > 0)
      .reply(201, { id: 1 })
      .patch(`${REPO}/check-runs/1`, (b) => sizes.push(b.output.annotations.length) > 0)
      .times(2)
      .reply(200, { id: 1 });
    await github().upsertCheckRun("h1", "n", { ...output, conclusion: "failure", annotations });
    expect(sizes).toEqual([50, 50, 20]);
  });
});

describe("upsertComment", () => {
  const marker = "<!-- hallpass:review-request -->";

  it("creates the comment with its marker when there is none", async () => {
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 1, user: { type: "User" }, body: `${marker} pasted by a user` }])
      .post(`${REPO}/issues/7/comments`, { body: `${marker}\nPlease review` })
      .reply(201, { id: 2 });
    await github().upsertComment(7, marker, "Please review");
  });

  it("edits the app's marked comment, and leaves it alone when unchanged", async () => {
    const app = { id: 77 };
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 3, user: { type: "Bot" }, performed_via_github_app: app, body: `${marker}\nold` },
      ])
      .patch(`${REPO}/issues/comments/3`, { body: `${marker}\nnew` })
      .reply(200, {})
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 3, user: { type: "Bot" }, performed_via_github_app: app, body: `${marker}\nnew` },
      ]);
    await github({ appId: 77 }).upsertComment(7, marker, "new");
    await github({ appId: 77 }).upsertComment(7, marker, "new");
  });

  it("without the app's id, takes no comment or issue for its own and posts its own instead", async () => {
    const app = { id: 77 };
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 3, user: { type: "Bot" }, performed_via_github_app: app, body: `${marker}\nold` },
      ])
      .post(`${REPO}/issues/7/comments`, { body: `${marker}\nnew` })
      .reply(201, { id: 4 })
      .get(`${REPO}/issues`)
      .query(true)
      .reply(200, [
        {
          number: 4,
          title: "x",
          user: { type: "Bot" },
          performed_via_github_app: app,
          body: marker,
        },
      ])
      .post(`${REPO}/issues`, { title: "t", body: `${marker}\nbody` })
      .reply(201, { number: 5, html_url: "u5" });
    await github().upsertComment(7, marker, "new");
    await github().upsertIssue(marker, "t", "body");
  });
});

describe("upsertComment after findComment: the comments listed once", () => {
  const marker = "<!-- hallpass:reminder -->";
  const ours = (id: number, body: string) => ({
    id,
    body,
    user: { login: "hallpass[bot]", type: "Bot" },
    performed_via_github_app: { id: 77 },
  });
  const link = (page: number) => ({
    link: `<${API}${REPO}/issues/7/comments?per_page=100&page=${page}>; rel="next"`,
  });

  it("edits the comment found on the last page by its id, without listing again", async () => {
    scope
      .get(`${REPO}/issues/7/comments`)
      .query({ per_page: "100" })
      .reply(200, [{ id: 1, body: marker, user: { login: "mallory", type: "User" } }], link(2))
      .get(`${REPO}/issues/7/comments`)
      .query({ per_page: "100", page: "2" })
      .reply(200, [ours(2, `${marker}\nold`)])
      .patch(`${REPO}/issues/comments/2`, { body: `${marker}\nnew` })
      .reply(200, { id: 2, body: `${marker}\nnew` });
    const port = github({ appId: 77 });
    const found = await port.findComment?.(7, marker);
    expect(found).toEqual({ id: 2, body: `${marker}\nold` });
    expect(await port.upsertComment(7, marker, "new", { found })).toEqual({
      id: 2,
      body: `${marker}\nnew`,
    });
  });

  it("posts when the lookup found none (only someone else's), and returns the new comment's id", async () => {
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 1, body: marker, user: { login: "mallory", type: "User" } }])
      .post(`${REPO}/issues/7/comments`, { body: `${marker}\nfirst` })
      .reply(201, { id: 5, body: `${marker}\nfirst` })
      .patch(`${REPO}/issues/comments/5`, { body: `${marker}\nsecond` })
      .reply(200, { id: 5, body: `${marker}\nsecond` });
    const port = github({ appId: 77 });
    const found = await port.findComment?.(7, marker);
    expect(found).toBeUndefined();
    const written = await port.upsertComment(7, marker, "first", { found });
    expect(written).toEqual({ id: 5, body: `${marker}\nfirst` });
    // What one write returned is the next write's lookup: an edit of it, with no list.
    await port.upsertComment(7, marker, "second", { found: written });
  });

  it("makes no request when the comment found already says it", async () => {
    const found = { id: 2, body: `${marker}\nsame` };
    expect(await github({ appId: 77 }).upsertComment(7, marker, "same", { found })).toEqual(found);
  });
});

describe("upsertComment and upsertIssue with the app's id", () => {
  const marker = "<!-- hallpass:grant -->";
  const ours = { id: 77 };
  const actions = { id: 15368 };

  it("edit only the app's own comment, not another bot's that carries the marker", async () => {
    // A workflow can comment as github-actions[bot]; hallpass must neither edit that comment
    // (GitHub would refuse, and the refusal would hide hallpass's own message) nor trust it.
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        {
          id: 8,
          user: { type: "Bot" },
          performed_via_github_app: actions,
          body: `${marker}\nfake`,
        },
        { id: 9, user: { type: "Bot" }, performed_via_github_app: ours, body: `${marker}\nold` },
      ])
      .patch(`${REPO}/issues/comments/9`, { body: `${marker}\nnew` })
      .reply(200, {})
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        {
          id: 8,
          user: { type: "Bot" },
          performed_via_github_app: actions,
          body: `${marker}\nfake`,
        },
      ])
      .post(`${REPO}/issues/7/comments`, { body: `${marker}\nnew` })
      .reply(201, { id: 10 });
    await github({ appId: 77 }).upsertComment(7, marker, "new");
    await github({ appId: 77 }).upsertComment(7, marker, "new");
  });

  it("update only the app's own issue", async () => {
    scope
      .get(`${REPO}/issues`)
      .query(true)
      .reply(200, [
        {
          number: 4,
          title: "x",
          user: { type: "Bot" },
          performed_via_github_app: actions,
          body: marker,
          html_url: "u4",
        },
      ])
      .post(`${REPO}/issues`, { title: "Alert", body: `${marker}\nbody` })
      .reply(201, { number: 5, html_url: "u5" });
    expect(await github({ appId: 77 }).upsertIssue(marker, "Alert", "body")).toEqual({
      number: 5,
      url: "u5",
    });
  });
});

describe("upsertIssue", () => {
  const marker = "<!-- hallpass:post-incident:7 -->";

  it("creates the issue with labels", async () => {
    scope
      .get(`${REPO}/issues`)
      .query({ state: "open", per_page: "100", labels: "hallpass" })
      .reply(200, [])
      .post(`${REPO}/issues`, { title: "Review", body: `${marker}\nbody`, labels: ["hallpass"] })
      .reply(201, { number: 12, html_url: "https://github.com/acme/access/issues/12" });
    expect(await github().upsertIssue(marker, "Review", "body", ["hallpass"])).toEqual({
      number: 12,
      url: "https://github.com/acme/access/issues/12",
    });
  });

  it("finds the open issue by marker (ignoring pull requests) and updates it", async () => {
    scope
      .get(`${REPO}/issues`)
      .query(true)
      .reply(200, [
        {
          number: 3,
          title: "x",
          user: { type: "Bot" },
          performed_via_github_app: { id: 77 },
          body: marker,
          pull_request: {},
          html_url: "u3",
        },
        {
          number: 4,
          title: "Old",
          user: { type: "Bot" },
          performed_via_github_app: { id: 77 },
          body: `${marker}\nold`,
          html_url: "u4",
        },
      ])
      .patch(`${REPO}/issues/4`, { title: "Review", body: `${marker}\nbody` })
      .reply(200, {});
    expect(await github({ appId: 77 }).upsertIssue(marker, "Review", "body")).toEqual({
      number: 4,
      url: "u4",
    });
  });
});

describe("commitFiles", () => {
  /** Git's blob id of `text`, as GitHub's tree entries give it. */
  const blobId = (text: string) =>
    createHash("sha1")
      .update(`blob ${Buffer.byteLength(text)}\0${text}`)
      .digest("hex");

  function head(sha: string, blobs: Record<string, string | null> = {}) {
    scope
      .post("/graphql", (b) => b.query.includes("ref(qualifiedName:"))
      .reply(200, {
        data: {
          repository: {
            ref: {
              target: {
                oid: sha,
                ...Object.fromEntries(
                  Object.entries(blobs).map(([k, v]) => [k, v === null ? null : { oid: v }]),
                ),
              },
            },
          },
        },
      });
  }

  const stale = (sha: string) => ({
    data: null,
    errors: [
      {
        type: "STALE_DATA",
        message: `Expected branch to point to "${sha}" but it did not.  Pull and try again.`,
      },
    ],
  });

  it("commits on the branch head with one createCommitOnBranch, expecting that head", async () => {
    head("c1", { f0: null });
    scope
      .post("/graphql", (b) => {
        expect(b.variables.input).toEqual({
          branch: { repositoryNameWithOwner: "acme/access", branchName: "main" },
          message: { headline: "grant", body: "details\nmore" },
          fileChanges: {
            additions: [{ path: "a.grant.json", contents: Buffer.from("{}").toString("base64") }],
          },
          expectedHeadOid: "c1",
        });
        return b.query.includes("createCommitOnBranch");
      })
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c2" } } } });
    const message = "grant\n\ndetails\nmore";
    expect(
      await github().commitFiles("main", [{ path: "a.grant.json", content: "{}" }], message),
    ).toBe("c2");
    const read = recorder.requests[0]!.body as { variables: Record<string, string> };
    expect(read.variables).toEqual({
      owner: "acme",
      repo: "access",
      ref: "refs/heads/main",
      p0: "a.grant.json",
    });
  });

  it("retries on the new head when the branch moved", async () => {
    head("c1");
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "c1")
      .reply(200, stale("c1"));
    head("c9");
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "c9")
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c10" } } } });
    expect(await github().commitFiles("main", [{ path: "a", content: "x" }], "m")).toBe("c10");
  });

  it("commits on the head the caller expects without reading the branch first", async () => {
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "m1")
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c2" } } } });
    const files = [{ path: "a", content: "x" }];
    expect(await github().commitFiles("main", files, "m", { expectedHead: "m1" })).toBe("c2");
    expect(recorder.requests).toHaveLength(1);
  });

  it("reads the branch and compares the files when the expected head is not the head", async () => {
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "m1")
      .reply(200, stale("m1"));
    // A concurrent run committed the same content meanwhile: no second, empty commit.
    head("c9", { f0: blobId("x") });
    const files = [{ path: "a", content: "x" }];
    expect(await github().commitFiles("main", files, "m", { expectedHead: "m1" })).toBe("c9");
    head("c9", { f0: null });
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "c9")
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c10" } } } });
    scope
      .post("/graphql", (b) => b.variables.input?.expectedHeadOid === "m1")
      .reply(200, stale("m1"));
    const attempts = github({ commitAttempts: 1 });
    expect(await attempts.commitFiles("main", files, "m", { expectedHead: "m1" })).toBe("c10");
  });

  it("makes no commit when every file already has its content", async () => {
    head("c1", { f0: blobId("x"), f1: blobId("ü\n") });
    const files = [
      { path: "a", content: "x" },
      { path: "b", content: "ü\n" },
    ];
    expect(await github().commitFiles("main", files, "m")).toBe("c1");
  });

  it("commits when one file of several differs", async () => {
    head("c1", { f0: blobId("x"), f1: blobId("old") });
    scope
      .post("/graphql", (b) => b.variables.input?.fileChanges.additions.length === 2)
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c2" } } } });
    const files = [
      { path: "a", content: "x" },
      { path: "b", content: "new" },
    ];
    expect(await github().commitFiles("main", files, "m")).toBe("c2");
  });

  it("gives up after the configured attempts", async () => {
    head("c1");
    scope.post("/graphql", (b) => Boolean(b.variables.input)).reply(200, stale("c1"));
    await expect(
      github({ commitAttempts: 1 }).commitFiles("main", [{ path: "a", content: "x" }], "m"),
    ).rejects.toThrow(/Expected branch to point to/);
  });

  it("does not retry other errors, and fails on a missing branch", async () => {
    head("c1");
    scope
      .post("/graphql", (b) => Boolean(b.variables.input))
      .reply(200, {
        data: null,
        errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }],
      });
    await expect(github().commitFiles("main", [{ path: "a", content: "x" }], "m")).rejects.toThrow(
      /not accessible/,
    );
    scope.post("/graphql").reply(200, { data: { repository: { ref: null } } });
    await expect(github().commitFiles("gone", [{ path: "a", content: "x" }], "m")).rejects.toThrow(
      /Branch gone of acme\/access does not exist/,
    );
  });
});

describe("repository", () => {
  it("reads the default branch and lists open pull requests", async () => {
    scope
      .get(REPO)
      .reply(200, { default_branch: "trunk" })
      .get(`${REPO}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        {
          number: 1,
          html_url: "u",
          state: "open",
          user: { login: "alice" },
          title: "t",
          head: { sha: "h" },
          base: { sha: "b", ref: "trunk" },
          merged_at: null,
          merge_commit_sha: null,
        },
      ]);
    expect(await github().getDefaultBranch()).toBe("trunk");
    const [pull] = await github().listOpenPullRequests();
    expect(pull).toMatchObject({ number: 1, merged: false, draft: false, mergedBy: null });
  });
});

describe("opening a pull request on someone's behalf", () => {
  const pull = (number: number) => ({
    number,
    html_url: `https://github.com/acme/access/pull/${number}`,
    state: "open",
    user: { login: "hallpass[bot]" },
    title: "Access request",
    head: { sha: "h".repeat(40) },
    base: { sha: "b".repeat(40), ref: "main" },
    merged_at: null,
    merge_commit_sha: null,
  });

  it("reads a branch's head, undefined for a missing branch", async () => {
    scope
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, { ref: "refs/heads/main", object: { sha: "abc", type: "commit" } })
      .get(`${REPO}/git/ref/heads%2Fhallpass%2Fissue-12`)
      .reply(404, { message: "Not Found" });
    expect(await github().getBranchHead("main")).toBe("abc");
    expect(await github().getBranchHead("hallpass/issue-12")).toBeUndefined();
  });

  it("creates a branch, and takes one that already exists for made", async () => {
    scope
      .post(`${REPO}/git/refs`, { ref: "refs/heads/hallpass/issue-12", sha: "abc" })
      .reply(201, { ref: "refs/heads/hallpass/issue-12", object: { sha: "abc" } })
      .post(`${REPO}/git/refs`)
      .reply(422, { message: "Reference already exists" })
      .get(`${REPO}/git/ref/heads%2Fhallpass%2Fissue-12`)
      .reply(200, { object: { sha: "def" } });
    await github().createBranch("hallpass/issue-12", "abc");
    await github().createBranch("hallpass/issue-12", "abc");
  });

  it("finds the newest pull request of a branch, open or closed", async () => {
    scope
      .get(`${REPO}/pulls`)
      .query({
        head: "acme:hallpass/issue-12",
        state: "all",
        sort: "created",
        direction: "desc",
        per_page: "1",
      })
      .reply(200, [pull(31)])
      .get(`${REPO}/pulls`)
      .query(true)
      .reply(200, []);
    expect(await github().findPullRequestByBranch("hallpass/issue-12")).toMatchObject({
      number: 31,
      author: "hallpass[bot]",
    });
    expect(await github().findPullRequestByBranch("hallpass/issue-13")).toBeUndefined();
  });

  it("opens a pull request, and answers the one a concurrent delivery opened", async () => {
    const body = {
      head: "hallpass/issue-12",
      base: "main",
      title: "Access request",
      body: "Closes #12",
    };
    scope
      .post(`${REPO}/pulls`, body)
      .reply(201, pull(31))
      .post(`${REPO}/pulls`, body)
      .reply(422, { message: "A pull request already exists for acme:hallpass/issue-12." })
      .get(`${REPO}/pulls`)
      .query(true)
      .reply(200, [pull(31)]);
    const open = {
      branch: "hallpass/issue-12",
      base: "main",
      title: "Access request",
      body: "Closes #12",
    };
    expect(await github().createPullRequest(open)).toMatchObject({ number: 31 });
    expect(await github().createPullRequest(open)).toMatchObject({ number: 31 });
  });
});

describe("the notification reads and the stale request's closing", () => {
  const marker = "<!-- hallpass:reminder -->";
  const bot = { login: "hallpass[bot]", type: "Bot" };

  it("findComment finds only this app's comment with the marker", async () => {
    scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 1, body: `${marker}\nplanted`, user: { login: "mallory", type: "User" } },
        { id: 2, body: `${marker}\nours`, user: bot, performed_via_github_app: { id: 77 } },
      ])
      .get(`${REPO}/issues/8/comments`)
      .query(true)
      .reply(200, [{ id: 3, body: marker, user: { login: "mallory", type: "User" } }]);
    expect(await github({ appId: 77 }).findComment?.(7, marker)).toEqual({
      id: 2,
      body: `${marker}\nours`,
    });
    expect(await github({ appId: 77 }).findComment?.(8, marker)).toBeUndefined();
  });

  it("readCheckRun reads this app's run on the head, uncached", async () => {
    const cache = mapCache();
    for (const conclusion of [null, "success"]) {
      scope
        .get(`${REPO}/commits/abc/check-runs`)
        .query({ check_name: "hallpass/approval", filter: "latest", per_page: "100", app_id: "77" })
        .reply(200, {
          total_count: 2,
          check_runs: [
            { id: 1, app: { id: 99 }, conclusion: "success", output: { title: "other app" } },
            {
              id: 2,
              app: { id: 77 },
              conclusion,
              output: { title: `ours ${conclusion}` },
              external_id: conclusion ? "hallpass:approved-until:2026-11-26T11:00:00.000Z" : "",
            },
          ],
        });
    }
    const port = github({ appId: 77, cache });
    expect(await port.readCheckRun?.("abc", "hallpass/approval")).toEqual({
      conclusion: null,
      title: "ours null",
      id: 2,
      externalId: "",
    });
    expect(await port.readCheckRun?.("abc", "hallpass/approval")).toEqual({
      conclusion: "success",
      title: "ours success",
      id: 2,
      externalId: "hallpass:approved-until:2026-11-26T11:00:00.000Z",
    });
  });

  it("rerequestCheckRun asks GitHub to re-request the run, and throws GitHub's refusal with its status", async () => {
    scope.post(`${REPO}/check-runs/2/rerequest`).reply(201, {});
    await github().rerequestCheckRun?.(2);
    scope.post(`${REPO}/check-runs/3/rerequest`).reply(403, {
      message: "This check run is not rerequestable or does not belong to the authenticated app",
    });
    await expect(github().rerequestCheckRun?.(3)).rejects.toMatchObject({ status: 403 });
  });

  it('upsertCheckRun writes the output\'s external_id, "" included (it clears an earlier one)', async () => {
    const cache = mapCache();
    scope
      .get(`${REPO}/commits/abc/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    scope
      .post(`${REPO}/check-runs`, (body) => body.external_id === "hallpass:approved-until:x")
      .reply(201, { id: 5 });
    scope.patch(`${REPO}/check-runs/5`, (body) => body.external_id === "").reply(200, {});
    scope.patch(`${REPO}/check-runs/5`, (body) => !("external_id" in body)).reply(200, {});
    const port = github({ appId: 77, cache });
    const output = {
      status: "completed" as const,
      conclusion: "success" as const,
      title: "t",
      summary: "s",
    };
    await port.upsertCheckRun("abc", "hallpass/approval", {
      ...output,
      externalId: "hallpass:approved-until:x",
    });
    await port.upsertCheckRun("abc", "hallpass/approval", { ...output, externalId: "" });
    await port.upsertCheckRun("abc", "hallpass/approval", { ...output, conclusion: "failure" });
  });

  it("closePullRequest closes it and nothing else", async () => {
    scope
      .patch(`${REPO}/pulls/7`, (body) => JSON.stringify(body) === '{"state":"closed"}')
      .reply(200, {});
    await github().closePullRequest?.(7);
  });
});
