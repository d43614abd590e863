/**
 * Step 5 of the grant on merge, for break-glass only: open the post-incident review issue
 * before anything is recorded or created. Emergency access skips part of the normal approval;
 * the review is what makes up for it, so a break-glass role never exists without its issue.
 */

import type { PullRequestEvaluation } from "../../core/approval/pull-request-evaluation.ts";
import { renderPostIncidentIssue } from "../../core/sweep/render-post-incident-issue.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import type { GitHubPort } from "../../ports/github.ts";
import type { GrantStop } from "./grant-types.ts";

/**
 * Opens (or finds again, by its marker) the review issue of a break-glass request; nothing for
 * any other request. A failure stops the grant before AWS or git is changed. Where the grant
 * runs, the app's approval handler leaves the merge to it: this is the only place the issue of
 * a granted break-glass request is opened.
 */
export async function openPostIncidentReview(
  github: GitHubPort,
  evaluation: PullRequestEvaluation,
): Promise<GrantStop | undefined> {
  const issue = renderPostIncidentIssue(evaluation);
  if (!issue) return undefined;
  try {
    await github.upsertIssue(issue.marker, issue.title, issue.body, issue.labels);
    return undefined;
  } catch (error) {
    const reason = `the post-incident review issue could not be opened: ${errorMessage(error)}`;
    return {
      stop: "failed",
      title: "the post-incident review issue could not be opened",
      details: [
        `A break-glass grant is made only once its post-incident review issue exists (${errorMessage(error)}). Nothing was created. Redeliver the merge event (or ask an administrator to) to try again.`,
      ],
      reason,
      rolledBack: true,
    };
  }
}
