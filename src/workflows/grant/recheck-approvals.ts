/**
 * Step 1 of the grant on merge: re-check the approvals from the API, as they stand at the
 * merge. An admin can merge past a red check, so the check's colour is never trusted.
 */

import type { PullRequestEvaluation } from "../../core/approval/pull-request-evaluation.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import type { ValidatedRequest } from "../../core/request/validate-request.ts";
import type { GitHubPort } from "../../ports/github.ts";
import { evaluatePullRequest } from "../evaluate-pull-request.ts";
import type { GrantStop, MergedPull } from "./grant-types.ts";

/** The Unix epoch: see the comment where it is used. */
const EPOCH = new Date(0);

export type Recheck =
  /** Not an access request, or not merged: nothing to do, nobody to tell. */
  | { kind: "skipped"; reason: string }
  /** GitHub could not be read, or the approvals do not hold: the grant stops with `stop`. */
  | {
      kind: "stopped";
      pull: MergedPull;
      requestPath: string | undefined;
      policies: Policies | undefined;
      stop: GrantStop;
    }
  /** Approved at the merge commit: what the later steps grant from. */
  | {
      kind: "approved";
      pull: MergedPull;
      requestPath: string;
      policies: Policies;
      request: ValidatedRequest;
      evaluation: PullRequestEvaluation;
    };

/**
 * Re-evaluates merged pull request `pullNumber`: policies and CODEOWNERS at the merge commit,
 * reviews on the last head SHA and submitted before the merge. Only a merged, approved request
 * with its policies goes on; anything else stops, failing closed. `rulesAt` (the merge commit
 * the event names) lets the rules be read with the pull request (see `EvaluationContext`).
 */
export async function recheckApprovals(
  github: GitHubPort,
  pullNumber: number,
  rulesAt?: string,
): Promise<Recheck> {
  // "start is in the past" is a rule for submitting a request, not for granting it (a request
  // may be merged after its start): the window check of the plan decides. No cache: the rules
  // read along are content-addressed, and team members are read afresh here, never reused
  // from the review events'.
  const evaluation = await evaluatePullRequest(github, pullNumber, {
    now: EPOCH,
    ...(rulesAt ? { rulesAt } : {}),
  });
  const pull = evaluation.pullRequest;
  if (evaluation.status === "skipped") {
    return { kind: "skipped", reason: "not an access request" };
  }
  if (!pull.merged || !pull.mergeCommitSha || !pull.mergedAt) {
    return { kind: "skipped", reason: "the pull request is not merged" };
  }
  const merged: MergedPull = {
    ...pull,
    mergeCommitSha: pull.mergeCommitSha,
    mergedAt: pull.mergedAt,
  };
  const { requestPath, request, policies } = evaluation;
  const stopped = { kind: "stopped" as const, pull: merged, requestPath, policies };
  if (evaluation.apiError !== undefined) {
    // A retry may decide otherwise: nobody is told that the approvals do not hold.
    const reason = `GitHub could not be read to re-check the approvals: ${evaluation.apiError}`;
    return {
      ...stopped,
      stop: {
        stop: "failed",
        title: "GitHub could not be read",
        details: [
          `${reason}. Nothing was created. Redeliver the merge event (or ask an administrator to) to try again.`,
        ],
        reason,
        rolledBack: true,
      },
    };
  }
  if (evaluation.status !== "approved" || !request || !policies || !requestPath) {
    return {
      ...stopped,
      stop: {
        stop: "refused",
        title: `approvals do not hold at the merge commit ${merged.mergeCommitSha.slice(0, 7)}`,
        details: [
          `${evaluation.title}.`,
          ...evaluation.reasons,
          `@${pull.mergedBy ?? "someone"} merged this pull request past the hallpass/approval check.`,
        ],
      },
    };
  }
  return { kind: "approved", pull: merged, requestPath, policies, request, evaluation };
}
