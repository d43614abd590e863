/**
 * Step 3 of the evaluation: read the rules the request is judged by (policies and CODEOWNERS on
 * the default branch, at the base or merge commit), the request file at the head, and whether
 * its `.yml`/`.yaml` twin is already at the base.
 */

import { CODEOWNERS_LOCATIONS, parseCodeowners } from "../../core/policy/codeowners.ts";
import { type CodeownersIndex, compileCodeowners } from "../../core/policy/compile-codeowners.ts";
import { loadPolicies } from "../../core/policy/load-policies.ts";
import type { Approval } from "../../core/policy/policy-format.ts";
import { requestTwinPath } from "../../core/request/record-paths.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { KeyValueCache } from "../../ports/cache.ts";
import type {
  GitHubPort,
  PathContents,
  PathReads,
  PullRequestInfo,
  TeamRef,
} from "../../ports/github.ts";
import { cached } from "./cached.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";
import { teamCacheKey, teamsNamed } from "./read-team-members.ts";

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
  /**
   * Teams' members read along with the request file, by `teamKey` (undefined: the team does not
   * exist or is not visible); the teams the evaluation needs and that are not here are read
   * later (`readTeamMembers`).
   */
  teamMembers: ReadonlyMap<string, string[] | undefined>;
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
  return cached(cache, ruleKeys(`${github.owner}/${github.repo}`, sha).policies, async () => {
    const read = await github.readPaths({
      files: [],
      directories: [{ ref: sha, path: "policies" }],
    });
    return loadPolicies(policySources(read.directories[0] ?? new Map()));
  });
}

/** The rules read along with the pull request: `contents` of `reads` (see `rulesReadAlong`). */
export interface RulesReadAlong {
  ref: string;
  reads: PathReads;
  contents: PathContents;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * What the pull request's query can read along for the rules at `rulesAt`, the commit the event
 * names as the base (or merge) commit: CODEOWNERS at every location and policies/, those the
 * cache does not hold yet. Nothing when `rulesAt` is not a commit SHA.
 */
export function rulesToReadAlong(
  github: GitHubPort,
  rulesAt: string | undefined,
  cache: KeyValueCache | undefined,
): PathReads | undefined {
  if (rulesAt === undefined || !FULL_SHA.test(rulesAt)) return undefined;
  const keys = ruleKeys(`${github.owner}/${github.repo}`, rulesAt);
  const files =
    cache?.get(keys.codeowners) === undefined
      ? CODEOWNERS_LOCATIONS.map((path) => ({ ref: rulesAt, path }))
      : [];
  const directories =
    cache?.get(keys.policies) === undefined ? [{ ref: rulesAt, path: "policies" }] : [];
  return files.length + directories.length > 0 ? { files, directories } : undefined;
}

/**
 * The policies and CODEOWNERS that rules read along hold for `base`. Files at a commit SHA never
 * change, so what was read at the SHA the event named is exactly what `base` holds when the
 * two are the same commit; when they differ (the base moved after the event was sent) nothing
 * read along is used, and the rules of the real base are read below as without it.
 */
function rulesReadAt(
  along: RulesReadAlong | undefined,
  base: string,
): { policies?: Rules["policies"]; codeowners?: Rules["codeowners"] } {
  if (!along || along.ref !== base) return {};
  const { reads, contents } = along;
  const file = (path: string) =>
    contents.files[reads.files.findIndex((f) => f.ref === base && f.path === path)];
  const policies = reads.directories.findIndex((d) => d.ref === base && d.path === "policies");
  return {
    ...(reads.files.length > 0 ? { codeowners: compileFirstCodeowners(file) } : {}),
    ...(policies >= 0
      ? { policies: loadPolicies(policySources(contents.directories[policies] ?? new Map())) }
      : {}),
  };
}

/** The cache keys of the rules at `base`. */
function ruleKeys(repoKey: string, base: string) {
  return {
    policies: `policies:${repoKey}@${base}`,
    // Compiled once per base commit: every later event on the base only looks up.
    codeowners: `codeowners:${repoKey}@${base}`,
  };
}

/** Reads the rules of `requestPath` in `pullRequest`, through `cache` and `along` where it can. */
export async function readRules(
  github: GitHubPort,
  pullRequest: PullRequestInfo,
  requestPath: string,
  cache: KeyValueCache | undefined,
  along?: RulesReadAlong,
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
    ...ruleKeys(repoKey, base),
    request: `file:${repoKey}@${pullRequest.headSha}:${requestPath}`,
    twin: `exists:${repoKey}@${base}:${twinPath}`,
  };
  const hit = {
    ...knownRules(rulesReadAt(along, base), keys, cache),
    request: cache?.get(keys.request) as string | null | undefined,
    twin: pullRequest.merged ? false : (cache?.get(keys.twin) as boolean | undefined),
  };
  // What the cache does not hold is read in one go (one GraphQL query through the adapter),
  // with the teams the request may need once the rules are known.
  const files = [
    ...(hit.codeowners === undefined
      ? CODEOWNERS_LOCATIONS.map((path) => ({ ref: base, path }))
      : []),
    ...(hit.request === undefined ? [{ ref: pullRequest.headSha, path: requestPath }] : []),
    ...(hit.twin === undefined ? [{ ref: base, path: twinPath }] : []),
  ];
  const directories = hit.policies === undefined ? [{ ref: base, path: "policies" }] : [];
  // Teams only ride along a read made anyway: alone, they are read once the role is known.
  const teams =
    files.length + directories.length > 0 ? teamsToReadAlong(hit, requestPath, base, cache) : [];
  const read =
    files.length + directories.length + teams.length > 0
      ? await github.readPaths({
          files,
          directories,
          ...(teams.length > 0 ? { teams: teams.map(([, team]) => team) } : {}),
        })
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
  // A team not read here (null) is read later, when the request needs it.
  const found = read.teams ?? [];
  const teamMembers = new Map(
    teams.flatMap(([key], i) => (found[i] === null || i >= found.length ? [] : [[key, found[i]]])),
  );
  return { base, policies, codeowners, requestText, twinPath, twinAtBase, teamMembers };
}

/** The rules known before reading: read along (then cached), or cached. */
function knownRules(
  readAlong: ReturnType<typeof rulesReadAt>,
  keys: ReturnType<typeof ruleKeys>,
  cache: KeyValueCache | undefined,
): { policies: Rules["policies"] | undefined; codeowners: Rules["codeowners"] | undefined } {
  const { policies, codeowners } = readAlong;
  if (policies) cache?.set(keys.policies, policies);
  if (codeowners !== undefined) cache?.set(keys.codeowners, codeowners);
  return {
    policies: policies ?? (cache?.get(keys.policies) as Rules["policies"] | undefined),
    codeowners:
      codeowners !== undefined
        ? codeowners
        : (cache?.get(keys.codeowners) as Rules["codeowners"] | undefined),
  };
}

/**
 * A query reading more teams than this would be heavy (a page of 100 members each): above it,
 * the teams are read once the request's role is known, as without reading them along.
 */
const MAX_TEAMS_ALONG = 20;

/**
 * The teams whose members the request may need, not cached yet, known before the request file
 * is read when the rules are: the CODEOWNERS owners of the request path, and every team any
 * role names (approval, break-glass approval, eligible). Read with the request file, they save
 * the evaluation a read; read in this evaluation, they are as fresh as a read of step 6.
 */
function teamsToReadAlong(
  rules: { policies: Rules["policies"] | undefined; codeowners: Rules["codeowners"] | undefined },
  requestPath: string,
  base: string,
  cache: KeyValueCache | undefined,
): [string, TeamRef][] {
  const policies = rules.policies?.policies;
  if (!policies || !rules.codeowners) return [];
  const owners = rules.codeowners.match(requestPath)?.owners ?? [];
  const approvers = (approval: Approval | undefined) =>
    (approval?.rules ?? []).flatMap((rule) => rule.from ?? []);
  const refs = [
    ...owners.flatMap((o) => (o.kind === "team" ? [`${o.org}/${o.slug}`] : [])),
    ...Object.values(policies.roles).flatMap((role) => [
      ...approvers(role.approval),
      ...approvers(role.breakGlass?.approval),
      ...(role.eligible ?? []),
    ]),
  ];
  const teams = [...teamsNamed(refs)].filter(
    ([key]) => cache?.get(teamCacheKey(key, base)) === undefined,
  );
  return teams.length <= MAX_TEAMS_ALONG ? teams : [];
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
