/**
 * Opens an access request's pull request on someone's behalf: the app's request from an issue
 * form, and any other request the app writes for a requester. The pull request is the app's
 * (its bot is the author and writes the one commit), and the request file names the
 * requester: the check judges it as theirs (`requesterProblem`), as long as nobody else
 * pushes to it. Idempotent: one branch per request, found again on every redelivery, so an
 * event handled twice opens one pull request.
 */

import type { FileToCommit, GitHubPort, PullRequestInfo } from "../ports/github.ts";

/** What to open: the one request file, on its own branch, and the pull request's text. */
export interface RequestPullRequest {
  /** The branch, one per request: its name is how a redelivery finds the pull request. */
  branch: string;
  file: FileToCommit;
  commitMessage: string;
  title: string;
  body: string;
}

/** The pull request, and whether this call opened it (false: it was there already). */
export interface OpenedPullRequest {
  pullRequest: PullRequestInfo;
  opened: boolean;
}

/**
 * What the caller read already in this event, so that it is not read again: the default
 * branch `base` and its head `baseHead` (the branch is made from that commit, the one the
 * caller judged the request at), and `noPullRequest` when it found no pull request from the
 * branch (`findPullRequestByBranch`). Two deliveries at once stay safe: `createPullRequest`
 * answers the pull request the other one opened.
 */
export interface KnownBase {
  base: string;
  baseHead: string;
  noPullRequest?: boolean;
}

/**
 * Opens the pull request of `request` into the default branch, or answers the one its branch
 * already has (open or closed: a request closed unmerged is never opened again by a
 * redelivery). Each step can be re-run: the branch is made when missing, the file committed
 * when not there yet (no empty commit), the pull request opened when none exists.
 */
export async function openRequestPullRequest(
  github: GitHubPort,
  request: RequestPullRequest,
  known?: KnownBase,
): Promise<OpenedPullRequest> {
  const { branch } = request;
  // 1. A pull request from this branch: an earlier delivery opened it.
  const existing = known?.noPullRequest ? undefined : await github.findPullRequestByBranch(branch);
  if (existing) return { pullRequest: existing, opened: false };
  // 2. The branch, from the default branch's head.
  const base = known?.base ?? (await github.getDefaultBranch());
  if ((await github.getBranchHead(branch)) === undefined) {
    const head = known?.baseHead ?? (await github.getBranchHead(base));
    if (head === undefined) {
      throw new Error(`The default branch ${base} of ${github.owner}/${github.repo} is missing.`);
    }
    await github.createBranch(branch, head);
  }
  // 3. The request file, in one commit GitHub signs as the app.
  await github.commitFiles(branch, [request.file], request.commitMessage);
  // 4. The pull request.
  const pullRequest = await github.createPullRequest({
    branch,
    base,
    title: request.title,
    body: request.body,
  });
  return { pullRequest, opened: true };
}
