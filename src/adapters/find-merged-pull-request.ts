import type { GitHubPort, MergedPullRequestRef } from "../ports/github.ts";
import { commitOf, isCommitSha } from "./branch-or-commit.ts";
import type { Octokit } from "./octokit-github.ts";

/**
 * Finds the merged pull request that added a file, over two REST calls: the commits of the
 * branch that touch the path (`GET /repos/{owner}/{repo}/commits?path=`; a request file is never
 * changed after merge, so the oldest is the one that added it), then the pull requests GitHub
 * associates with that commit (`GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`, which for
 * a commit on the default branch lists the merged pull request that brought it in), of which
 * only one merged into the branch is taken. It works for merge, squash and rebase merges alike.
 */

/** Commits read to find the oldest one touching a path; a request file has one or two. */
const MAX_COMMITS = 100;

/** The port with `findMergedPullRequest` added; every other method is the port's own. */
export function withMergedPullRequestLookup(port: GitHubPort, octokit: Octokit): GitHubPort {
  const base = { owner: port.owner, repo: port.repo };
  async function findMergedPullRequest(
    branch: string,
    path: string,
    from?: string,
  ): Promise<MergedPullRequestRef | undefined> {
    // The pull request must have merged into `branch`, which only a branch's name can say.
    if (isCommitSha(branch)) {
      throw new Error(
        `findMergedPullRequest needs the branch the pull request merged into, not the commit ${branch}: pass the commit as \`from\``,
      );
    }
    const { data: commits } = await octokit.request("GET /repos/{owner}/{repo}/commits", {
      ...base,
      // From the branch's head: `sha` takes a start point, where a bare name is a tag first.
      sha: await commitOf(from ?? branch, (b) => port.getBranchHead(b)),
      path,
      per_page: MAX_COMMITS,
    });
    const added = commits.at(-1);
    if (!added) return undefined;
    const { data: pulls } = await octokit.request(
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
      { ...base, commit_sha: added.sha, per_page: 100 },
    );
    const pull = mergedInto(branch, added.sha, pulls);
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

/** What `mergedInto` reads of a listed pull request (`pull-request-simple`). */
interface ListedPull {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: { ref: string };
}

/**
 * The merged pull request that brought commit `sha` into `branch`, of those GitHub associates
 * with it, or undefined. Only one merged into `branch` counts: GitHub also lists pull requests
 * into other branches (`release`) that carry the commit, and telling one of those would record
 * the wrong merge. First the one whose merge made this very commit (squash, or the merge
 * commit); else (merge commits, rebase merges: the commit came from the pull request's branch)
 * the first merged, since a later one already found the commit in its base; a tie of merge
 * times goes to the lower number, so GitHub's listing order never decides.
 */
function mergedInto<P extends ListedPull>(branch: string, sha: string, pulls: P[]): P | undefined {
  const merged = pulls.filter(
    (p) => p.merged_at !== null && p.merge_commit_sha !== null && p.base.ref === branch,
  );
  const own = merged.find((p) => p.merge_commit_sha === sha);
  if (own) return own;
  const mergedAt = (p: P) => Date.parse(p.merged_at!);
  return merged.sort((a, b) => mergedAt(a) - mergedAt(b) || a.number - b.number)[0];
}
