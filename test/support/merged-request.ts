import type { PullRequestInfo, Review } from "../../src/ports/github.ts";
import { examplePolicyFiles } from "./example-policies.ts";
import type { FakeGitHub } from "./fake-github.ts";

/**
 * A merged access pull request in a FakeGitHub, as the grant workflow finds it: example
 * policies and CODEOWNERS on the base commit, the request file on the head commit and on main,
 * an approving review from an eligible code owner on the head SHA.
 */

export const BASE_SHA = "ba5e000000000000000000000000000000000001";
export const HEAD_SHA = "bead000000000000000000000000000000000002";
export const MERGE_SHA = "3e76e00000000000000000000000000000000003";
export const MERGED_AT_ISO = "2026-11-26T10:00:00Z";

export const CODEOWNERS = `# access requests are approved by SRE and the DBAs
access-requests/ @acme/sre @acme/dba
`;

export function requestYaml(fields: Record<string, string> = {}): string {
  const all = {
    requester: "alice",
    role: "prod-readonly",
    account: "production",
    duration: "2h",
    reason: "Investigate elevated p99 latency on the checkout API since the deploy.",
    ...fields,
  };
  return `${Object.entries(all)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;
}

export interface MergedRequestOptions {
  number?: number;
  path?: string;
  yaml?: string;
  author?: string;
  reviews?: Review[];
  merged?: boolean;
  mergedAt?: string;
  mergeSha?: string;
  headSha?: string;
}

/** Adds a merged (or open) access PR to `github`; returns its number. */
export function addMergedRequest(github: FakeGitHub, options: MergedRequestOptions = {}): number {
  const number = options.number ?? 7;
  const path = options.path ?? "access-requests/alice-db.yaml";
  const head = options.headSha ?? HEAD_SHA;
  const author = options.author ?? "alice";
  if (!github.trees.has(BASE_SHA)) {
    github.setFiles(BASE_SHA, { ...examplePolicyFiles, ".github/CODEOWNERS": CODEOWNERS });
  }
  if (!github.trees.has("main")) github.copyTree(BASE_SHA, "main");
  const yaml = options.yaml ?? requestYaml();
  github.copyTree(BASE_SHA, head).setFiles(head, { [path]: yaml });
  const merged = options.merged ?? true;
  if (merged) {
    github.setFiles("main", { [path]: yaml });
    // The merge commit: the base branch at the merge plus the request (policies are read here).
    github.copyTree("main", options.mergeSha ?? MERGE_SHA);
  }
  github.teams.set("acme/sre", ["sam", "sue"]);
  github.teams.set("acme/dba", ["dan"]);
  const pull: PullRequestInfo = {
    number,
    url: `https://github.com/acme/access/pull/${number}`,
    state: merged ? "closed" : "open",
    draft: false,
    author,
    title: `Access: ${path}`,
    headSha: head,
    baseSha: BASE_SHA,
    baseRef: "main",
    merged,
    mergeCommitSha: merged ? (options.mergeSha ?? MERGE_SHA) : null,
    mergedAt: merged ? (options.mergedAt ?? MERGED_AT_ISO) : null,
    mergedBy: merged ? author : null,
  };
  github.pulls.set(number, pull);
  github.pullFiles.set(number, [{ path, status: "added" }]);
  github.pullCommits.set(number, [{ sha: head, authorLogin: author, committerLogin: author }]);
  github.reviews.set(
    number,
    options.reviews ?? [
      {
        id: 9001,
        user: "sam",
        state: "APPROVED",
        commitId: head,
        // Five minutes before the merge: reviews after it never count.
        submittedAt: new Date(Date.parse(options.mergedAt ?? MERGED_AT_ISO) - 5 * 60_000)
          .toISOString()
          .replace(".000Z", "Z"),
      },
    ],
  );
  return number;
}
