import { isCommitSha } from "../../src/adapters/branch-or-commit.ts";
import type { FileToCommit, MergedPullRequestRef } from "../../src/ports/github.ts";
import { FakeGitHub } from "../support/fake-github.ts";

/** One commit of a branch as the model keeps it: its id and the paths it changed. */
interface BranchCommit {
  sha: string;
  paths: readonly string[];
}

/** A `findMergedPullRequest` call: the path asked about, and the branch's tree when asked. */
export interface MergedPullLookup {
  path: string;
  tree: ReadonlyMap<string, string>;
}

/** Commits the adapter reads of the commits list (one page; newest first, as GitHub lists). */
const PAGE = 100;

/**
 * The lifecycle world's GitHub: the fake (test/support/fake-github.ts) with the history of each
 * branch the world made (main, release) as commits oldest first, so that `findMergedPullRequest`
 * answers as GitHub does for production's adapter (src/adapters/find-merged-pull-request.ts):
 * the branch's commits that touch the path (newest first, one page), the oldest of them, then
 * the merged pull requests into the branch GitHub associates with that commit. The world merges
 * by squash, so the one commit a merge adds to its base is the pull request's merge commit, and
 * the pull request GitHub associates with it there is the one whose `mergeCommitSha` it is; a
 * commit the app or the sweep made (`commitFiles`) belongs to no pull request. The world logs
 * its own commits (merges, rule changes); commits through the port are logged as they land.
 */
export class GitHubWithHistory extends FakeGitHub {
  readonly #history = new Map<string, BranchCommit[]>();
  /** Every `findMergedPullRequest` call, in order (the invariants read them). */
  readonly lookups: MergedPullLookup[] = [];

  /** Logs a commit that changed `paths` on `branch`; the first one starts its history. */
  logCommit(branch: string, sha: string, paths: readonly string[]): void {
    const history = this.#history.get(branch) ?? [];
    history.push({ sha, paths: [...paths] });
    this.#history.set(branch, history);
  }

  override async commitFiles(
    branch: string,
    files: FileToCommit[],
    message: string,
    hint?: { expectedHead?: string },
  ): Promise<string> {
    const before = this.commits.length;
    const id = await super.commitFiles(branch, files, message, hint);
    // A commit that changed nothing is not made (GitHub: no new commit); branches the world did
    // not make (the app's extension branches) have no history kept.
    if (this.commits.length > before && this.#history.has(branch)) {
      this.logCommit(
        branch,
        id,
        this.commits.at(-1)!.files.map((f) => f.path),
      );
    }
    return id;
  }

  /** The port's optional lookup, answered from the branch's history and the pull requests. */
  async findMergedPullRequest(
    branch: string,
    path: string,
    from?: string,
  ): Promise<MergedPullRequestRef | undefined> {
    this.calls.push("findMergedPullRequest");
    // As the adapter: only a branch's name can say which base the pull request merged into.
    if (isCommitSha(branch)) {
      throw new Error(`findMergedPullRequest needs a branch's name, not the commit ${branch}`);
    }
    // Resolved first: a ref the model cannot resolve throws before it counts as a lookup.
    const ref = from ?? branch;
    const commits = this.#commitsAt(ref);
    this.lookups.push({ path, tree: new Map(this.trees.get(ref)) });
    const page = commits
      .filter((c) => c.paths.includes(path))
      .reverse()
      .slice(0, PAGE);
    const added = page.at(-1);
    if (!added) return undefined;
    const merged = [...this.pulls.values()].filter(
      (p) =>
        p.merged && p.mergedAt !== null && p.mergeCommitSha === added.sha && p.baseRef === branch,
    );
    const pull = merged[0];
    if (!pull) return undefined;
    return {
      number: pull.number,
      url: pull.url,
      mergedAt: pull.mergedAt!,
      mergeCommitSha: pull.mergeCommitSha!,
    };
  }

  /** The commits reachable from `ref` (a branch, or a commit of one), oldest first. */
  #commitsAt(ref: string): BranchCommit[] {
    const branch = this.#history.get(ref);
    if (branch) return branch;
    for (const history of this.#history.values()) {
      const at = history.findIndex((c) => c.sha === ref);
      if (at >= 0) return history.slice(0, at + 1);
    }
    // As production's adapter (commitOf) and GitHub answer a ref they cannot resolve: an error,
    // never "no pull request", which would read as a file pushed directly.
    throw Object.assign(new Error(`there is no branch or commit ${ref} in the model's history`), {
      status: 404,
    });
  }
}
