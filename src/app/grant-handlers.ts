/**
 * The grant side of the app: a merged access pull request is granted (after its approvals are
 * re-checked at the merge), and `/hallpass revoke` on it ends the access early. Handlers only
 * filter events and delegate to the workflows, which are safe to run again for a redelivered
 * event.
 */

import type { Probot } from "probot";
import { deadlineAfter } from "../workflows/deadline.ts";
import { extendGrant, parseExtendCommand } from "../workflows/extend-grant.ts";
import { grantAccess } from "../workflows/grant-access.ts";
import { isRevokeCommand, releaseGrant } from "../workflows/release-grant.ts";
import {
  type AppDeps,
  DEFAULT_TIME_LIMIT_SECONDS,
  grantsOnMerge,
  isAccessRepository,
  mergeDeadlines,
} from "./app-deps.ts";
import {
  checkEventShape,
  issueCommentEventShape,
  mergedPullRequestEventShape,
} from "./event-shapes.ts";

export function registerGrantHandlers(app: Probot, deps: AppDeps): void {
  const { aws } = deps;
  // The one test of whether merges are granted here: the approval handlers leave a merge to
  // these handlers exactly when it holds, so the two can never both pass a merge by.
  if (!aws || !grantsOnMerge(deps)) {
    app.log.warn(
      aws
        ? // Fail closed: the policies of whichever repository a merge happens in would decide.
          "hallpass: HALLPASS_ACCESS_REPOSITORY is not set (owner/repo of the access repository); merged requests will not be granted"
        : // Fail closed: without AWS, nothing is granted. Production wiring always provides it.
          "hallpass: no AWS port configured; merged requests will not be granted",
    );
    return;
  }

  app.on("pull_request.closed", async (context) => {
    const payload = checkEventShape(context, mergedPullRequestEventShape);
    if (!payload) return;
    const pull = payload.pull_request;
    if (!pull.merged || !isAccessRepository(deps, context.repo())) return;
    // Counted from here, so that the whole handling stays inside the host's time limit.
    const { workMs, tellMs } = deps.mergeDeadlines ?? mergeDeadlines(DEFAULT_TIME_LIMIT_SECONDS);
    const startDeadline = deps.deadlineAfter ?? deadlineAfter;
    const github = deps.github(context.octokit, context.repo());
    const outcome = await grantAccess(
      {
        github,
        aws,
        ...(deps.notifierFor ? { notifierFor: deps.notifierFor } : {}),
        ...(deps.webhookFor ? { webhookFor: deps.webhookFor } : {}),
        warn: (message) => context.log.warn(message),
      },
      pull.number,
      {
        now: deps.now(),
        deadline: startDeadline(
          workMs,
          `the merge handling reached its deadline (${workMs / 1000} s, inside the host's time limit) before the grant was complete`,
        ),
        tellDeadline: startDeadline(tellMs, "no time left to tell"),
        ...(pull.merge_commit_sha ? { rulesAt: pull.merge_commit_sha } : {}),
      },
    );
    context.log.info({ pull: pull.number, outcome: outcome.status }, "hallpass grant");
  });

  app.on("issue_comment.created", async (context) => {
    const payload = checkEventShape(context, issueCommentEventShape);
    if (!payload) return;
    const { issue, comment } = payload;
    // Only people give commands; the app's own comments never trigger one.
    if (
      !issue.pull_request ||
      comment.user.type === "Bot" ||
      !isAccessRepository(deps, context.repo())
    ) {
      return;
    }
    const github = deps.github(context.octokit, context.repo());
    if (!isRevokeCommand(comment.body)) {
      const duration = parseExtendCommand(comment.body);
      // Without the comment's id there is no branch a redelivery would find again.
      if (duration === undefined || comment.id === undefined) return;
      const command = { pullNumber: issue.number, commentId: comment.id, duration };
      const extended = await extendGrant(github, command, comment.user.login, { now: deps.now() });
      context.log.info({ pull: issue.number, outcome: extended.status }, "hallpass extend");
      return;
    }
    const release = {
      github,
      aws,
      ...(deps.webhookFor ? { webhookFor: deps.webhookFor } : {}),
      warn: (message: string) => context.log.warn(message),
    };
    const outcome = await releaseGrant(release, issue.number, comment.user.login, {
      now: deps.now(),
    });
    context.log.info({ pull: issue.number, outcome: outcome.status }, "hallpass revoke");
  });
}
