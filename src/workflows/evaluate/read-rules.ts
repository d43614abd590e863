/**
 * Step 3 of the evaluation: read the rules the request is judged by (policies and CODEOWNERS on
 * the default branch, at the base or merge commit), the request file at the head, and whether
 * its `.yml`/`.yaml` twin is already at the base.
 */

import { CODEOWNERS_LOCATIONS, parseCodeowners } from "../../core/policy/codeowners.ts";
import { type CodeownersIndex, compileCodeowners } from "../../core/policy/compile-codeowners.ts";
import { loadPolicies } from "../../core/policy/load-policies.ts";
import { requestTwinPath } from "../../core/request/record-paths.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { KeyValueCache } from "../../ports/cache.ts";
import type { GitHubPort, PullRequestInfo } from "../../ports/github.ts";
import { cached } from "./cached.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";

/** What the rules and the request file read as, at the commits that count. */
export interface Rules {
  /** The commit policies and CODEOWNERS were read at. */
  base: string;
  policies: ReturnType<typeof loadPolicies>;
  /** CODEOWNERS compiled for lookups; null when the base has no CODEOWNERS file. */
  codeowners: CodeownersIndex | null;
  /** The request file at the head commit; null when it is not there. */
  requestText: string | null;
  twinPath: string;
  /** True when the twin exists at the base of an open pull request. */
  twinAtBase: boolean;
}

/**
 * Only the default branch's policies and CODEOWNERS count. Anyone who can push a branch could
 * give it lax rules (their own approvers, a role of their making) and then ask for access in a
 * pull request against it; the grant would follow that branch's rules. A failure when the pull
 * request targets another branch.
 */
export async function checkDefaultBranch(
  github: GitHubPort,
  pullRequest: PullRequestInfo,
  cache: KeyValueCache | undefined,
): Promise<EvaluationFailure | undefined> {
  const repoKey = `${github.owner}/${github.repo}`;
  const defaultBranch =
    pullRequest.defaultBranch ??
    (await cached(cache, `default-branch:${repoKey}`, () => github.getDefaultBranch()));
  if (pullRequest.baseRef === defaultBranch) return undefined;
  return failure("An access request must target the default branch", [
    `This pull request targets ${markdownCode(pullRequest.baseRef)}; only requests merged into ${markdownCode(defaultBranch)} are judged and granted, under the policies and CODEOWNERS there. Change the base branch to ${markdownCode(defaultBranch)}.`,
  ]);
}

/** The policies under policies/ at commit `sha`, loaded, through `cache` (by repository and SHA). */
export function readPolicies(
  github: GitHubPort,
  sha: string,
  cache: KeyValueCache | undefined,
): Promise<ReturnType<typeof loadPolicies>> {
  return cached(cache, `policies:${github.owner}/${github.repo}@${sha}`, async () => {
    const paths = (await github.listFiles(sha, "policies")).filter((p) => /\.ya?ml$/.test(p));
    const sources = await Promise.all(
      paths.map(async (path) => ({ path, content: (await github.getFile(sha, path)) ?? "" })),
    );
    return loadPolicies(sources);
  });
}

/** Reads the rules of `requestPath` in `pullRequest`, through `cache` where it can. */
export async function readRules(
  github: GitHubPort,
  pullRequest: PullRequestInfo,
  requestPath: string,
  cache: KeyValueCache | undefined,
): Promise<Rules> {
  const repoKey = `${github.owner}/${github.repo}`;
  // Policies and CODEOWNERS come from the base commit: the PR must not choose its own rules.
  // Once merged, they come from the merge commit: a PR's base.sha can be far older than the
  // base branch it was merged into, and rules tightened meanwhile must hold at the merge. The
  // merge commit's policies and CODEOWNERS are the base branch's at that moment, since an
  // access PR may change nothing but its one new request file (checked before).
  const base =
    pullRequest.merged && pullRequest.mergeCommitSha
      ? pullRequest.mergeCommitSha
      : pullRequest.baseSha;
  // `x.yml` and `x.yaml` share every record path, so a request whose twin is already at the
  // base could never be granted (the grant refuses at merge): say so before anyone approves.
  // Merged pull requests are left to the grant, which refuses and records why.
  const twinPath = requestTwinPath(requestPath);
  const [policies, codeowners, requestText, twinAtBase] = await Promise.all([
    readPolicies(github, base, cache),
    // Compiled once per base commit: every later event on the base only looks up.
    cached(cache, `codeowners:${repoKey}@${base}`, async () => {
      for (const path of CODEOWNERS_LOCATIONS) {
        const text = await github.getFile(base, path);
        if (text !== undefined) return compileCodeowners(parseCodeowners(path, text));
      }
      return null;
    }),
    cached(cache, `file:${repoKey}@${pullRequest.headSha}:${requestPath}`, async () => {
      return (await github.getFile(pullRequest.headSha, requestPath)) ?? null;
    }),
    pullRequest.merged
      ? false
      : cached(
          cache,
          `exists:${repoKey}@${base}:${twinPath}`,
          async () => (await github.getFile(base, twinPath)) !== undefined,
        ),
  ]);
  return { base, policies, codeowners, requestText, twinPath, twinAtBase };
}
