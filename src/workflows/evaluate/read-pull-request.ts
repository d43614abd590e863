/**
 * Step 1 of the evaluation: read what the pull request holds and what happened to it: its
 * files, its commits (who pushed), its reviews and their dismissals, and the changes of its
 * base branch.
 */

import type {
  BaseChange,
  ChangedFile,
  GitHubPort,
  PullRequestCommit,
  Review,
  ReviewDismissal,
} from "../../ports/github.ts";

export interface PullRequestActivity {
  files: ChangedFile[];
  commits: PullRequestCommit[];
  reviews: Review[];
  baseChanges: BaseChange[];
  /** Dismissals of its reviews: the merge re-check needs what a review was at the merge. */
  reviewDismissals: ReviewDismissal[];
}

/**
 * Reads pull request `pullNumber`'s files, commits, reviews and base changes. Unreadable base
 * changes fail the evaluation like unreadable reviews: no approval is counted as given after a
 * base change that could not be seen.
 */
export async function readPullRequest(
  github: GitHubPort,
  pullNumber: number,
): Promise<PullRequestActivity> {
  const [files, commits, reviews, baseChanges, reviewDismissals] = await Promise.all([
    github.listPullRequestFiles(pullNumber),
    github.listPullRequestCommits(pullNumber),
    github.listReviews(pullNumber),
    github.listBaseChanges(pullNumber),
    github.listReviewDismissals(pullNumber),
  ]);
  return { files, commits, reviews, baseChanges, reviewDismissals };
}
