/**
 * Step 5c of the sweep: a green check whose approvals aged out. No webhook marks that moment,
 * so the check would stay green until the next event. The app wrote until when each green
 * check holds (its run's `external_id`, see approval-expiry.ts); once that has passed, the sweep
 * asks GitHub to re-request the check, and the app, on `check_run.rerequested`, decides again.
 * When GitHub refuses (the token is not the app's own, or the run cannot be re-requested), the
 * pull request is told once per head that its check is stale. The merge re-check refuses an
 * aged-out approval either way: this keeps the check honest, it guards nothing.
 */

import {
  approvalsAgeOut,
  approvedUntilOf,
  renderStaleCheckComment,
  staleCheckMarker,
} from "../../core/approval/approval-expiry.ts";
import { CHECK_NAME } from "../../core/approval/render-check.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { errorMessage, httpStatus } from "../../core/text/error-message.ts";
import type { GitHubPort, PullRequestInfo } from "../../ports/github.ts";
import {
  commentOnce,
  issueOf,
  type OpenPullRequests,
  type SweepIssue,
  type SweepRun,
} from "./types.ts";

/** What the step did, for the log and the report. */
export interface RecheckOutcome {
  issues: SweepIssue[];
  /** Pull requests whose check was re-requested. */
  rerequested: number[];
  /** Pull requests told that their check is stale (the re-request was refused). */
  told: number[];
}

/** GitHub's answers that say the re-request is not allowed, rather than that it failed. */
const REFUSED = new Set([403, 404, 422]);

/**
 * Re-requests every open pull request's green check whose approvals aged out. Reads nothing
 * when no policy lets approvals age out, or in every shard of a matrix but one (see
 * `rechecksHere`); otherwise the open pull requests (listed once a run, with step 5b), less
 * those 5b closed, and one read of each one's check.
 * Every failure is an issue; none stops the run.
 */
export async function recheckAgedApprovals(
  run: SweepRun,
  input: {
    policies: Policies;
    openPullRequests: OpenPullRequests;
    /** Pull requests an earlier step of the run closed since they were listed. */
    closed: readonly number[];
  },
): Promise<RecheckOutcome> {
  const { policies } = input;
  const out: RecheckOutcome = { issues: [], rerequested: [], told: [] };
  const github = run.deps.github;
  if (!approvalsAgeOut(policies) || !github.readCheckRun || !rechecksHere(run, policies)) {
    return out;
  }
  const open = await input.openPullRequests();
  for (const pull of (open ?? []).filter((p) => !input.closed.includes(p.number))) {
    try {
      await recheckOne(github, pull, run.now, out);
    } catch (error) {
      if (error instanceof ChecksUnreadable) {
        // A token minted without `checks: read` (a workflow older than this step) sees no
        // check: said in the log, never a failed job for it.
        run.deps.log?.(`approvals aged out: cannot read the checks (${error.message}); skipped`);
        break;
      }
      out.issues.push(issueOf("notify", `pull request #${pull.number}`, error));
    }
  }
  return out;
}

/**
 * Whether this run is the shard that re-requests: the one sweeping the first account of
 * policies/ (every run that sweeps all accounts is). A check is no account's until its request
 * is read, so one shard does it for all: else each shard would re-request the same check, and
 * shards refused by GitHub would race to write the same stale-check comment.
 */
function rechecksHere(run: SweepRun, policies: Policies): boolean {
  const first = Object.values(policies.accounts)[0];
  return first !== undefined && run.targets.has(first.id);
}

/** GitHub refused to show the checks: the token lacks the checks permission. */
class ChecksUnreadable extends Error {}

/** Re-requests `pull`'s check when it is green past the time its approvals count until. */
async function recheckOne(
  github: GitHubPort,
  pull: PullRequestInfo,
  now: Date,
  out: RecheckOutcome,
): Promise<void> {
  const check = await github.readCheckRun!(pull.headSha, CHECK_NAME).catch((error: unknown) => {
    throw httpStatus(error) === 403 ? new ChecksUnreadable(errorMessage(error)) : error;
  });
  if (check?.conclusion !== "success" || check.id === undefined) return;
  const until = approvedUntilOf(check.externalId);
  if (until === undefined || now.getTime() < until) return;
  if (await rerequest(github, check.id)) {
    // Taken: the app decides again on `check_run.rerequested`. Nothing is said on the pull
    // request: an answer lost is asked for again by the next run's re-request, and a check
    // first seen long after it aged (a late run, a new `checks: read`) was never unanswered.
    out.rerequested.push(pull.number);
    return;
  }
  // Refused: say it on the pull request, once per head (a new push gets a new check anyway).
  const text = () => renderStaleCheckComment(pull.headSha, new Date(until).toISOString());
  if (await commentOnce(github, pull.number, staleCheckMarker(pull.headSha), text)) {
    out.told.push(pull.number);
  }
}

/** Whether GitHub took the re-request; false when it refused it (or the port cannot ask). */
async function rerequest(github: GitHubPort, checkRunId: number): Promise<boolean> {
  if (!github.rerequestCheckRun) return false;
  try {
    await github.rerequestCheckRun(checkRunId);
    return true;
  } catch (error) {
    if (REFUSED.has(httpStatus(error) ?? 0)) return false;
    throw error;
  }
}
