/**
 * The app's review moments, told to the channels: a request awaiting review (when its review
 * request is posted), approved, refused. Webhooks are redelivered and arrive in any order, so
 * each is told only when it is news, judged from what GitHub holds: the check run the app last
 * wrote on the head (approved, refused) and the hidden line in the review-request comment
 * (awaiting review). Failures are returned for the caller to log, never thrown.
 */

import type { PullRequestEvaluation } from "../../core/approval/pull-request-evaluation.ts";
import type { ReviewRequest } from "../../core/approval/render-review-request.ts";
import {
  announcedMarker,
  type PreviousCheck,
  reviewMoment,
} from "../../core/notify/decide-review-notice.ts";
import { channelsFor, mentionsOf, noticeOf } from "../../core/notify/notice.ts";
import type { CheckRunOutput, CommentLookup, GitHubPort } from "../../ports/github.ts";
import type { WebhookFor } from "../../ports/notify.ts";
import { sendNotice } from "./send-notice.ts";

/** Whether any channel is told of this evaluation's request: the reads below are needed then. */
function hasChannels(evaluation: PullRequestEvaluation): boolean {
  const { policies, request } = evaluation;
  return policies !== undefined && channelsFor(policies, request?.request.role).length > 0;
}

/**
 * What the head's check said before this evaluation writes its own: read along with the pull
 * request when the evaluation was asked to (`previousCheck`), else read now, only when the
 * evaluation may be a moment (approved, refused) that some channel wants. `null` when there is
 * nothing to tell whatever it said.
 */
export async function readPreviousCheck(
  github: GitHubPort,
  evaluation: PullRequestEvaluation,
  checkName: string,
  webhookFor: WebhookFor | undefined,
): Promise<PreviousCheck | undefined | null> {
  const { status } = evaluation;
  if (!webhookFor || !hasChannels(evaluation)) return null;
  if (status !== "approved" && status !== "disapproved") return null;
  // Read along with the pull request, when it could be: the app evaluates one pull request at
  // a time, so nothing but this evaluation came between that read and this check's write.
  if (evaluation.previousCheck !== undefined) return evaluation.previousCheck ?? undefined;
  if (!github.readCheckRun) return null;
  return github.readCheckRun(evaluation.pullRequest.headSha, checkName);
}

/** Tells approved or refused once per head: when the new check says it and the old did not. */
export async function tellReviewMoment(
  webhookFor: WebhookFor | undefined,
  evaluation: PullRequestEvaluation,
  previous: PreviousCheck | undefined | null,
  written: CheckRunOutput,
): Promise<string[]> {
  if (previous === null) return [];
  const moment = reviewMoment(previous, { status: evaluation.status, title: written.title });
  if (!moment) return [];
  const people =
    moment === "approved"
      ? evaluation.approvals.map((a) => `@${a.reviewer}`)
      : (evaluation.decision?.blockedBy ?? []).map((r) => `@${r.reviewer}`);
  return sendNotice(webhookFor, evaluation.policies, {
    ...noticeOf(evaluation, moment),
    ...(people.length > 0 ? { people } : {}),
  });
}

/**
 * The review-request comment's body, with the hidden line that records this event's
 * announcement, and whether the channels must be told: not when the comment already carries
 * that line (a redelivery of the same event). `lookup`: the comment found, when it was looked
 * up, for the write to reuse instead of listing the comments again.
 */
export async function announcement(
  github: GitHubPort,
  evaluation: PullRequestEvaluation,
  ask: ReviewRequest,
  event: { action: string; updatedAt: string; marker: string },
  webhookFor: WebhookFor | undefined,
): Promise<{ body: string; announce: boolean; lookup?: CommentLookup }> {
  if (!webhookFor || !github.findComment || !hasChannels(evaluation)) {
    return { body: ask.body, announce: false };
  }
  const line = announcedMarker(event.action, event.updatedAt);
  const found = await github.findComment(evaluation.pullRequest.number, event.marker);
  return {
    body: `${ask.body}\n${line}`,
    announce: !found?.body.includes(line),
    lookup: { found },
  };
}

/** Tells the channels that a request awaits review, naming who can approve it. */
export function tellAwaitingReview(
  webhookFor: WebhookFor | undefined,
  evaluation: PullRequestEvaluation,
  ask: ReviewRequest,
  owner: string,
): Promise<string[]> {
  const people = mentionsOf(ask, owner);
  return sendNotice(webhookFor, evaluation.policies, {
    ...noticeOf(evaluation, "awaiting-review"),
    ...(people.length > 0 ? { people } : {}),
  });
}
