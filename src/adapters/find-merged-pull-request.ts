import type { GitHubPort, MergedPullRequestRef } from "../ports/github.ts";
import { commitOf } from "./branch-or-commit.ts";
import type { Octokit } from "./octokit-github.ts";

/**
 * Finds the merged pull request that added a file, over two REST calls: the commits of the
 * branch that touch the path (`GET /repos/{owner}/{repo}/commits?path=`; a request file is never
 * changed after merge, so the oldest is the one that added it), then the pull requests GitHub
 * associates with that commit (`GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`, which for
 * a commit on the default branch lists the merged pull request that brought it in). It works
 * for merge, squash and rebase merges alike.
 */

/** Commits read to find the oldest one touching a path; a request file has one or two. */
const MAX_COMMITS = 100;

/** The port with `findMergedPullRequest` added; every other method is the port's own. */
export function withMergedPullRequestLookup(port: GitHubPort, octokit: Octokit): GitHubPort {
  const base = { owner: port.owner, repo: port.repo };
  async function findMergedPullRequest(
    branch: string,
    path: string,
  ): Promise<MergedPullRequestRef | undefined> {
    const { data: commits } = await octokit.request("GET /repos/{owner}/{repo}/commits", {
      ...base,
      // From the branch's head: `sha` takes a start point, where a bare name is a tag first.
      sha: await commitOf(branch, (b) => port.getBranchHead(b)),
      path,
      per_page: MAX_COMMITS,
    });
    const added = commits.at(-1);
    if (!added) return undefined;
    const { data: pulls } = await octokit.request(
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
      { ...base, commit_sha: added.sha, per_page: 100 },
    );
    const merged = pulls.filter((p) => p.merged_at !== null && p.merge_commit_sha !== null);
    // Prefer the pull request whose merge made this very commit (squash, merge commit).
    const pull = merged.find((p) => p.merge_commit_sha === added.sha) ?? merged[0];
    if (!pull) return undefined;
    return {
      number: pull.number,
      url: pull.html_url,
      mergedAt: pull.merged_at!,
      mergeCommitSha: pull.merge_commit_sha!,
    };
  }
  return { ...port, findMergedPullRequest };
}
