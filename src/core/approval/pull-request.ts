/**
 * A pull request as the approval decision and the check see it: the data the GitHub port reads
 * and writes. Decided here, in core, so that core never imports from the ports.
 */

export interface PullRequestInfo {
  number: number;
  url: string;
  state: "open" | "closed";
  draft: boolean;
  author: string;
  title: string;
  headSha: string;
  /** The base branch's commit this PR is compared against: policies and CODEOWNERS are read here. */
  baseSha: string;
  baseRef: string;
  /**
   * The repository's default branch, as the pull request's base repository reports it. Access
   * requests count only against it. Optional: callers ask `getDefaultBranch` when it is absent.
   */
  defaultBranch?: string;
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  /** When it was opened (ISO-8601); optional, for the reminders of unreviewed requests. */
  createdAt?: string;
}

export interface ChangedFile {
  path: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  /** The old path of a renamed file. */
  previousPath?: string;
}

export interface PullRequestCommit {
  sha: string;
  /** GitHub logins linked to the commit's author and committer, when GitHub knows them. */
  authorLogin: string | null;
  committerLogin: string | null;
  /**
   * Whether the commit carries a valid signature made with GitHub's own key (its API commits
   * made as the app are signed so; a key or certificate anyone else holds is not GitHub's).
   * Absent: not signed by GitHub.
   */
  signedByGitHub?: boolean;
}

export interface Review {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The head SHA the review was given on. */
  commitId: string;
  submittedAt: string;
  /** GitHub's `author_association` of the reviewer (OWNER, MEMBER, COLLABORATOR, NONE, ...). */
  authorAssociation?: string;
}

/**
 * A review's dismissal (GitHub's `review_dismissed` issue event): the review list shows a
 * dismissed review as DISMISSED whenever it was dismissed, so only this says what it was until
 * then, and when that ended.
 */
export interface ReviewDismissal {
  /** The dismissed review's id. */
  reviewId: number;
  /** What the review was before it was dismissed, upper-case (`CHANGES_REQUESTED`, `APPROVED`). */
  state: string;
  /** When it was dismissed (ISO-8601, as GitHub gives it). */
  at: string;
}

/** A change of a pull request's base branch (GitHub's `base_ref_changed` issue event). */
export interface BaseChange {
  /** When the base branch was changed (ISO-8601, as GitHub gives it). */
  at: string;
}

export interface CheckAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

export interface CheckRunOutput {
  /** `in_progress` while evaluating; `completed` with a conclusion otherwise. */
  status: "in_progress" | "completed";
  conclusion?: "success" | "failure" | "action_required" | "neutral";
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
  /**
   * The run's `external_id`, for machines: on an approval, until when it holds
   * (`approvedUntilExternalId`), or "" to clear an earlier one. Absent: left as it is.
   */
  externalId?: string;
}
