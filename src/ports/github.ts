import type {
  BaseChange,
  ChangedFile,
  CheckRunOutput,
  PullRequestCommit,
  PullRequestInfo,
  Review,
  ReviewDismissal,
} from "../core/approval/pull-request.ts";

/**
 * What hallpass needs from GitHub, for one repository (the access repo). The Octokit adapter
 * (`src/adapters/octokit-github.ts`) implements it against the REST API; tests use fakes that
 * can also fail. Every method either returns data or throws; none returns a half result.
 *
 * Writes are idempotent by design: one check run per head SHA and name, sticky comments found
 * again by a hidden marker, commits that are retried on a fresh base when the branch moved.
 */

export type {
  BaseChange,
  ChangedFile,
  CheckAnnotation,
  CheckRunOutput,
  PullRequestCommit,
  PullRequestInfo,
  Review,
  ReviewDismissal,
} from "../core/approval/pull-request.ts";

export interface FileToCommit {
  path: string;
  content: string;
}

export interface IssueInfo {
  number: number;
  url: string;
}

/** The merged pull request that brought a file to a branch. */
export interface MergedPullRequestRef {
  number: number;
  url: string;
  mergedAt: string;
  mergeCommitSha: string;
}

/** What `readPullRequest` answers: a pull request and what happened to it, at one head. */
export interface PullRequestSnapshot {
  pullRequest: PullRequestInfo;
  files: ChangedFile[];
  commits: PullRequestCommit[];
  reviews: Review[];
  baseChanges: BaseChange[];
  /** Dismissals of its reviews: the merge re-check needs what a review was at the merge. */
  reviewDismissals: ReviewDismissal[];
  /**
   * Asked with `checkName`: what `readCheckRun(pullRequest.headSha, checkName)` answers, read in
   * the same query (null: there is no such run). Absent when not asked, or when the query could
   * not tell (more runs than one page): then `readCheckRun` must be asked.
   */
  checkRun?: CheckRunSeen | null;
  /**
   * Asked with `paths`: what `readPaths(paths)` answers, read in the same query; absent when
   * they could not be read whole in it (then `readPaths` says why). Its reads are whatever the
   * caller asked for, not checked against the snapshot's head or base.
   */
  paths?: PathContents;
}

/** A check run as `readCheckRun` answers it: what the app last said on a head. */
export interface CheckRunSeen {
  conclusion: string | null;
  title: string;
  /** The run's id, when the read gives it (`readCheckRun` does). */
  id?: number;
  /** The run's `external_id` (see `CheckRunOutput.externalId`), when the read gives it. */
  externalId?: string | null;
}

/** This app's comment that carries a marker, as `findComment` and `upsertComment` give it. */
export interface FoundComment {
  /** GitHub's id of the comment: what a later `upsertComment` edits without listing again. */
  id: number;
  /** The comment's text as GitHub holds it (marker included). */
  body: string;
}

/**
 * What a `findComment` of the same issue and marker, made earlier in the same event, found:
 * `found` is that comment, or undefined when there was none. Given to `upsertComment`, the write
 * edits that comment (or posts a new one) without listing the comments again.
 */
export interface CommentLookup {
  found: FoundComment | undefined;
}

/** What `readPullRequest` may read along with the pull request, in the same query. */
export interface PullRequestExtras {
  /** This app's check run of this name on the head (`PullRequestSnapshot.checkRun`). */
  checkName?: string;
  /** Paths to read as `readPaths` does (`PullRequestSnapshot.paths`); no teams. */
  paths?: Omit<PathReads, "teams">;
}

/** A path at a commit (or branch). */
export interface PathAtRef {
  ref: string;
  path: string;
}

/** What `readPaths` reads: single files, directories read whole, and teams' members. */
export interface PathReads {
  files: readonly PathAtRef[];
  directories: readonly PathAtRef[];
  /** Teams whose members to read in the same query (as `listTeamsMembers`, all pages). */
  teams?: readonly TeamRef[];
}

/** What `readPaths` found, in the order asked. */
export interface PathContents {
  files: (string | undefined)[];
  /** Repository path -> text of every file under each directory. */
  directories: Map<string, string>[];
  /**
   * The logins of each team's active members (child teams included), in the order asked, when
   * `teams` were asked; undefined for a team that does not exist or is not visible to the app
   * (not an error here: the caller may not need it); null for one GitHub could not give in this
   * read for another reason (ask `listTeamsMembers` when it is needed).
   */
  teams?: (string[] | undefined | null)[];
}

/** A team of an organization. */
export interface TeamRef {
  org: string;
  slug: string;
}

export interface GitHubPort {
  readonly owner: string;
  readonly repo: string;

  /**
   * The text of a file at a ref, or undefined when it does not exist there. `ref` in every read
   * of this port is a full commit id or a branch name, and a name is read as the branch, never as
   * a tag named like it (which git, and GitHub, would take first).
   */
  getFile(ref: string, path: string): Promise<string | undefined>;
  /** Every file path under a directory at a ref (recursive), or [] when it does not exist. */
  listFiles(ref: string, directory: string): Promise<string[]>;
  /**
   * Optional batch read: the text of many files at a ref in a few requests (GraphQL), each
   * undefined when it does not exist there. Callers fall back to `getFile` when absent.
   */
  getFiles?(ref: string, paths: readonly string[]): Promise<Map<string, string | undefined>>;

  /**
   * Optional: the merged pull request that added `path` to `branch` (the oldest commit touching
   * the path, looked back from `from`, a commit of the branch, or else its head; then the pull
   * request GitHub associates with it whose base is `branch`), or undefined when no merged pull
   * request into `branch` did (the file was pushed to the branch directly). `branch` is a branch
   * name: a commit id throws, since it cannot say which base the pull request must have. The
   * sweep uses it to tell a merged request without a grant on its PR; without it, only the
   * dashboard says so.
   */
  findMergedPullRequest?(
    branch: string,
    path: string,
    from?: string,
  ): Promise<MergedPullRequestRef | undefined>;

  /**
   * Everything the evaluation reads of pull request `pullNumber`, all pages, as one snapshot:
   * the pull request, its files, commits, reviews (oldest first), the changes of its base branch
   * and the dismissals of its reviews (oldest first). Every part belongs to the head
   * `pullRequest.headSha` and base `pullRequest.baseRef` it names: an adapter that needs more than
   * one request checks that they did not move between them, and throws when they did. Throws when
   * any part cannot be read; never returns a half snapshot. `extras` are read in the same query
   * (see `PullRequestSnapshot.checkRun` and `.paths`).
   */
  readPullRequest(pullNumber: number, extras?: PullRequestExtras): Promise<PullRequestSnapshot>;
  /**
   * Files and directories at commits, in one read where the API allows: the text of each file
   * in `files` (undefined when it is not there), and of every file under each directory in
   * `directories` (recursive, by repository path; empty when it is not there), and the members of
   * each of `teams` (see `PathContents.teams`). Throws `UnreadableFileError` when a file cannot
   * be read as text (binary, or too large for the API to give whole).
   */
  readPaths(reads: PathReads): Promise<PathContents>;
  /**
   * The logins of the active members (child teams included) of each team (`org/team-slug`), in
   * the order asked, all pages. Throws an error with `status` 404 when a team does not exist or
   * is not visible to the app.
   */
  listTeamsMembers(teams: readonly TeamRef[]): Promise<string[][]>;
  /** Open pull requests of the repository (for the dashboard). */
  listOpenPullRequests(): Promise<PullRequestInfo[]>;

  /** Creates the check run `name` on `headSha`, or updates the one that is there. */
  upsertCheckRun(headSha: string, name: string, output: CheckRunOutput): Promise<void>;
  /**
   * Creates or updates the one comment of this app on an issue/PR that carries `marker` (a
   * hidden `<!-- hallpass:... -->` line), so re-runs edit instead of piling up comments; a
   * comment with the marker written by anyone else is never edited. Returns the comment as
   * written. `lookup`: what this event's `findComment` (or an earlier `upsertComment`) of the
   * same marker gave; the write then edits that comment, or posts one when there was none,
   * without listing the comments again (only ours are ever found, so only ours are edited).
   */
  upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    lookup?: CommentLookup,
  ): Promise<FoundComment>;
  /**
   * Optional: the one comment of this app on an issue/PR that carries `marker`, or undefined
   * when there is none. Such a comment is the record that a notice was told (a reminder, an
   * expiry warning, an announcement); without this method those are not sent.
   */
  findComment?(issueNumber: number, marker: string): Promise<FoundComment | undefined>;
  /**
   * Optional: the conclusion and title of this app's check run `name` on `headSha`, or
   * undefined when there is none: what the app last said about that head. Read before a new
   * evaluation writes its own, so that an approval or refusal is told once per head.
   */
  readCheckRun?(headSha: string, name: string): Promise<CheckRunSeen | undefined>;
  /**
   * Optional: asks GitHub to re-request check run `checkRunId` (GitHub sends its app a
   * `check_run.rerequested` webhook). GitHub answers 403 when the run is not the token's app's
   * own or cannot be re-requested, 422 when it cannot be re-requested, 404 when it is unknown.
   */
  rerequestCheckRun?(checkRunId: number): Promise<void>;
  /** Optional: closes an open pull request (a stale request). Needs pull-requests: write. */
  closePullRequest?(pullNumber: number): Promise<void>;
  requestReviewers(pullNumber: number, users: string[], teams: string[]): Promise<void>;
  /** Finds the open issue whose body carries `marker`, or creates it; updates its body. */
  upsertIssue(marker: string, title: string, body: string, labels?: string[]): Promise<IssueInfo>;

  /**
   * Commits files on `branch` in one commit through GraphQL's `createCommitOnBranch` (one
   * write, and GitHub signs the commit as the app). When the branch moved meanwhile, it retries
   * on the fresh head; it never force-pushes.
   * Returns the new commit SHA, or the current head when every file already had that content.
   * `hint.expectedHead`: a commit the caller has reason to think `branch` points at, and where
   * it knows `files` are not there yet (the grant on merge: the merge commit, where it just
   * found no record). The first try commits on it without reading the branch, saving a request;
   * when the branch is elsewhere GitHub refuses and the commit goes on as without the hint.
   */
  commitFiles(
    branch: string,
    files: FileToCommit[],
    message: string,
    hint?: { expectedHead?: string },
  ): Promise<string>;
  /** The repository's default branch name. */
  getDefaultBranch(): Promise<string>;

  /** The commit `branch` points at, or undefined when there is no such branch. */
  getBranchHead(branch: string): Promise<string | undefined>;
  /** Creates `branch` at commit `sha`; nothing when the branch already exists (anywhere). */
  createBranch(branch: string, sha: string): Promise<void>;
  /**
   * The newest pull request, open or closed, whose head is `branch` of this repository, or
   * undefined when there is none: how a redelivered event finds the pull request it opened.
   */
  findPullRequestByBranch(branch: string): Promise<PullRequestInfo | undefined>;
  /** Opens a pull request from `branch` into `base`. */
  createPullRequest(pull: NewPullRequest): Promise<PullRequestInfo>;
}

/** A pull request to open: from `branch` of this repository into `base`. */
export interface NewPullRequest {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/**
 * A file that is there but cannot be read as text (binary, or too large for the API to give
 * whole): a fact about the repository that reading again will not change, unlike an API failure.
 */
export class UnreadableFileError extends Error {
  override name = "UnreadableFileError";
}
