/**
 * Evaluates an access pull request from the API alone (never from memory or the order of
 * events): what it contains, whether the request is valid under the policies of its base
 * commit, who owns it according to CODEOWNERS at its base commit, and whether the approvals
 * on its head commit satisfy the role's rules. Returns data; rendering the check and writing
 * it are separate steps. Works on open, closed and merged pull requests alike.
 */

import { checkEligibility } from "../core/approval/check-eligibility.ts";
import type { PullRequestEvaluation } from "../core/approval/pull-request-evaluation.ts";
import type { Owner } from "../core/policy/codeowners.ts";
import type { Approval, Policies } from "../core/policy/policy-format.ts";
import type { ValidatedRequest } from "../core/request/validate-request.ts";
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
  type Rules,
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
  const along =
    rules && snapshot.paths
      ? { ref: context.rulesAt!, reads: rules, contents: snapshot.paths }
      : undefined;
  return evaluateSnapshot(github, snapshot, context, along);
}

/**
 * Evaluates a pull request whose snapshot its caller has just read (`readPullRequest`), as
 * `evaluatePullRequest` does after reading it: the sweep reads a due pull request's reviews
 * first, and evaluates it only when a reminder or closing is due.
 */
export async function evaluateSnapshot(
  github: GitHubPort,
  snapshot: PullRequestSnapshot,
  context: EvaluationContext,
  along?: RulesReadAlong,
): Promise<PullRequestEvaluation> {
  const { pullRequest } = snapshot;
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

/**
 * The evaluation's stages. Each records what it found in `found` as it goes, so that a stop
 * (an `error` evaluation) still shows what was found before it.
 */
async function evaluate(
  github: GitHubPort,
  activity: PullRequestSnapshot,
  context: EvaluationContext,
  along: RulesReadAlong | undefined,
): Promise<PullRequestEvaluation> {
  const found = empty(activity.pullRequest);
  const stop = (why: EvaluationFailure) => stopped(found, why);

  // 1. The pull request's files, commits, reviews and base changes were read with it, at one
  // head: the check is written on that head, and approvals count only on it.

  // 2. Find its one new request file.
  const file = findRequestFile(activity.files);
  if (isFailure(file)) return stop(file);
  if (file.kind === "skipped") return notAnAccessRequest(found);
  found.requestPath = file.requestPath;

  // 3-4. Read the rules that count and judge the request file under them.
  const judged = await judgeRequest(github, activity, file.requestPath, context, along, found);
  if (isFailure(judged)) return stop(judged);

  // 5-6. Find who may approve, who never can, and whether the requester may ask.
  const approvers = await findApprovers(github, activity, judged, context.cache, found);
  if (isFailure(approvers)) return stop(approvers);

  // 7-8. Read the terms besides the reviews, then decide on the head.
  return decideOnHead(github, activity, context, judged, approvers, found);
}

/** `found` stopped by `why`: an `error` evaluation with what was found so far. */
function stopped(found: PullRequestEvaluation, why: EvaluationFailure): PullRequestEvaluation {
  return {
    ...found,
    status: "error",
    title: why.title,
    reasons: why.reasons,
    ...(why.problems ? { problems: why.problems } : {}),
  };
}

function notAnAccessRequest(found: PullRequestEvaluation): PullRequestEvaluation {
  return {
    ...found,
    status: "skipped",
    title: "Not an access request",
    reasons: [
      "This pull request adds no file under access-requests/; hallpass has nothing to judge.",
    ],
  };
}

/** The request judged under the rules that count, with those rules and policies. */
interface JudgedRequest {
  rules: Rules;
  policies: Policies;
  request: ValidatedRequest;
}

/**
 * Stages 3 and 4: reads the rules that count (the default branch's, at the base or merge
 * commit) and judges the request file at `requestPath` under them.
 */
async function judgeRequest(
  github: GitHubPort,
  activity: PullRequestSnapshot,
  requestPath: string,
  context: EvaluationContext,
  along: RulesReadAlong | undefined,
  found: PullRequestEvaluation,
): Promise<JudgedRequest | EvaluationFailure> {
  const { pullRequest } = activity;
  const wrongBase = await checkDefaultBranch(github, pullRequest, context.cache);
  if (wrongBase) return wrongBase;
  const rules = await readRules(github, pullRequest, requestPath, context.cache, along);
  found.rulesSha = rules.base;
  found.baseProblems.push(...rules.policies.problems);

  const policies = checkPolicies(pullRequest, requestPath, rules);
  if (isFailure(policies)) return policies;
  found.policies = policies;
  const checked = checkRequest(
    pullRequest,
    requestPath,
    rules,
    policies,
    context.now,
    activity.commits,
  );
  if (isFailure(checked)) return checked;
  found.problems = checked.problems;
  found.request = checked.request;
  return { rules, policies, request: checked.request };
}

/** Who may approve the request, who never can, and how its requester is eligible. */
interface Approvers {
  /** The approval that counts: the role's, or break-glass's for an emergency. */
  approval: Approval;
  owners: Owner[];
  pushers: string[];
  teamMembers: Record<string, string[]>;
  /** How the requester is eligible, when the role lists who is. */
  eligibleVia: string[] | undefined;
}

/**
 * Stages 5 and 6: finds who may approve (CODEOWNERS) and who never can (everyone who pushed),
 * reads the members of the teams that may approve or request, and checks the requester.
 */
async function findApprovers(
  github: GitHubPort,
  activity: PullRequestSnapshot,
  { rules, request }: JudgedRequest,
  cache: KeyValueCache | undefined,
  found: PullRequestEvaluation,
): Promise<Approvers | EvaluationFailure> {
  const ownership = findOwners(rules.codeowners, request.path);
  found.baseProblems.push(...ownership.problems);
  found.owners = ownership.owners;
  if ("failure" in ownership) return ownership.failure;
  const pushed = collectPushers(activity.commits);
  if (isFailure(pushed)) return pushed;

  const approval = request.emergency ? request.role.breakGlass!.approval : request.role.approval;
  const owners = ownership.approvers;
  const { eligible } = request.role;
  const teams = await readTeamMembers(
    github,
    { owners, approval, ...(eligible ? { eligible } : {}), base: rules.base },
    cache,
    rules.teamMembers,
  );
  if (isFailure(teams)) return teams;
  const { requester, role } = request.request;
  const eligibility = checkEligibility(requester, eligible, teams.teamMembers);
  if (!eligibility.eligible) {
    return failure(`@${requester} may not request ${role}`, [eligibility.reason]);
  }
  const { teamMembers } = teams;
  return { approval, owners, pushers: pushed.pushers, teamMembers, eligibleVia: eligibility.via };
}

/**
 * Stages 7 and 8: reads the terms besides the reviews (clock, approvals' age, approval without
 * review), then decides on the head the snapshot was read at.
 */
async function decideOnHead(
  github: GitHubPort,
  activity: PullRequestSnapshot,
  context: EvaluationContext,
  { rules, policies, request }: JudgedRequest,
  approvers: Approvers,
  found: PullRequestEvaluation,
): Promise<PullRequestEvaluation> {
  const { pullRequest } = activity;
  const { approval } = approvers;
  const at = {
    pullRequest,
    rulesSha: rules.base,
    now: context.now,
    files: activity.files,
    approval,
  };
  const { terms, autoApprovalNote } = await readApprovalTerms(github, at, request, policies);
  if (autoApprovalNote) found.autoApprovalNote = autoApprovalNote;

  const decided = decide(pullRequest, {
    ...terms,
    requestPath: request.path,
    headSha: pullRequest.headSha,
    requester: request.request.requester,
    author: pullRequest.author,
    pushers: approvers.pushers,
    reviews: activity.reviews,
    dismissals: activity.reviewDismissals,
    baseChangedAt: [...activity.baseChanges, ...(context.baseChanges ?? [])].map((c) => c.at),
    owners: approvers.owners,
    teamMembers: approvers.teamMembers,
    approval,
  });
  // How the requester was eligible goes into the record with the rest of the decision's basis.
  const via = approvers.eligibleVia;
  const decision = via
    ? { ...decided, basis: { ...decided.basis, requesterEligibleVia: via } }
    : decided;
  return {
    ...found,
    status: decision.status,
    title: decisionTitle(decision, request.emergency),
    reasons: decision.reasons,
    decision,
    approvals: decision.approvals,
  };
}
