/**
 * Step 5 of the evaluation: find who may approve the request file in CODEOWNERS at the base
 * commit, and who can never approve it (everyone who pushed to the pull request). No I/O.
 */

import type { PullRequestEvaluation } from "../../core/approval/pull-request-evaluation.ts";
import { CODEOWNERS_LOCATIONS, type Owner } from "../../core/policy/codeowners.ts";
import type { CodeownersIndex } from "../../core/policy/compile-codeowners.ts";
import type { Problem } from "../../core/source/problem.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { PullRequestCommit } from "../../ports/github.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";

/** GitHub lists at most 250 commits of a pull request; beyond that we cannot see every pusher. */
const MAX_VISIBLE_COMMITS = 250;

/**
 * What CODEOWNERS says about the request file: the owners who may approve (`approvers`) when an
 * access-requests/ line owns it, or a `failure` when nobody can approve it.
 */
export type Ownership = {
  /** CODEOWNERS problems, for the check's summary. */
  problems: Problem[];
  /** The rule that owns the file, when one matches. */
  owners: PullRequestEvaluation["owners"];
} & ({ approvers: Owner[] } | { failure: EvaluationFailure });

/** Finds the owners of `requestPath` in compiled CODEOWNERS (null: no CODEOWNERS file). */
export function findOwners(index: CodeownersIndex | null, requestPath: string): Ownership {
  const none = { problems: [], owners: undefined };
  if (index === null) {
    return {
      ...none,
      failure: failure("No CODEOWNERS file on the base branch", [
        `hallpass needs CODEOWNERS (at ${CODEOWNERS_LOCATIONS.join(", ")}) on the base branch to know who may approve; add one in its own pull request.`,
      ]),
    };
  }
  const codeowners = index.codeowners;
  const match = index.match(requestPath);
  const found = {
    problems: codeowners.problems,
    owners: match && {
      file: codeowners.path,
      line: match.rule.line,
      pattern: match.rule.pattern,
      owners: match.owners,
    },
  };
  if (!match || match.owners.length === 0) {
    return {
      ...found,
      failure: failure("Nobody owns this request file", [
        match
          ? `${markdownCode(codeowners.path)} line ${match.rule.line} (${markdownCode(match.rule.pattern)}) leaves ${markdownCode(requestPath)} without owners; give it owners so that someone can approve.`
          : `No line of ${markdownCode(codeowners.path)} matches ${markdownCode(requestPath)}; add one naming who approves access requests.`,
      ]),
    };
  }
  // The requester names the file, so a general line that wins for some names (`*.yml`, an
  // unanchored `docs/`, a catch-all `*`) would let them pick their approvers by naming it.
  if (!/^\/?access-requests\//.test(match.rule.pattern)) {
    return {
      ...found,
      failure: failure("The request file is not owned by an access-requests/ line", [
        `${markdownCode(codeowners.path)} line ${match.rule.line} (${markdownCode(match.rule.pattern)}) is the last line matching ${markdownCode(requestPath)}, and it is not written for access requests. Only a line whose pattern starts with \`access-requests/\` or \`/access-requests/\` may name their approvers, so that a request cannot pick its approvers by its file name: add or move such a line below the general one, or rename the file.`,
      ]),
    };
  }
  return { ...found, approvers: match.owners };
}

/**
 * Everyone who authored or committed a commit of the pull request: they can never approve it.
 * A failure when a commit cannot be attributed or GitHub cannot list them all.
 */
export function collectPushers(
  commits: PullRequestCommit[],
): { pushers: string[] } | EvaluationFailure {
  const pushers: string[] = [];
  for (const commit of commits) {
    if (commit.authorLogin === null || commit.committerLogin === null) {
      return failure("A commit cannot be attributed", [
        `Commit ${commit.sha.slice(0, 7)} has an author or committer that GitHub cannot link to an account, so hallpass cannot tell whether a would-be approver pushed to this pull request. Recreate the commit with the email address of your GitHub account.`,
      ]);
    }
    pushers.push(commit.authorLogin, commit.committerLogin);
  }
  if (commits.length >= MAX_VISIBLE_COMMITS) {
    return failure("Too many commits", [
      `GitHub lists at most ${MAX_VISIBLE_COMMITS} commits of a pull request, so hallpass cannot see everyone who pushed; open a new pull request with the request file only.`,
    ]);
  }
  return { pushers };
}
