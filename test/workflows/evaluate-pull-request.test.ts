import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCheck } from "../../src/core/approval/render-check.ts";
import type { CodeownersIndex } from "../../src/core/policy/compile-codeowners.ts";
import { createMemoryCache } from "../../src/ports/cache.ts";
import type { BaseChange, GitHubPort, PullRequestCommit, Review } from "../../src/ports/github.ts";
import { evaluatePullRequest } from "../../src/workflows/evaluate-pull-request.ts";
import { linksIn, textOf } from "../support/render-markdown.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/github/${name}`, import.meta.url), "utf8");

const BASE = "base".padEnd(40, "0");
const HEAD = "head".padEnd(40, "0");
const MERGE = "m".repeat(40);
const PATH = "access-requests/alice-db.yaml";
const NOW = new Date("2026-11-26T10:00:00Z");

interface World {
  merged?: boolean;
  /** Who opened the pull request (default alice, the requester). */
  author?: string;
  /** The branch the PR targets; the repository's default branch is main. */
  baseRef?: string;
  files?: { path: string; status: "added" | "modified" }[];
  commits?: PullRequestCommit[];
  reviews?: Review[];
  /** When the base branch was changed, or an error reading it. */
  baseChanges?: BaseChange[] | Error;
  teams?: Record<string, string[] | Error>;
  /** Files by `ref:path`. */
  repo?: Record<string, string>;
}

/** A fake GitHub port over a world; records every call; any team may be set to fail. */
function fakeGitHub(world: World) {
  const calls: string[] = [];
  const repo: Record<string, string> = world.repo ?? {
    [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
    [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
    [`${HEAD}:${PATH}`]: fixture("db-admin-request.yaml"),
    // The merge commit: the base branch as it was at the merge, plus the request.
    [`${MERGE}:policies/test.yaml`]: fixture("policies.yaml"),
    [`${MERGE}:CODEOWNERS`]: fixture("CODEOWNERS"),
    [`${MERGE}:${PATH}`]: fixture("db-admin-request.yaml"),
  };
  const unused = async (): Promise<never> => {
    throw new Error("not used by the evaluation");
  };
  const github: GitHubPort = {
    owner: "acme",
    repo: "access",
    getFile: unused,
    listFiles: unused,
    // The calls are named per file, directory and team, as the evaluation asks for them.
    async readPaths({ files, directories }) {
      for (const f of files) calls.push(`getFile ${f.ref.slice(0, 4)} ${f.path}`);
      for (const d of directories) calls.push(`listFiles ${d.ref.slice(0, 4)} ${d.path}`);
      return {
        files: files.map((f) => repo[`${f.ref}:${f.path}`]),
        directories: directories.map(
          ({ ref, path }) =>
            new Map(
              Object.entries(repo)
                .filter(([k]) => k.startsWith(`${ref}:${path}/`))
                .map(([k, v]) => [k.slice(ref.length + 1), v]),
            ),
        ),
      };
    },
    async readPullRequest(number) {
      calls.push("readPullRequest");
      if (world.baseChanges instanceof Error) throw world.baseChanges;
      return {
        pullRequest: {
          number,
          url: `https://github.com/acme/access/pull/${number}`,
          state: world.merged ? "closed" : "open",
          draft: false,
          author: world.author ?? "alice",
          title: "t",
          headSha: HEAD,
          baseSha: BASE,
          baseRef: world.baseRef ?? "main",
          defaultBranch: "main",
          merged: world.merged ?? false,
          mergeCommitSha: world.merged ? MERGE : null,
          mergedAt: world.merged ? "2026-11-26T11:00:00Z" : null,
          mergedBy: world.merged ? "sue" : null,
        },
        files: world.files ?? [{ path: PATH, status: "added" }],
        commits: world.commits ?? [{ sha: HEAD, authorLogin: "alice", committerLogin: "alice" }],
        reviews: world.reviews ?? [],
        baseChanges: world.baseChanges ?? [],
        reviewDismissals: [],
      };
    },
    async listTeamsMembers(teams) {
      return teams.map(({ org, slug }) => {
        calls.push(`listTeamMembers ${org}/${slug}`);
        const members = (world.teams ?? { "db-admins": ["dan"], security: ["sue"] })[slug];
        if (members instanceof Error) throw members;
        return members ?? [];
      });
    },
    listOpenPullRequests: unused,
    upsertCheckRun: unused,
    upsertComment: unused,
    requestReviewers: unused,
    upsertIssue: unused,
    commitFiles: unused,
    getDefaultBranch: unused,
    getBranchHead: unused,
    createBranch: unused,
    findPullRequestByBranch: unused,
    createPullRequest: unused,
  };
  return { github, calls };
}

const approvedReviews: Review[] = [
  { id: 1, user: "dan", state: "APPROVED", commitId: HEAD, submittedAt: "2026-11-26T10:01:00Z" },
  { id: 2, user: "sue", state: "APPROVED", commitId: HEAD, submittedAt: "2026-11-26T10:02:00Z" },
];

describe("evaluatePullRequest", () => {
  it("returns the approvals that counted on a merged pull request, for the grant", async () => {
    const { github } = fakeGitHub({ merged: true, reviews: approvedReviews });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("approved");
    expect(evaluation.pullRequest.merged).toBe(true);
    expect(evaluation.requestPath).toBe(PATH);
    expect(evaluation.request?.request.role).toBe("db-admin");
    expect(evaluation.policies?.roles["db-admin"]).toBeDefined();
    expect(evaluation.approvals).toEqual([
      {
        reviewer: "dan",
        reviewId: 1,
        submittedAt: "2026-11-26T10:01:00Z",
        commitId: HEAD,
        rules: ["database"],
        eligibleVia: ["@acme/db-admins"],
      },
      {
        reviewer: "sue",
        reviewId: 2,
        submittedAt: "2026-11-26T10:02:00Z",
        commitId: HEAD,
        rules: ["security"],
        eligibleVia: ["@acme/security"],
      },
    ]);
  });

  it("names in the title only the approvals that counted; a surplus one stays in the summary", async () => {
    const surplus: Review = {
      id: 3,
      user: "ed",
      state: "APPROVED",
      commitId: HEAD,
      submittedAt: "2026-11-26T10:03:00Z",
    };
    const { github } = fakeGitHub({
      reviews: [...approvedReviews, surplus],
      teams: { "db-admins": ["dan", "ed"], security: ["sue"] },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("approved");
    expect(evaluation.approvals?.map((a) => [a.reviewer, a.rules])).toEqual([
      ["dan", ["database"]],
      ["sue", ["security"]],
      ["ed", []],
    ]);
    expect(evaluation.title).toBe("Approved by @dan, @sue");
    const check = renderCheck(evaluation);
    expect(check.title).toBe("Approved by @dan, @sue");
    expect(check.summary).toMatch(/### Not counted\n\n- @ed's approval was not needed/);
  });

  it("reads policies and CODEOWNERS at the base commit and the request at the head", async () => {
    const { github, calls } = fakeGitHub({});
    await evaluatePullRequest(github, 7, { now: NOW });
    expect(calls).toEqual(
      expect.arrayContaining([
        // The directory read whole: its files come with it.
        "listFiles base policies",
        "getFile base .github/CODEOWNERS",
        "getFile base CODEOWNERS",
        `getFile head ${PATH}`,
      ]),
    );
    expect(calls.filter((c) => c.startsWith("getFile head"))).toEqual([`getFile head ${PATH}`]);
  });

  it.each([
    ["a .yml request whose .yaml twin is at the base", "access-requests/alice-db.yml", PATH],
    ["a .yaml request whose .yml twin is at the base", PATH, "access-requests/alice-db.yml"],
  ])("fails %s, at line 1 of the new file", async (_, requestPath, twinPath) => {
    const { github, calls } = fakeGitHub({
      files: [{ path: requestPath, status: "added" }],
      reviews: approvedReviews,
      repo: {
        [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
        [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${BASE}:${twinPath}`]: fixture("db-admin-request.yaml"),
        [`${HEAD}:${requestPath}`]: fixture("db-admin-request.yaml"),
      },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(calls).toContain(`getFile base ${twinPath}`);
    expect(evaluation.status).toBe("error");
    expect(evaluation.title).toBe("The request's name is already taken");
    expect(evaluation.reasons[0]).toContain(`\`${twinPath}\` already exists on \`main\``);
    expect(evaluation.reasons[0]).toContain("access-requests/alice-db.grant.json");
    expect(evaluation.problems).toEqual([
      expect.objectContaining({ file: requestPath, line: 1, severity: "error" }),
    ]);
  });

  it("approves when no twin of the request is at the base, and reads that once per base", async () => {
    const { github, calls } = fakeGitHub({ reviews: approvedReviews });
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    expect((await evaluatePullRequest(github, 7, { now: NOW, cache })).status).toBe("approved");
    await evaluatePullRequest(github, 7, { now: NOW, cache });
    expect(calls.filter((c) => c === "getFile base access-requests/alice-db.yml")).toHaveLength(1);
  });

  it("leaves a merged pull request's twin to the grant, which refuses and records it", async () => {
    const { github, calls } = fakeGitHub({ merged: true, reviews: approvedReviews });
    await evaluatePullRequest(github, 7, { now: NOW });
    expect(calls.filter((c) => c.endsWith("alice-db.yml"))).toEqual([]);
  });

  it("reads nothing that is cached for the same base and head again", async () => {
    const { github, calls } = fakeGitHub({ reviews: approvedReviews });
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    await evaluatePullRequest(github, 7, { now: NOW, cache });
    calls.length = 0;
    const again = await evaluatePullRequest(github, 7, { now: NOW, cache });
    expect(again.status).toBe("approved");
    // The pull request's own snapshot is read afresh on every event; nothing else is.
    expect(calls).toEqual(["readPullRequest"]);
  });

  it("keeps CODEOWNERS compiled per base commit, so later events only look up", async () => {
    const { github } = fakeGitHub({ reviews: approvedReviews });
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    const stored = new Map<string, unknown>();
    const spy = {
      get: (key: string) => cache.get(key),
      set: (key: string, value: unknown) => {
        stored.set(key, value);
        cache.set(key, value);
      },
    };
    await evaluatePullRequest(github, 7, { now: NOW, cache: spy });
    const entries = [...stored].filter(([key]) => key.startsWith("codeowners:"));
    expect(entries).toHaveLength(1);
    const index = entries[0]![1] as CodeownersIndex;
    expect(index.match("access-requests/alice-db.yaml")?.rule.pattern).toMatch(/access-requests/);
    stored.clear();
    expect((await evaluatePullRequest(github, 7, { now: NOW, cache: spy })).status).toBe(
      "approved",
    );
    expect([...stored.keys()].filter((key) => key.startsWith("codeowners:"))).toEqual([]);
  });

  it("reads the policies and CODEOWNERS of a merged pull request at its merge commit, not at a stale base", async () => {
    // The base branch moved on after the PR was opened: security tightened the role to two
    // database approvals. The PR's base.sha still names the older commit.
    const stricter = fixture("policies.yaml").replace(
      "name: database\n          count: 1",
      "name: database\n          count: 2",
    );
    const { github, calls } = fakeGitHub({
      merged: true,
      reviews: approvedReviews,
      teams: { "db-admins": ["dan", "dora"], security: ["sue"] },
      repo: {
        [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
        [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${HEAD}:${PATH}`]: fixture("db-admin-request.yaml"),
        [`${MERGE}:policies/test.yaml`]: stricter,
        [`${MERGE}:CODEOWNERS`]: fixture("CODEOWNERS"),
      },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(calls).toContain("listFiles mmmm policies");
    expect(calls).not.toContain("listFiles base policies");
    expect(evaluation.status).toBe("pending");
    expect(evaluation.reasons).toEqual(["database: needs 1 more approval"]);
  });

  it("never counts a review submitted after the merge", async () => {
    const late: Review = {
      id: 3,
      user: "sue",
      state: "APPROVED",
      commitId: HEAD,
      submittedAt: "2026-11-26T11:00:01Z",
    };
    const { github } = fakeGitHub({ merged: true, reviews: [approvedReviews[0]!, late] });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.decision?.ignored).toEqual([
      { reviewer: "sue", reviewId: 3, reason: "reviewed after the merge (2026-11-26T11:00:00Z)" },
    ]);
  });

  it.each([false, true])(
    "fails a request that targets a branch other than the default branch (merged: %s)",
    async (merged) => {
      // Anyone who can push a branch could give it lax policies and CODEOWNERS, then ask for
      // access in a PR against it: only the default branch's rules count.
      const { github, calls } = fakeGitHub({ merged, baseRef: "lax", reviews: approvedReviews });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("error");
      expect(evaluation.title).toBe("An access request must target the default branch");
      expect(evaluation.reasons[0]).toContain("`lax`");
      expect(calls.some((c) => c.includes("policies"))).toBe(false);
    },
  );

  it.each([
    ["*.yml @acme/platform", "access-requests/alice-db.yml"],
    ["docs/ @acme/platform", "access-requests/docs/alice-db.yaml"],
    ["* @acme/platform", "access-requests/alice-db.yaml"],
  ])(
    "refuses owners from a general CODEOWNERS line (%s) that the file's name happens to match",
    async (line, path) => {
      // The requester names the file: a general pattern that wins for some names would let them
      // pick their approvers (.yml instead of .yaml, a docs/ folder inside access-requests/).
      const codeowners = line.startsWith("*")
        ? `${line}\n`
        : `/access-requests/ @acme/security\n${line}\n`;
      const { github } = fakeGitHub({
        files: [{ path, status: "added" }],
        reviews: approvedReviews,
        repo: {
          [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
          [`${BASE}:CODEOWNERS`]: codeowners,
          [`${HEAD}:${path}`]: fixture("db-admin-request.yaml"),
        },
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("error");
      expect(evaluation.title).toBe("The request file is not owned by an access-requests/ line");
      expect(evaluation.reasons[0]).toContain(`\`${line.split(" ")[0]}\``);
    },
  );

  it("quotes a hostile request path whole in the check, linking nowhere", async () => {
    // The check refuses the path; its reason quotes the path and its characters.
    const path = "access-requests/[x](https:/evil.example)`y.yaml";
    const { github } = fakeGitHub({
      files: [{ path, status: "added" }],
      reviews: approvedReviews,
      repo: {
        [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
        [`${BASE}:CODEOWNERS`]: "/access-requests/ @acme/platform\n",
        [`${HEAD}:${path}`]: fixture("db-admin-request.yaml"),
      },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("error");
    const { summary } = renderCheck(evaluation);
    expect(linksIn(summary)).toEqual([]);
    expect(textOf(summary)).toContain(`${path} has characters other than`);
    expect(textOf(summary)).toContain('("[", "]", "(", ":", ")", "`")');
  });

  it.each([false, true])(
    "does not count approvals given before the base branch was changed (merged: %s)",
    async (merged) => {
      // dan approved at 10:01 and sue at 10:02; the base changed in between.
      const { github, calls } = fakeGitHub({
        merged,
        reviews: approvedReviews,
        baseChanges: [{ at: "2026-11-26T10:01:30Z" }],
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(calls).toContain("readPullRequest");
      expect(evaluation.status).toBe("pending");
      expect(evaluation.approvals.map((a) => a.reviewer)).toEqual(["sue"]);
      expect(evaluation.reasons[0]).toBe(
        "the base branch was changed (2026-11-26T10:01:30.000Z) after 1 approval, which no longer counts",
      );
      const summary = renderCheck(evaluation).summary;
      expect(summary).toContain("@dan's review does not count: approved before the base branch");
    },
  );

  it("counts a base change the event told of before the API lists it", async () => {
    const { github } = fakeGitHub({ reviews: approvedReviews });
    const evaluation = await evaluatePullRequest(github, 7, {
      now: NOW,
      baseChanges: [{ at: "2026-11-26T10:05:00Z" }],
    });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.approvals).toEqual([]);
  });

  it("fails closed when the base branch changes cannot be read", async () => {
    const { github } = fakeGitHub({
      reviews: approvedReviews,
      baseChanges: new Error("502 Bad Gateway"),
    });
    // Read with the pull request: nothing is evaluated, and the handler writes a failed check.
    await expect(evaluatePullRequest(github, 7, { now: NOW })).rejects.toThrow("502 Bad Gateway");
  });

  it("fails closed when a team cannot be read", async () => {
    const notFound = Object.assign(new Error("Not Found"), { status: 404 });
    const { github } = fakeGitHub({
      reviews: approvedReviews,
      teams: { "db-admins": ["dan"], security: notFound },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.title).toBe("A team could not be read");
    expect(evaluation.approvals).toEqual([]);
  });

  it("fails closed on any other API error, with the reason", async () => {
    const { github } = fakeGitHub({
      reviews: approvedReviews,
      teams: { "db-admins": new Error("socket hang up") },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.reasons[0]).toContain("socket hang up");
  });

  it("fails closed when GitHub cannot list every commit", async () => {
    const commits = Array.from({ length: 250 }, (_, i) => ({
      sha: String(i).padStart(40, "0"),
      authorLogin: "alice",
      committerLogin: "alice",
    }));
    const { github } = fakeGitHub({ commits, reviews: approvedReviews });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.title).toBe("Too many commits");
  });

  describe("who may request a role", () => {
    const eligibleTo = (list: string) => {
      const policies = fixture("policies.yaml").replace(
        "    accounts: [production]\n    maxDuration: 4h\n",
        `    accounts: [production]\n    maxDuration: 4h\n    eligible: ${list}\n`,
      );
      return {
        [`${BASE}:policies/test.yaml`]: policies,
        [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${HEAD}:${PATH}`]: fixture("db-admin-request.yaml"),
        [`${MERGE}:policies/test.yaml`]: policies,
        [`${MERGE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${MERGE}:${PATH}`]: fixture("db-admin-request.yaml"),
      };
    };

    it("refuses a requester the role does not list, naming who is eligible, however approved, also at merge", async () => {
      for (const merged of [false, true]) {
        const { github } = fakeGitHub({
          merged,
          reviews: approvedReviews,
          repo: eligibleTo('["@acme/sre", "@bob"]'),
          teams: { "db-admins": ["dan"], security: ["sue"], sre: ["sam"] },
        });
        const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
        expect(evaluation.status).toBe("error");
        expect(evaluation.title).toBe("@alice may not request db-admin");
        expect(evaluation.reasons[0]).toContain("only @acme/sre or @bob may");
        expect(evaluation.approvals).toEqual([]);
      }
    });

    it("admits a requester who is in a listed team", async () => {
      const { github, calls } = fakeGitHub({
        reviews: approvedReviews,
        repo: eligibleTo('["@acme/sre"]'),
        teams: { "db-admins": ["dan"], security: ["sue"], sre: ["alice"] },
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("approved");
      expect(calls).toContain("listTeamMembers acme/sre");
      // The grant record keeps how, for `hallpass verify` (team membership is not in git).
      expect(evaluation.decision?.basis.requesterEligibleVia).toEqual(["@acme/sre"]);
    });

    it("fails closed when a listed team cannot be read", async () => {
      const notFound = Object.assign(new Error("Not Found"), { status: 404 });
      const { github } = fakeGitHub({
        reviews: approvedReviews,
        repo: eligibleTo('["@acme/sre"]'),
        teams: { "db-admins": ["dan"], security: ["sue"], sre: notFound },
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("error");
      expect(evaluation.title).toBe("A team could not be read");
    });
  });

  it("uses the break-glass approval rule for an emergency request", async () => {
    const emergency = `${fixture("db-admin-request.yaml").replace("duration: 2h", "duration: 1h")}emergency: true\n`;
    const { github } = fakeGitHub({
      reviews: [approvedReviews[0]!],
      repo: {
        [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
        [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${HEAD}:${PATH}`]: emergency,
      },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("approved");
    expect(evaluation.request?.emergency).toBe(true);
    expect(evaluation.title).toBe("BREAK-GLASS: Approved by @dan");
  });

  it("reports a request for another person together with the file's other problems", async () => {
    const forBob = fixture("db-admin-request.yaml")
      .replace("requester: alice", "requester: bob")
      .replace("duration: 2h", "duration: 99h");
    const { github } = fakeGitHub({
      repo: {
        [`${BASE}:policies/test.yaml`]: fixture("policies.yaml"),
        [`${BASE}:CODEOWNERS`]: fixture("CODEOWNERS"),
        [`${HEAD}:${PATH}`]: forBob,
      },
    });
    const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.problems.map((p) => [p.field, p.line])).toEqual(
      expect.arrayContaining([
        ["duration", 4],
        ["requester", 1],
      ]),
    );
    expect(evaluation.title).toBe("The request has 2 problems");
  });

  describe("a request the app opened for its requester (from the issue form)", () => {
    const APP = "hallpass[bot]";
    const appCommit = {
      sha: HEAD,
      authorLogin: APP,
      committerLogin: "web-flow",
      signedByGitHub: true,
    };
    const cases: [string, PullRequestCommit[]][] = [
      ["its own signed commit", [appCommit]],
      [
        "its commit, then one of the requester's",
        [appCommit, { sha: "c2", authorLogin: "alice", committerLogin: "web-flow" }],
      ],
    ];
    for (const [name, commits] of cases) {
      it(`is judged as if the requester had opened it: ${name}`, async () => {
        const { github } = fakeGitHub({ author: APP, commits, reviews: approvedReviews });
        const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
        expect(evaluation.status).toBe("approved");
        expect(evaluation.decision?.excluded).toEqual([]);
      });
    }

    it("never lets the requester approve it", async () => {
      const { github } = fakeGitHub({
        author: APP,
        commits: [appCommit],
        teams: { "db-admins": ["dan", "alice"], security: ["sue"] },
        reviews: [{ ...approvedReviews[0]!, user: "alice" }, approvedReviews[1]!],
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("pending");
      expect(evaluation.decision?.excluded).toEqual([
        { login: "alice", reason: "is the requester" },
      ]);
    });

    const refused: [string, PullRequestCommit[], string][] = [
      [
        "a commit by someone else",
        [appCommit, { sha: "c0ffee1", authorLogin: "mallory", committerLogin: "web-flow" }],
        "commit c0ffee1 is by @mallory and @web-flow",
      ],
      [
        "a commit claiming the app without GitHub's signature",
        [{ ...appCommit, sha: "c0ffee2", signedByGitHub: false }],
        "commit c0ffee2 names `hallpass[bot]` as its author without GitHub's own signature",
      ],
      [
        "a commit nobody can be linked to",
        [appCommit, { sha: "c0ffee3", authorLogin: null, committerLogin: "alice" }],
        "commit c0ffee3 is by an unlinked account and @alice",
      ],
    ];
    for (const [name, commits, says] of refused) {
      it(`fails closed on ${name}, however approved, also at merge`, async () => {
        for (const merged of [false, true]) {
          const { github } = fakeGitHub({ author: APP, merged, commits, reviews: approvedReviews });
          const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
          expect(evaluation.status).toBe("error");
          const problem = evaluation.problems.find((p) => p.field === "requester");
          expect(problem?.message).toContain(says);
          expect(evaluation.approvals).toEqual([]);
        }
      });
    }

    it("is another person's request when a bot other than the policies' app opened it", async () => {
      const { github } = fakeGitHub({
        author: "other-app[bot]",
        commits: [{ ...appCommit, authorLogin: "other-app[bot]" }],
        reviews: approvedReviews,
      });
      const evaluation = await evaluatePullRequest(github, 7, { now: NOW });
      expect(evaluation.status).toBe("error");
      expect(evaluation.problems.find((p) => p.field === "requester")?.message).toContain(
        "the requester must be the author of the pull request (@other-app[bot])",
      );
    });
  });
});
