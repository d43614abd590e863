/**
 * Evaluates an access pull request from the API alone (never from memory or the order of
 * events): what it contains, whether the request is valid under the policies of its base
 * commit, who owns it according to CODEOWNERS at its base commit, and whether the approvals
 * on its head commit satisfy the role's rules. Returns data; rendering the check and writing
 * it are separate steps. Works on open, closed and merged pull requests alike.
 */

import { decideApproval, teamKey } from "../core/approval/decide-approval.ts";
import type { PullRequestEvaluation } from "../core/approval/pull-request-evaluation.ts";
import { CODEOWNERS_LOCATIONS, matchOwners, parseCodeowners } from "../core/policy/codeowners.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import type { Policies } from "../core/policy/policy-format.ts";
import { checkPullRequestContents } from "../core/request/check-pull-request-contents.ts";
import { recordPath, requestTwinPath } from "../core/request/record-paths.ts";
import { parseRequest, validateRequest } from "../core/request/validate-request.ts";
import type { Problem } from "../core/source/problem.ts";
import { errorMessage } from "../core/text/error-message.ts";
import { markdownCode, markdownMention, markdownText } from "../core/text/escape-markdown.ts";
import type { KeyValueCache } from "../ports/cache.ts";
import type { BaseChange, GitHubPort, PullRequestInfo } from "../ports/github.ts";

export type { PullRequestEvaluation };

export interface EvaluationContext {
  /** The evaluation time (request start checks). */
  now: Date;
  /**
   * Cache for what does not change within a commit: policies and CODEOWNERS by base SHA, the
   * request file by head SHA, team members by base SHA (bounded by the cache's TTL).
   */
  cache?: KeyValueCache;
  /**
   * Base changes known from the event being handled (a `pull_request.edited` webhook with
   * `changes.base`), added to those the API lists: GitHub's issue events may lag its webhook.
   */
  baseChanges?: readonly BaseChange[];
}

/** GitHub lists at most 250 commits of a pull request; beyond that we cannot see every pusher. */
const MAX_VISIBLE_COMMITS = 250;

async function cached<T>(
  cache: KeyValueCache | undefined,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  const hit = cache?.get(key);
  if (hit !== undefined) return hit as T;
  const value = await load();
  cache?.set(key, value);
  return value;
}

function httpStatus(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}

/**
 * Evaluates pull request `pullNumber`. Throws only when the pull request itself cannot be
 * read; every later failure (API error, unreadable policy, missing owner) becomes an `error`
 * evaluation with the reason, never an approval.
 */
export async function evaluatePullRequest(
  github: GitHubPort,
  pullNumber: number,
  context: EvaluationContext,
): Promise<PullRequestEvaluation> {
  const pullRequest = await github.getPullRequest(pullNumber);
  try {
    return await evaluate(github, pullRequest, context);
  } catch (error) {
    return {
      ...empty(pullRequest),
      status: "error",
      apiError: errorMessage(error),
      title: "Could not evaluate: GitHub API error",
      reasons: [
        `Reading the pull request from GitHub failed (${errorMessage(error)}). Re-run the check; hallpass never approves what it could not read.`,
      ],
    };
  }
}

function empty(pullRequest: PullRequestInfo): PullRequestEvaluation {
  return {
    status: "error",
    title: "",
    reasons: [],
    pullRequest,
    requestPath: undefined,
    request: undefined,
    policies: undefined,
    decision: undefined,
    approvals: [],
    problems: [],
    baseProblems: [],
    owners: undefined,
  };
}

async function evaluate(
  github: GitHubPort,
  pullRequest: PullRequestInfo,
  context: EvaluationContext,
): Promise<PullRequestEvaluation> {
  const { cache } = context;
  const repoKey = `${github.owner}/${github.repo}`;
  const result = empty(pullRequest);
  const fail = (title: string, reasons: string[]): PullRequestEvaluation => ({
    ...result,
    status: "error",
    title,
    reasons,
  });

  // Unreadable base changes fail the evaluation like unreadable reviews: no approval is
  // counted as given after a base change that could not be seen.
  const [files, commits, reviews, baseChanges] = await Promise.all([
    github.listPullRequestFiles(pullRequest.number),
    github.listPullRequestCommits(pullRequest.number),
    github.listReviews(pullRequest.number),
    github.listBaseChanges(pullRequest.number),
  ]);

  const contents = checkPullRequestContents(files);
  if (contents.kind === "not-access-request") {
    return {
      ...result,
      status: "skipped",
      title: "Not an access request",
      reasons: [
        "This pull request adds no file under access-requests/; hallpass has nothing to judge.",
      ],
    };
  }
  if (contents.kind === "invalid") {
    return {
      ...fail(
        "This pull request must contain exactly one new request file",
        // The message quotes what is wrong with the path (its characters): text, not Markdown.
        contents.reasons.map((r) => `${markdownCode(r.path)} ${markdownText(r.message)}.`),
      ),
      problems: contents.reasons.map((r) => ({
        file: r.path,
        line: 1,
        column: 1,
        severity: "error" as const,
        message: r.message,
      })),
    };
  }
  const requestPath = contents.path;
  result.requestPath = requestPath;

  // Only the default branch's policies and CODEOWNERS count. Anyone who can push a branch
  // could give it lax rules (their own approvers, a role of their making) and then ask for
  // access in a pull request against it; the grant would follow that branch's rules.
  const defaultBranch =
    pullRequest.defaultBranch ??
    (await cached(cache, `default-branch:${repoKey}`, () => github.getDefaultBranch()));
  if (pullRequest.baseRef !== defaultBranch) {
    return fail("An access request must target the default branch", [
      `This pull request targets ${markdownCode(pullRequest.baseRef)}; only requests merged into ${markdownCode(defaultBranch)} are judged and granted, under the policies and CODEOWNERS there. Change the base branch to ${markdownCode(defaultBranch)}.`,
    ]);
  }

  // Policies and CODEOWNERS come from the base commit: the PR must not choose its own rules.
  // Once merged, they come from the merge commit: a PR's base.sha can be far older than the
  // base branch it was merged into, and rules tightened meanwhile must hold at the merge. The
  // merge commit's policies and CODEOWNERS are the base branch's at that moment, since an
  // access PR may change nothing but its one new request file (checked above).
  const base =
    pullRequest.merged && pullRequest.mergeCommitSha
      ? pullRequest.mergeCommitSha
      : pullRequest.baseSha;
  result.rulesSha = base;
  // `x.yml` and `x.yaml` share every record path, so a request whose twin is already at the
  // base could never be granted (the grant refuses at merge): say so before anyone approves.
  // Merged pull requests are left to the grant, which refuses and records why.
  const twinPath = requestTwinPath(requestPath);
  const [loaded, codeownersFile, requestText, twinAtBase] = await Promise.all([
    cached(cache, `policies:${repoKey}@${base}`, async () => {
      const paths = (await github.listFiles(base, "policies")).filter((p) => /\.ya?ml$/.test(p));
      const sources = await Promise.all(
        paths.map(async (path) => ({ path, content: (await github.getFile(base, path)) ?? "" })),
      );
      return loadPolicies(sources);
    }),
    cached(cache, `codeowners:${repoKey}@${base}`, async () => {
      for (const path of CODEOWNERS_LOCATIONS) {
        const text = await github.getFile(base, path);
        if (text !== undefined) return { path, text };
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

  result.baseProblems.push(...loaded.problems);
  if (!loaded.policies) {
    const shape =
      requestText === null ? undefined : parseRequest({ path: requestPath, content: requestText });
    return {
      ...fail("The policies on the base branch are invalid", [
        `The policies under policies/ at ${pullRequest.merged ? "the merge commit" : "the base commit"} ${base.slice(0, 7)} have errors (listed below); fix them in their own pull request, then re-run this check.`,
      ]),
      problems: shape?.problems ?? [],
    };
  }
  const policies: Policies = loaded.policies;
  result.policies = policies;

  if (requestText === null) {
    return fail("The request file could not be read", [
      `${markdownCode(requestPath)} is not in the head commit ${pullRequest.headSha.slice(0, 7)}.`,
    ]);
  }
  if (twinAtBase) {
    const message = `${markdownCode(twinPath)} already exists on ${markdownCode(pullRequest.baseRef)} and shares every record with this file (${markdownCode(recordPath(requestPath, "grant"))}, ...): the extension is not part of a request's name, so this request could never be granted. Rename this file (for example with a \`-2\` suffix) and push again.`;
    return {
      ...fail("The request's name is already taken", [message]),
      problems: [{ file: requestPath, line: 1, column: 1, severity: "error", message }],
    };
  }
  const validated = validateRequest({ path: requestPath, content: requestText }, policies, {
    now: context.now,
  });
  const problems: Problem[] = [...validated.problems];
  // Checked even when other fields are wrong, so the author sees every problem at once.
  const shape = parseRequest({ path: requestPath, content: requestText });
  const requester = shape.parsed?.value.requester;
  if (
    typeof requester === "string" &&
    requester.toLowerCase() !== pullRequest.author.toLowerCase()
  ) {
    const at = shape.parsed?.locate(["requester"]) ?? { line: 1, column: 1 };
    problems.push({
      file: requestPath,
      ...at,
      field: "requester",
      severity: "error",
      message: `the requester must be the author of the pull request (${markdownMention(pullRequest.author)}): ${markdownMention(requester)} must open their own request, so that nobody asks for access in someone else's name.`,
    });
  }
  result.problems = problems;
  if (!validated.value || problems.some((p) => p.severity === "error")) {
    const count = problems.filter((p) => p.severity === "error").length;
    return fail(`The request has ${count} problem${count === 1 ? "" : "s"}`, [
      `Fix the problems annotated in ${markdownCode(requestPath)} and push again.`,
    ]);
  }
  const request = validated.value;
  result.request = request;

  if (codeownersFile === null) {
    return fail("No CODEOWNERS file on the base branch", [
      `hallpass needs CODEOWNERS (at ${CODEOWNERS_LOCATIONS.join(", ")}) on the base branch to know who may approve; add one in its own pull request.`,
    ]);
  }
  const codeowners = parseCodeowners(codeownersFile.path, codeownersFile.text);
  result.baseProblems.push(...codeowners.problems);
  const match = matchOwners(codeowners, requestPath);
  if (match) {
    result.owners = {
      file: codeowners.path,
      line: match.rule.line,
      pattern: match.rule.pattern,
      owners: match.owners,
    };
  }
  if (!match || match.owners.length === 0) {
    return fail("Nobody owns this request file", [
      match
        ? `${markdownCode(codeowners.path)} line ${match.rule.line} (${markdownCode(match.rule.pattern)}) leaves ${markdownCode(requestPath)} without owners; give it owners so that someone can approve.`
        : `No line of ${markdownCode(codeowners.path)} matches ${markdownCode(requestPath)}; add one naming who approves access requests.`,
    ]);
  }

  // The requester names the file, so a general line that wins for some names (`*.yml`, an
  // unanchored `docs/`, a catch-all `*`) would let them pick their approvers by naming it.
  if (!/^\/?access-requests\//.test(match.rule.pattern)) {
    return fail("The request file is not owned by an access-requests/ line", [
      `${markdownCode(codeowners.path)} line ${match.rule.line} (${markdownCode(match.rule.pattern)}) is the last line matching ${markdownCode(requestPath)}, and it is not written for access requests. Only a line whose pattern starts with \`access-requests/\` or \`/access-requests/\` may name their approvers, so that a request cannot pick its approvers by its file name: add or move such a line below the general one, or rename the file.`,
    ]);
  }

  const pushers: string[] = [];
  for (const commit of commits) {
    if (commit.authorLogin === null || commit.committerLogin === null) {
      return fail("A commit cannot be attributed", [
        `Commit ${commit.sha.slice(0, 7)} has an author or committer that GitHub cannot link to an account, so hallpass cannot tell whether a would-be approver pushed to this pull request. Recreate the commit with the email address of your GitHub account.`,
      ]);
    }
    pushers.push(commit.authorLogin, commit.committerLogin);
  }
  if (commits.length >= MAX_VISIBLE_COMMITS) {
    return fail("Too many commits", [
      `GitHub lists at most ${MAX_VISIBLE_COMMITS} commits of a pull request, so hallpass cannot see everyone who pushed; open a new pull request with the request file only.`,
    ]);
  }

  const approval = request.emergency ? request.role.breakGlass!.approval : request.role.approval;
  const teams = new Map<string, { org: string; slug: string }>();
  for (const owner of match.owners) {
    if (owner.kind === "team") teams.set(teamKey(owner.org, owner.slug), owner);
  }
  for (const rule of approval.rules) {
    for (const ref of rule.from ?? []) {
      const [org, slug] = ref.replace(/^@/, "").split("/");
      if (slug !== undefined) teams.set(teamKey(org!, slug), { org: org!, slug });
    }
  }
  const teamMembers: Record<string, string[]> = {};
  try {
    await Promise.all(
      [...teams].map(async ([key, team]) => {
        teamMembers[key] = await cached(cache, `team:${key}@${base}`, () =>
          github.listTeamMembers(team.org, team.slug),
        );
      }),
    );
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 403) {
      return fail("A team could not be read", [
        `A team named in CODEOWNERS or in the role's approval rules does not exist or is not visible to the app (it needs the organization "Members: read" permission): ${errorMessage(error)}.`,
      ]);
    }
    throw error;
  }

  const decision = decideApproval({
    requestPath,
    headSha: pullRequest.headSha,
    requester: request.request.requester,
    author: pullRequest.author,
    pushers,
    reviews,
    baseChangedAt: [...baseChanges, ...(context.baseChanges ?? [])].map((change) => change.at),
    owners: match.owners,
    teamMembers,
    approval,
    ...(pullRequest.merged && pullRequest.mergedAt ? { reviewedBefore: pullRequest.mergedAt } : {}),
  });
  // The reads above are not one snapshot: a push between them could pair the reviews of one
  // head with the files and commits of another. A green check is written only when the head
  // is still the one everything was judged for (the push's own event evaluates the new head).
  if (decision.status === "approved" && !pullRequest.merged) {
    const again = await github.getPullRequest(pullRequest.number);
    if (again.headSha !== pullRequest.headSha || again.baseRef !== pullRequest.baseRef) {
      const moved =
        again.headSha !== pullRequest.headSha
          ? `The head moved from ${pullRequest.headSha.slice(0, 7)} to ${again.headSha.slice(0, 7)}`
          : `The base branch changed from ${markdownCode(pullRequest.baseRef)} to ${markdownCode(again.baseRef)}`;
      return {
        ...result,
        status: "pending",
        title: "The pull request changed while it was evaluated",
        reasons: [
          `${moved} during the evaluation; the pull request is evaluated again on its own event.`,
        ],
        decision,
      };
    }
  }
  // The title names the approvals that counted for a rule; a surplus one (one approval counts
  // for one rule only) is listed under "Not counted" in the summary instead.
  const counted = decision.approvals.filter((a) => a.rules.length > 0);
  const title =
    decision.status === "approved"
      ? `Approved by ${counted.map((a) => `@${a.reviewer}`).join(", ")}`
      : decision.status === "disapproved"
        ? `Changes requested by ${decision.blockedBy.map((b) => `@${b.reviewer}`).join(", ")}`
        : `Waiting for approval: ${decision.reasons.join("; ")}`;
  return {
    ...result,
    status: decision.status,
    title: request.emergency ? `BREAK-GLASS: ${title}` : title,
    reasons: decision.reasons,
    decision,
    approvals: decision.approvals,
  };
}
