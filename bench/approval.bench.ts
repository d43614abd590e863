/**
 * Evaluating a pull request with 100 reviews: the pure decision alone, and the whole
 * evaluation workflow (policies, CODEOWNERS, validation, decision) over an in-memory GitHub
 * port, cold and with the base-commit cache warm. Network time is not included: GitHub's
 * latency is per request, and the app tests count those requests instead.
 */

import { decideApproval, type ReviewInput } from "../src/core/approval/decide-approval.ts";
import { type Owner, parseOwner } from "../src/core/policy/codeowners.ts";
import { createMemoryCache } from "../src/ports/cache.ts";
import type { GitHubPort, Review } from "../src/ports/github.ts";
import { evaluatePullRequest } from "../src/workflows/evaluate-pull-request.ts";
import { timeRuns } from "./measure.ts";

const HEAD = "h".repeat(40);
const BASE = "b".repeat(40);
const PATH = "access-requests/alice-db.yaml";

/** 100 reviews by 40 people: approvals, change requests later approved, comments, stale ones. */
function reviews(): Review[] {
  const states = ["COMMENTED", "CHANGES_REQUESTED", "APPROVED", "DISMISSED", "APPROVED"] as const;
  return Array.from({ length: 100 }, (_, i) => ({
    id: i + 1,
    user: `user-${i % 40}`,
    state: i >= 60 ? "APPROVED" : states[i % states.length]!,
    commitId: i % 7 === 0 && i < 60 ? BASE : HEAD,
    submittedAt: new Date(Date.UTC(2026, 10, 26, 10, 0, i)).toISOString(),
  }));
}

const POLICIES = `accounts:
  production:
    id: "123456789012"
    brokerRole: arn:aws:iam::123456789012:role/hallpass-broker
    regions: [eu-west-1]
identities:
  alice:
    awsPrincipal: arn:aws:iam::123456789012:user/alice
roles:
  db-admin:
    description: Administer the production databases.
    accounts: [production]
    maxDuration: 4h
    permissions:
      statements:
        - actions: ["rds:*"]
    approval:
      rules:
        - name: database
          count: 2
          from: ["@acme/db-admins"]
        - name: security
          count: 1
          from: ["@acme/security"]
settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
`;

const REQUEST = `requester: alice
role: db-admin
account: production
duration: 2h
reason: Investigate the stuck migration on the orders database.
`;

function memoryGitHub(allReviews: Review[]): GitHubPort {
  const files: Record<string, string> = {
    [`${BASE}:policies/main.yaml`]: POLICIES,
    [`${BASE}:CODEOWNERS`]: `* @acme/platform\n/access-requests/ @acme/db-admins @acme/security\n`,
    [`${HEAD}:${PATH}`]: REQUEST,
  };
  const unused = async (): Promise<never> => {
    throw new Error("unused");
  };
  return {
    owner: "acme",
    repo: "access",
    getFile: async (ref, path) => files[`${ref}:${path}`],
    listFiles: async (ref, dir) =>
      Object.keys(files)
        .filter((k) => k.startsWith(`${ref}:${dir}/`))
        .map((k) => k.slice(ref.length + 1)),
    readPaths: async ({ files: reads, directories }) => ({
      files: reads.map((f) => files[`${f.ref}:${f.path}`]),
      directories: directories.map(
        ({ ref, path }) =>
          new Map(
            Object.entries(files)
              .filter(([k]) => k.startsWith(`${ref}:${path}/`))
              .map(([k, v]) => [k.slice(ref.length + 1), v]),
          ),
      ),
    }),
    readPullRequest: async (number) => ({
      pullRequest: {
        number,
        url: "u",
        state: "open",
        draft: false,
        author: "alice",
        title: "t",
        headSha: HEAD,
        baseSha: BASE,
        baseRef: "main",
        defaultBranch: "main",
        merged: false,
        mergeCommitSha: null,
        mergedAt: null,
        mergedBy: null,
      },
      files: [{ path: PATH, status: "added" }],
      commits: [{ sha: HEAD, authorLogin: "alice", committerLogin: "alice" }],
      reviews: allReviews,
      baseChanges: [],
      reviewDismissals: [],
    }),
    listTeamsMembers: async (teams) =>
      teams.map(({ slug }) =>
        Array.from({ length: 20 }, (_, i) => `user-${slug === "security" ? i + 20 : i}`),
      ),
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
}

export async function run(): Promise<void> {
  const all = reviews();
  const owners = ["@acme/db-admins", "@acme/security"].map((t) => parseOwner(t) as Owner);
  const teamMembers = {
    "acme/db-admins": Array.from({ length: 20 }, (_, i) => `user-${i}`),
    "acme/security": Array.from({ length: 20 }, (_, i) => `user-${i + 20}`),
  };
  const input = {
    requestPath: PATH,
    headSha: HEAD,
    requester: "alice",
    author: "alice",
    pushers: ["alice"],
    reviews: all as ReviewInput[],
    owners,
    teamMembers,
    approval: {
      rules: [
        { name: "database", count: 2, from: ["@acme/db-admins"] },
        { name: "security", count: 1, from: ["@acme/security"] },
      ],
    },
  };
  const decision = decideApproval(input);
  const { median: pure } = await timeRuns(500, () => decideApproval(input));
  console.log(
    `decideApproval, 100 reviews by 40 people: median ${(pure * 1000).toFixed(1)} µs (${decision.status}, ${decision.approvals.length} valid approvals, ${decision.approvals.filter((a) => a.rules.length > 0).length} counted for a rule)`,
  );

  const github = memoryGitHub(all);
  const now = new Date("2026-11-26T10:00:00Z");
  const { median: cold } = await timeRuns(50, () => evaluatePullRequest(github, 7, { now }));
  const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
  const evaluation = await evaluatePullRequest(github, 7, { now, cache });
  const { median: warm } = await timeRuns(200, () =>
    evaluatePullRequest(github, 7, { now, cache }),
  );
  console.log(
    `evaluatePullRequest, 100 reviews, in-memory GitHub: cold ${cold.toFixed(2)} ms, warm cache ${warm.toFixed(2)} ms (${evaluation.status})`,
  );
}
