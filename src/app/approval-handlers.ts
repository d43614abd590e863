/**
 * The approval side of the app: every event that can change a request's approval state
 * re-evaluates the pull request from the API and writes the one `hallpass/approval` check run
 * on its head SHA. Handlers only filter events and delegate to the workflow; the same
 * evaluation is made whatever the order of events and however often one is redelivered.
 */

import type { Context, Probot } from "probot";
import { describeRoleAccess, type RoleAccess } from "../core/approval/describe-role-access.ts";
import { CHECK_NAME, renderCheck } from "../core/approval/render-check.ts";
import {
  REVIEW_REQUEST_MARKER,
  renderReviewRequest,
} from "../core/approval/render-review-request.ts";
import { renderPostIncidentIssue } from "../core/sweep/render-post-incident-issue.ts";
import { markdownCode } from "../core/text/escape-markdown.ts";
import type { BaseChange, CheckRunOutput, GitHubPort } from "../ports/github.ts";
import {
  evaluatePullRequest,
  type PullRequestEvaluation,
} from "../workflows/evaluate-pull-request.ts";
import {
  announcement,
  readPreviousCheck,
  tellAwaitingReview,
  tellReviewMoment,
} from "../workflows/notify/tell-review.ts";
import { type AppDeps, grantsOnMerge, isAccessRepository } from "./app-deps.ts";
import {
  checkEventShape,
  checkRunEventShape,
  mergeGroupEventShape,
  pullRequestEventShape,
  pullRequestReviewEventShape,
} from "./event-shapes.ts";

/** Pull request actions that can change what the PR contains, its state or its base. */
const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.edited",
  "pull_request.ready_for_review",
  "pull_request.closed",
] as const;

/** Review actions that can change a reviewer's opinion. */
const REVIEW_EVENTS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

/** Actions after which the eligible owners are asked (again) to review. */
const ASK_FOR_REVIEW = new Set(["opened", "reopened", "ready_for_review"]);

/** The PR number of a merge queue branch: `refs/heads/gh-readonly-queue/main/pr-123-<sha>`. */
export function pullNumberOfMergeQueueRef(ref: string): number | undefined {
  const match = /gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]+$/.exec(ref);
  return match ? Number(match[1]) : undefined;
}

function errorOutput(error: unknown): CheckRunOutput {
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: "completed",
    conclusion: "failure",
    title: "Could not evaluate this pull request",
    summary: `hallpass could not read this pull request from GitHub (${message}). It never approves what it could not read: re-run the check.`,
  };
}

/**
 * Runs tasks with the same key one after another. Two events for one PR evaluated at once
 * could write their checks in the opposite order of their reads, leaving an older decision
 * on top; in one process, this makes the last evaluation the last write. (Across Lambda
 * containers the race remains; the grant workflow re-evaluates at merge, so a stale green
 * check can never create a grant.)
 */
export function createSerializer() {
  const tails = new Map<string, Promise<unknown>>();
  return async function serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/**
 * Evaluates a pull request and writes its check on its head SHA (and on `extraSha`, a merge
 * group commit). When the PR itself cannot be read, writes a failing check on `fallbackSha`.
 * `baseChanges` are changes of the base branch that the event itself reports.
 */
type Report = (
  github: GitHubPort,
  pullNumber: number,
  fallbackSha: string,
  options?: { extraSha?: string; baseChanges?: BaseChange[]; rulesAt?: string },
) => Promise<PullRequestEvaluation>;

/** What every approval handler is given: its event's port, whether it is ours, the reporter. */
interface Handling {
  deps: AppDeps;
  portFor: (context: Context) => GitHubPort;
  ours: (context: Context) => boolean;
  report: Report;
}

export function registerApprovalHandlers(app: Probot, deps: AppDeps): void {
  const handling: Handling = {
    deps,
    portFor: (context) => deps.github(context.octokit, context.repo()),
    ours: (context) => isAccessRepository(deps, context.repo()),
    report: createReporter(deps, (message) => app.log.warn(message)),
  };
  app.on([...PULL_REQUEST_EVENTS], (context) => onPullRequest(handling, context));
  app.on([...REVIEW_EVENTS], (context) => onReview(handling, context));
  app.on("check_run.rerequested", (context) => onCheckRunRerequested(handling, context));
  app.on("merge_group.checks_requested", (context) => onMergeGroup(handling, context));
}

/** The reporter of `deps`: one evaluation at a time per pull request (see createSerializer). */
function createReporter(deps: AppDeps, warn: (message: string) => void): Report {
  const serialize = createSerializer();
  return (github, pullNumber, fallbackSha, options = {}) =>
    serialize(`${github.owner}/${github.repo}#${pullNumber}`, () =>
      evaluateAndReport({ deps, warn }, github, pullNumber, fallbackSha, options),
    );
}

async function evaluateAndReport(
  { deps, warn }: { deps: AppDeps; warn: (message: string) => void },
  github: GitHubPort,
  pullNumber: number,
  fallbackSha: string,
  {
    extraSha,
    baseChanges,
    rulesAt,
  }: { extraSha?: string; baseChanges?: BaseChange[]; rulesAt?: string },
): Promise<PullRequestEvaluation> {
  let evaluation: PullRequestEvaluation;
  try {
    evaluation = await evaluatePullRequest(github, pullNumber, {
      now: deps.now(),
      cache: deps.cache,
      // Read along with the pull request: what its check said, and the rules the event names.
      checkName: CHECK_NAME,
      ...(rulesAt ? { rulesAt } : {}),
      ...(baseChanges ? { baseChanges } : {}),
    });
  } catch (error) {
    await github.upsertCheckRun(extraSha ?? fallbackSha, CHECK_NAME, errorOutput(error));
    throw error;
  }
  const output = renderCheck(evaluation, await roleAccess(deps, evaluation));
  // What the head's check said before, read before it is overwritten: approved and refused
  // are told to the channels only when they are news on this head.
  const previous = await readPreviousCheck(github, evaluation, CHECK_NAME, deps.webhookFor).catch(
    () => null,
  );
  await github.upsertCheckRun(evaluation.pullRequest.headSha, CHECK_NAME, output);
  if (extraSha && extraSha !== evaluation.pullRequest.headSha) {
    await github.upsertCheckRun(extraSha, CHECK_NAME, output);
  }
  // Told once every check is written: the merge queue waits for its check, not for a channel.
  logFailures(warn, await tellReviewMoment(deps.webhookFor, evaluation, previous, output));
  return evaluation;
}

/**
 * What the requested role's statements really allow, for reviewers; undefined without a valid
 * request or when AWS's action data cannot be read (it informs reviewers, it decides nothing).
 */
async function roleAccess(
  deps: AppDeps,
  evaluation: PullRequestEvaluation,
): Promise<RoleAccess | undefined> {
  const statements = evaluation.request?.role.permissions.statements;
  if (!deps.readActionCatalogue || !statements) return undefined;
  const services = statements.flatMap((s) => s.actions.map((a) => a.split(":")[0]!.toLowerCase()));
  try {
    return describeRoleAccess(statements, await deps.readActionCatalogue(services));
  } catch {
    return undefined;
  }
}

/**
 * A pull request opened, pushed to, edited, reopened, ready or closed: its check, then the
 * review request (on opening) or the post-incident issue (on a merge).
 */
async function onPullRequest(handling: Handling, context: Context): Promise<void> {
  const payload = checkEventShape(context, pullRequestEventShape);
  if (!payload) return;
  const { action, pull_request: pull } = payload;
  // A closed, unmerged PR grants nothing. A merged one is the grant's when it is registered: it
  // re-checks the merge afresh, opens the post-incident review before the role exists and says
  // the outcome on the PR; judging it here too read everything twice and rewrote a check that
  // gates nothing any more. Without it, the check and the follow-up issue are made here.
  if (action === "closed" && (!pull.merged || grantsOnMerge(handling.deps))) return;
  if (!handling.ours(context)) return;
  const github = handling.portFor(context);
  // GitHub's issue events may not list the base change yet when its webhook arrives; the
  // webhook itself says that the base changed, at the pull request's `updated_at`.
  const changes = action === "edited" ? payload.changes : undefined;
  const evaluation = await handling.report(github, pull.number, pull.head.sha, {
    ...(changes?.base ? { baseChanges: [{ at: pull.updated_at ?? "" }] } : {}),
    ...rulesOf(pull),
  });
  if (ASK_FOR_REVIEW.has(action) && !evaluation.pullRequest.draft) {
    const event = { action, updatedAt: pull.updated_at ?? "" };
    await askForReview(handling.deps, github, evaluation, event, context);
  }
  if (action === "closed" && evaluation.pullRequest.merged) {
    const issue = renderPostIncidentIssue(evaluation);
    if (issue) await github.upsertIssue(issue.marker, issue.title, issue.body, issue.labels);
  }
}

/**
 * Asks the eligible owners to review, in the one review-request comment and as reviewers, and
 * tells the channels once per event (the comment records which event it announced).
 */
async function askForReview(
  deps: AppDeps,
  github: GitHubPort,
  evaluation: PullRequestEvaluation,
  event: { action: string; updatedAt: string },
  context: Context,
): Promise<void> {
  const pullNumber = evaluation.pullRequest.number;
  const ask = renderReviewRequest(evaluation, github.owner);
  if (!ask) return;
  const marker = REVIEW_REQUEST_MARKER;
  const told = await announcement(github, evaluation, ask, { ...event, marker }, deps.webhookFor);
  await github.upsertComment(pullNumber, marker, told.body, told.lookup);
  try {
    await github.requestReviewers(pullNumber, ask.users, ask.teams);
  } catch (error) {
    // A reviewer who cannot be requested (no access to the repo) must not hide the check.
    context.log.warn({ err: error }, "could not request reviewers");
  }
  if (told.announce) {
    const failures = await tellAwaitingReview(deps.webhookFor, evaluation, ask, github.owner);
    logFailures((message) => context.log.warn(message), failures);
  }
}

/** A notification failure is logged (without the webhook URL) and never fails the event. */
function logFailures(warn: (message: string) => void, failures: string[]): void {
  for (const failure of failures) warn(`hallpass notification not sent: ${failure}`);
}

/** A review submitted, edited or dismissed: the check again. */
async function onReview(handling: Handling, context: Context): Promise<void> {
  const payload = checkEventShape(context, pullRequestReviewEventShape);
  if (!payload || !handling.ours(context)) return;
  const pull = payload.pull_request;
  await handling.report(handling.portFor(context), pull.number, pull.head.sha, rulesOf(pull));
}

/**
 * The commit whose rules the event's pull request is judged by, as the event names it: its
 * merge commit once merged, else its base. Only a hint: the evaluation uses what was read there
 * only when the pull request it reads has that very commit.
 */
function rulesOf(pull: {
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  base?: { sha?: string | null } | null;
}): { rulesAt?: string } {
  const sha = pull.merged ? pull.merge_commit_sha : pull.base?.sha;
  return sha ? { rulesAt: sha } : {};
}

/** Someone re-ran the hallpass check (this app's): the check of each of its pull requests. */
async function onCheckRunRerequested(handling: Handling, context: Context): Promise<void> {
  const payload = checkEventShape(context, checkRunEventShape);
  if (!payload) return;
  const run = payload.check_run;
  if (run.name !== CHECK_NAME || !handling.ours(context)) return;
  const { appId } = handling.deps;
  if (appId !== undefined && run.app?.id !== appId) return;
  const github = handling.portFor(context);
  const queued = pullNumberOfMergeQueueRef(run.check_suite?.head_branch ?? "");
  if (queued !== undefined) {
    // A branch name proves nothing (a fork can name a branch like the queue's), so a re-run
    // never approves that commit: only a merge_group event, which GitHub sends for its own
    // queue, does. A failed merge group check has taken the PR out of the queue anyway.
    await handling.report(github, queued, run.head_sha);
    await github.upsertCheckRun(run.head_sha, CHECK_NAME, {
      status: "completed",
      conclusion: "failure",
      title: "Re-run the merge queue by re-queuing",
      summary: `hallpass approves a merge queue commit only when GitHub's merge queue asks for it. The check of pull request #${queued} was re-evaluated on its own head; to try this merge again, remove the pull request from the merge queue and add it again.`,
    });
    return;
  }
  for (const number of await pullsOfRun(github, run)) {
    await handling.report(github, number, run.head_sha);
  }
}

/**
 * The pull requests a re-run check is on. GitHub leaves `pull_requests` empty when the head
 * branch is in a fork, so those are found by their head among the open pull requests (one
 * read): else a fork's re-run, and the sweep's re-request of its aged green check, would decide
 * nothing and leave the check green.
 */
async function pullsOfRun(
  github: GitHubPort,
  run: { head_sha: string; pull_requests: readonly { number: number }[] },
): Promise<number[]> {
  if (run.pull_requests.length > 0) return run.pull_requests.map((p) => p.number);
  const open = await github.listOpenPullRequests();
  return open.filter((p) => p.headSha === run.head_sha).map((p) => p.number);
}

/** GitHub's merge queue asks for the check of its merge commit: the PR's check, on both. */
async function onMergeGroup(handling: Handling, context: Context): Promise<void> {
  const payload = checkEventShape(context, mergeGroupEventShape);
  if (!payload || !handling.ours(context)) return;
  const group = payload.merge_group;
  const github = handling.portFor(context);
  const pullNumber = pullNumberOfMergeQueueRef(group.head_ref);
  if (pullNumber === undefined) {
    await github.upsertCheckRun(group.head_sha, CHECK_NAME, {
      status: "completed",
      conclusion: "failure",
      title: "Unknown merge queue branch",
      summary: `hallpass cannot tell which pull request ${markdownCode(group.head_ref)} belongs to, so it cannot approve it.`,
    });
    return;
  }
  await handling.report(github, pullNumber, group.head_sha, { extraSha: group.head_sha });
}
