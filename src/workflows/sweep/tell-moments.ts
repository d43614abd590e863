/**
 * The sweep's timed moments, the ones no webhook marks: the approvers of a request nobody
 * reviewed are reminded, a request left unreviewed longer is closed, a grant about to expire is
 * warned about on its pull request, and the channels hear of each, and of every grant the run
 * revoked. Each moment's pull request comment is its record: the sweep looks for it first, so
 * a re-run, a late run or another shard says nothing twice. Comment first, notify second: a run
 * killed in between has told the pull request, and only the channel misses it.
 */

import { grantNotice, mentionsOf, type Notice, noticeOf } from "../../core/notify/notice.ts";
import { expiryWarningDue } from "../../core/notify/plan-expiry-warning.ts";
import {
  mayBeDue,
  type PendingStep,
  type PendingTiming,
  pendingStepFor,
  waitedSeconds,
} from "../../core/notify/plan-pending-requests.ts";
import {
  expiryWarningMarker,
  REMINDER_MARKER,
  renderExpiryWarningComment,
  renderReminderComment,
  renderStaleClosedComment,
  STALE_CLOSED_DONE,
  STALE_CLOSED_MARKER,
} from "../../core/notify/render-notice-comments.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { parseDuration } from "../../core/request/duration.ts";
import type { SweepPlan } from "../../core/sweep/plan-sweep.ts";
import type { CommentLookup, PullRequestInfo, PullRequestSnapshot } from "../../ports/github.ts";
import { evaluateSnapshot } from "../evaluate-pull-request.ts";
import { sendNotice } from "../notify/send-notice.ts";
import {
  commentOnce,
  issueOf,
  type OpenPullRequests,
  type SweepIssue,
  type SweepRevoked,
  type SweepRun,
} from "./types.ts";

/** What the moments step did, for the report. */
export interface MomentsOutcome {
  issues: SweepIssue[];
  /** Pull requests reminded, closed and warned this run. */
  reminded: number[];
  closed: number[];
  warned: string[];
}

/** Tells the run's timed moments; every failure is an issue, none stops the run. */
export async function tellMoments(
  run: SweepRun,
  input: {
    plan: SweepPlan;
    policies: Policies;
    revoked: readonly SweepRevoked[];
    openPullRequests: OpenPullRequests;
  },
): Promise<MomentsOutcome> {
  const out: MomentsOutcome = { issues: [], reminded: [], closed: [], warned: [] };
  await tellRevoked(run, input, out);
  await warnExpiring(run, input, out);
  await tellPendingRequests(run, input, out);
  return out;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  return parsed.ok ? parsed.seconds : undefined;
}

async function notify(
  run: SweepRun,
  policies: Policies,
  notice: Notice,
  out: MomentsOutcome,
): Promise<void> {
  const failures = await sendNotice(run.deps.webhookFor, policies, notice);
  const subject = notice.requestPath ?? `pull request #${notice.pullRequest.number}`;
  for (const message of failures) out.issues.push({ step: "notify", subject, message });
}

/**
 * The channels hear of each grant this run revoked (a role git does not explain is alerted on
 * by the revocation step itself). Told only once the revocation succeeded, so a revocation an
 * earlier run left half-way was never told and is told by the run that finishes it.
 */
async function tellRevoked(
  run: SweepRun,
  input: { plan: SweepPlan; policies: Policies; revoked: readonly SweepRevoked[] },
  out: MomentsOutcome,
): Promise<void> {
  const done = new Set(input.revoked.map((r) => r.roleArn));
  for (const item of input.plan.revoke) {
    if (!item.grant || !done.has(item.role.roleArn)) continue;
    await notify(run, input.policies, grantNotice(item.grant, "revoked", item.detail), out);
  }
}

/** Warns each live grant's pull request once, shortly before the grant expires. */
async function warnExpiring(
  run: SweepRun,
  input: { plan: SweepPlan; policies: Policies },
  out: MomentsOutcome,
): Promise<void> {
  const lead = seconds(input.policies.settings.notifications.expiryWarning);
  const github = run.deps.github;
  if (lead === undefined || !github.findComment) return;
  for (const { grant } of input.plan.watch) {
    const left = expiryWarningDue(grant.window.end, run.now, lead);
    if (left === undefined) continue;
    const marker = expiryWarningMarker(grant.requestPath);
    try {
      const told = await commentOnce(github, grant.pullRequest.number, marker, () =>
        renderExpiryWarningComment(grant.requestPath, grant.window.end, left),
      );
      if (!told) continue;
    } catch (error) {
      out.issues.push(issueOf("notify", grant.requestPath, error));
      continue;
    }
    out.warned.push(grant.requestPath);
    await notify(run, input.policies, grantNotice(grant, "expiring"), out);
  }
}

/**
 * Reminds the approvers of each open request nobody reviewed for `remindAfter`, and closes one
 * left for `closeAfter`. Reads reviews and comments only of pull requests old enough, and
 * evaluates only those due: the reminder mentions who can approve, as the review request did.
 */
async function tellPendingRequests(
  run: SweepRun,
  input: { policies: Policies; openPullRequests: OpenPullRequests },
  out: MomentsOutcome,
): Promise<void> {
  const { policies } = input;
  const { notifications } = policies.settings;
  const timing: PendingTiming = {
    remindAfterSeconds: seconds(notifications.remindAfter),
    closeAfterSeconds: seconds(notifications.closeAfter),
  };
  const github = run.deps.github;
  if (!github.findComment || (!timing.remindAfterSeconds && !timing.closeAfterSeconds)) return;
  const open = await input.openPullRequests();
  if (!open) return;
  for (const pull of open.filter((p) => mayBeDue(p, run.now, timing))) {
    try {
      const step = await pendingStep(run, pull, timing);
      if (step) await takeStep(run, policies, pull, step, out);
    } catch (error) {
      out.issues.push(issueOf("notify", `pull request #${pull.number}`, error));
    }
  }
}

/**
 * A step due, and on a pull request hallpass opened for someone (from the issue form or
 * `/hallpass extend`: its author is the app) the one person who reviewed it, if only one did:
 * they may be the requester, whose own review is no review (`takeStep` checks once it knows).
 */
type DueStep = PendingStep & {
  soleReviewer?: string;
  /** The pull request as read to find the step: evaluated as it is, not read again. */
  snapshot: PullRequestSnapshot;
  /** The comment read to find the step: written over by its id, not listed again. */
  comment: { marker: string; lookup: CommentLookup };
};

/** The step due on one open pull request, from its reviews and hallpass's comments on it. */
async function pendingStep(
  run: SweepRun,
  pull: PullRequestInfo,
  timing: PendingTiming,
): Promise<DueStep | undefined> {
  const github = run.deps.github;
  const snapshot = await github.readPullRequest(pull.number);
  const { reviews } = snapshot;
  const reviewers = new Set(
    reviews
      .filter((r) => r.user !== pull.author && r.state !== "PENDING")
      .map((r) => r.user.toLowerCase()),
  );
  const soleReviewer =
    reviewers.size === 1 && pull.author.endsWith("[bot]") ? [...reviewers][0] : undefined;
  const reviewed = reviewers.size > 0 && soleReviewer === undefined;
  if (reviewed) return undefined;
  // One comment read a run: before closeAfter only the reminder can be due (nothing was closed
  // yet); from then on only the closing, which a reopened request's closing comment prevents.
  const waited = waitedSeconds(pull.createdAt, run.now);
  const closing =
    timing.closeAfterSeconds !== undefined &&
    waited !== undefined &&
    waited >= timing.closeAfterSeconds;
  const marker = closing ? STALE_CLOSED_MARKER : REMINDER_MARKER;
  const comment = await github.findComment!(pull.number, marker);
  // Closed once already (and reopened since) only when the closing completed: a closing whose
  // comment was written but whose close failed is done again.
  const closed = closing && comment?.body.includes(STALE_CLOSED_DONE) === true;
  const reminded = closing || comment !== undefined;
  const step = pendingStepFor(
    {
      number: pull.number,
      createdAt: pull.createdAt,
      draft: pull.draft,
      reviewed,
      reminded,
      closed,
    },
    run.now,
    timing,
  );
  if (!step) return undefined;
  return {
    ...step,
    snapshot,
    comment: { marker, lookup: { found: comment } },
    ...(soleReviewer !== undefined ? { soleReviewer } : {}),
  };
}

/**
 * Reminds or closes one pull request, if it is a valid request still waiting for approval in
 * an account of this run (each shard handles its own accounts' requests, so none twice).
 */
async function takeStep(
  run: SweepRun,
  policies: Policies,
  pull: PullRequestInfo,
  step: DueStep,
  out: MomentsOutcome,
): Promise<void> {
  const github = run.deps.github;
  const evaluation = await evaluateSnapshot(github, step.snapshot, { now: run.now });
  const { request } = evaluation;
  if (evaluation.status !== "pending" || !request || !run.targets.has(request.account.id)) return;
  // Someone other than the requester reviewed it: it is not waiting for a first review.
  if (step.soleReviewer && step.soleReviewer !== request.request.requester.toLowerCase()) return;
  const notice = noticeOf(evaluation, step.step === "remind" ? "reminder" : "closed-stale");
  if (step.step === "remind") {
    const reminder = renderReminderComment(evaluation, github.owner, step.waitedSeconds);
    if (!reminder) return;
    await github.upsertComment(
      pull.number,
      REMINDER_MARKER,
      reminder.body,
      lookupOf(step, REMINDER_MARKER),
    );
    out.reminded.push(pull.number);
    await notify(run, policies, { ...notice, people: mentionsOf(reminder, github.owner) }, out);
    return;
  }
  if (!github.closePullRequest) return;
  const closeAfter = policies.settings.notifications.closeAfter ?? "";
  const comment = (done: boolean) => renderStaleClosedComment(step.waitedSeconds, closeAfter, done);
  const lookup = lookupOf(step, STALE_CLOSED_MARKER);
  const written = await github.upsertComment(
    pull.number,
    STALE_CLOSED_MARKER,
    comment(false),
    lookup,
  );
  await github.closePullRequest(pull.number);
  await github.upsertComment(pull.number, STALE_CLOSED_MARKER, comment(true), { found: written });
  out.closed.push(pull.number);
  await notify(run, policies, notice, out);
}

/** What the step's read found of the comment with `marker`; undefined when it read another. */
function lookupOf(step: DueStep, marker: string): CommentLookup | undefined {
  return step.comment.marker === marker ? step.comment.lookup : undefined;
}
