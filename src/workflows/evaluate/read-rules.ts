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

/**
 * The policies under policies/ at commit `sha`, loaded, through `cache` (by repository and SHA,
 * the key `readRules` fills too).
 */
export function readPolicies(
  github: GitHubPort,
  sha: string,
  cache: KeyValueCache | undefined,
): Promise<ReturnType<typeof loadPolicies>> {
  return cached(cache, `policies:${github.owner}/${github.repo}@${sha}`, async () => {
    const read = await github.readPaths({
      files: [],
      directories: [{ ref: sha, path: "policies" }],
    });
    return loadPolicies(policySources(read.directories[0] ?? new Map()));
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
  const keys = {
    policies: `policies:${repoKey}@${base}`,
    // Compiled once per base commit: every later event on the base only looks up.
    codeowners: `codeowners:${repoKey}@${base}`,
    request: `file:${repoKey}@${pullRequest.headSha}:${requestPath}`,
    twin: `exists:${repoKey}@${base}:${twinPath}`,
  };
  const hit = {
    policies: cache?.get(keys.policies) as Rules["policies"] | undefined,
    codeowners: cache?.get(keys.codeowners) as Rules["codeowners"] | undefined,
    request: cache?.get(keys.request) as string | null | undefined,
    twin: pullRequest.merged ? false : (cache?.get(keys.twin) as boolean | undefined),
  };
  // What the cache does not hold is read in one go (one GraphQL query through the adapter).
  const files = [
    ...(hit.codeowners === undefined
      ? CODEOWNERS_LOCATIONS.map((path) => ({ ref: base, path }))
      : []),
    ...(hit.request === undefined ? [{ ref: pullRequest.headSha, path: requestPath }] : []),
    ...(hit.twin === undefined ? [{ ref: base, path: twinPath }] : []),
  ];
  const directories = hit.policies === undefined ? [{ ref: base, path: "policies" }] : [];
  const read =
    files.length + directories.length > 0
      ? await github.readPaths({ files, directories })
      : { files: [], directories: [] };
  const text = (ref: string, path: string) =>
    read.files[files.findIndex((f) => f.ref === ref && f.path === path)];
  const policies =
    hit.policies ??
    fill(cache, keys.policies, loadPolicies(policySources(read.directories[0] ?? new Map())));
  const codeowners =
    hit.codeowners !== undefined
      ? hit.codeowners
      : fill(
          cache,
          keys.codeowners,
          compileFirstCodeowners((path) => text(base, path)),
        );
  const requestText =
    hit.request !== undefined
      ? hit.request
      : fill(cache, keys.request, text(pullRequest.headSha, requestPath) ?? null);
  const twinAtBase = hit.twin ?? fill(cache, keys.twin, text(base, twinPath) !== undefined);
  return { base, policies, codeowners, requestText, twinPath, twinAtBase };
}

/** `value`, cached under `key`. */
function fill<T>(cache: KeyValueCache | undefined, key: string, value: T): T {
  cache?.set(key, value);
  return value;
}

/** The policy files (`.yml`/`.yaml`) of a `policies/` directory read whole, by path. */
function policySources(directory: Map<string, string>) {
  return [...directory]
    .filter(([path]) => /\.ya?ml$/.test(path))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => ({ path, content }));
}

/** CODEOWNERS compiled from the first location that has one (GitHub's order), or null. */
function compileFirstCodeowners(
  text: (path: string) => string | undefined,
): CodeownersIndex | null {
  for (const path of CODEOWNERS_LOCATIONS) {
    const content = text(path);
    if (content !== undefined) return compileCodeowners(parseCodeowners(path, content));
  }
  return null;
}
