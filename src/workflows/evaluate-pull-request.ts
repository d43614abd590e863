/**
 * Evaluates an access pull request from the API alone (never from memory or the order of
 * events): what it contains, whether the request is valid under the policies of its base
 * commit, who owns it according to CODEOWNERS at its base commit, and whether the approvals
 * on its head commit satisfy the role's rules. Returns data; rendering the check and writing
 * it are separate steps. Works on open, closed and merged pull requests alike.
 */

import { checkEligibility } from "../core/approval/check-eligibility.ts";
import type { PullRequestEvaluation } from "../core/approval/pull-request-evaluation.ts";
import { errorMessage } from "../core/text/error-message.ts";
import type { KeyValueCache } from "../ports/cache.ts";
import type {
  BaseChange,
  GitHubPort,
  PullRequestExtras,
  PullRequestInfo,
  PullRequestSnapshot,
} from "../ports/github.ts";
import { checkPolicies, checkRequest } from "./evaluate/check-request.ts";
import { decide, decisionTitle } from "./evaluate/decide.ts";
import { type EvaluationFailure, failure, isFailure } from "./evaluate/evaluation-failure.ts";
import { collectPushers, findOwners } from "./evaluate/find-owners.ts";
import { findRequestFile } from "./evaluate/find-request-file.ts";
import { readApprovalTerms } from "./evaluate/read-approval-terms.ts";
import {
  checkDefaultBranch,
  type RulesReadAlong,
  readRules,
  rulesToReadAlong,
} from "./evaluate/read-rules.ts";
import { readTeamMembers } from "./evaluate/read-team-members.ts";

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
  /**
   * The app's check name: what its check said on the head is read along with the pull request
   * (`PullRequestEvaluation.previousCheck`).
   */
  checkName?: string;
  /**
   * The commit the event names as the rules' (the pull request's base SHA, or its merge commit
   * once merged): the rules there the cache lacks are read along with the pull request, and
   * used when the pull request really has that base.
   */
  rulesAt?: string;
}

/**
 * Evaluates pull request `pullNumber`. Throws only when the pull request itself (its snapshot:
 * files, commits, reviews, base changes) cannot be read; every later failure (API error,
 * unreadable policy, missing owner) becomes an `error` evaluation with the reason, never an
 * approval.
 */
export async function evaluatePullRequest(
  github: GitHubPort,
  pullNumber: number,
  context: EvaluationContext,
): Promise<PullRequestEvaluation> {
  const rules = rulesToReadAlong(github, context.rulesAt, context.cache);
  const extras: PullRequestExtras = {
    ...(context.checkName !== undefined ? { checkName: context.checkName } : {}),
    ...(rules ? { paths: rules } : {}),
  };
  const snapshot = await github.readPullRequest(pullNumber, extras);
  const { pullRequest } = snapshot;
  const along =
    rules && snapshot.paths
      ? { ref: context.rulesAt!, reads: rules, contents: snapshot.paths }
      : undefined;
  const previousCheck = "checkRun" in snapshot ? { previousCheck: snapshot.checkRun ?? null } : {};
  try {
    return { ...(await evaluate(github, snapshot, context, along)), ...previousCheck };
  } catch (error) {
    return {
      ...empty(pullRequest),
      ...previousCheck,
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

/** The evaluation's steps, each stop an `error` evaluation with what was found so far. */
async function evaluate(
  github: GitHubPort,
  activity: PullRequestSnapshot,
  context: EvaluationContext,
  along: RulesReadAlong | undefined,
): Promise<PullRequestEvaluation> {
  const { cache } = context;
  const { pullRequest } = activity;
  const result = empty(pullRequest);
  const fail = (stop: EvaluationFailure): PullRequestEvaluation => ({
    ...result,
    status: "error",
    title: stop.title,
    reasons: stop.reasons,
    ...(stop.problems ? { problems: stop.problems } : {}),
  });

  // 1. The pull request's files, commits, reviews and base changes were read with it, at one
  // head: the check is written on that head, and approvals count only on it.

  // 2. Find its one new request file.
  const file = findRequestFile(activity.files);
  if (isFailure(file)) return fail(file);
  if (file.kind === "skipped") {
    return {
      ...result,
      status: "skipped",
      title: "Not an access request",
      reasons: [
        "This pull request adds no file under access-requests/; hallpass has nothing to judge.",
      ],
    };
  }
  const requestPath = file.requestPath;
  result.requestPath = requestPath;

  // 3. Read the rules that count: the default branch's, at the base (or merge) commit.
  const wrongBase = await checkDefaultBranch(github, pullRequest, cache);
  if (wrongBase) return fail(wrongBase);
  const rules = await readRules(github, pullRequest, requestPath, cache, along);
  result.rulesSha = rules.base;
  result.baseProblems.push(...rules.policies.problems);

  // 4. Judge the request file under the policies.
  const policies = checkPolicies(pullRequest, requestPath, rules);
  if (isFailure(policies)) return fail(policies);
  result.policies = policies;
  const checked = checkRequest(
    pullRequest,
    requestPath,
    rules,
    policies,
    context.now,
    activity.commits,
  );
  if (isFailure(checked)) return fail(checked);
  result.problems = checked.problems;
  const { request } = checked;
  result.request = request;

  // 5. Find who may approve (CODEOWNERS) and who never can (everyone who pushed).
  const ownership = findOwners(rules.codeowners, requestPath);
  result.baseProblems.push(...ownership.problems);
  result.owners = ownership.owners;
  if ("failure" in ownership) return fail(ownership.failure);
  const pushed = collectPushers(activity.commits);
  if (isFailure(pushed)) return fail(pushed);

  // 6. Read the members of the teams that may approve or request, and check the requester.
  const approval = request.emergency ? request.role.breakGlass!.approval : request.role.approval;
  const owners = ownership.approvers;
  const { eligible } = request.role;
  const teams = await readTeamMembers(
    github,
    { owners, approval, ...(eligible ? { eligible } : {}), base: rules.base },
    cache,
    rules.teamMembers,
  );
  if (isFailure(teams)) return fail(teams);
  const eligibility = checkEligibility(request.request.requester, eligible, teams.teamMembers);
  if (!eligibility.eligible) {
    const title = `@${request.request.requester} may not request ${request.request.role}`;
    return fail(failure(title, [eligibility.reason]));
  }

  // 7. The terms besides the reviews: clock, approvals' age, approval without review.
  const at = {
    pullRequest,
    rulesSha: rules.base,
    now: context.now,
    files: activity.files,
    approval,
  };
  const { terms, autoApprovalNote } = await readApprovalTerms(github, at, request, policies);
  if (autoApprovalNote) result.autoApprovalNote = autoApprovalNote;

  // 8. Decide, on the head the snapshot was read at.
  const decided = decide(pullRequest, {
    ...terms,
    requestPath,
    headSha: pullRequest.headSha,
    requester: request.request.requester,
    author: pullRequest.author,
    pushers: pushed.pushers,
    reviews: activity.reviews,
    dismissals: activity.reviewDismissals,
    baseChangedAt: [...activity.baseChanges, ...(context.baseChanges ?? [])].map((c) => c.at),
    owners,
    teamMembers: teams.teamMembers,
    approval,
  });
  // How the requester was eligible goes into the record with the rest of the decision's basis.
  const decision = eligibility.via
    ? { ...decided, basis: { ...decided.basis, requesterEligibleVia: eligibility.via } }
    : decided;
  return {
    ...result,
    status: decision.status,
    title: decisionTitle(decision, request.emergency),
    reasons: decision.reasons,
    decision,
    approvals: decision.approvals,
  };
}
