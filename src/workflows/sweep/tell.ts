import type { UngrantedRecord } from "../../core/grant/records.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import {
  GRANT_CREATION_GRACE_SECONDS,
  type MissingGrant,
  type SweepPlan,
} from "../../core/sweep/plan-sweep.ts";
import {
  missingGrantMarker,
  renderMissingGrantComment,
  renderUngrantedComment,
  ungrantedMarker,
} from "../../core/sweep/render-alerts.ts";
import { countOf } from "../../core/text/count-of.ts";
import { mapPool } from "../map-pool.ts";
import { issueOf, type SweepDeps, type SweepIssue, type SweepRun } from "./types.ts";

/** Sends `text` to Slack when policies configure it; a failure is an issue about `subject`. */
export type TellSlack = (subject: string, text: string, issues: SweepIssue[]) => Promise<void>;

/** The run's Slack teller: silent when policies name no webhook or in a dry run. */
export function slackTeller(deps: SweepDeps, policies: Policies, dryRun: boolean): TellSlack {
  const env = policies.settings.notifications.slackWebhookEnv;
  const notify = env ? deps.notifierFor?.(env) : undefined;
  return async (subject, text, issues) => {
    if (!notify || dryRun) return;
    try {
      await notify(text);
    } catch (error) {
      issues.push(issueOf("notify", subject, error));
    }
  };
}

/**
 * Tells what the plan found missing: the PR of each grant git records but AWS lacks, and the
 * PR of each merged request without a grant record (see `tellUngranted`). Returns the failures.
 */
export async function tellMissingGrants(run: SweepRun, plan: SweepPlan): Promise<SweepIssue[]> {
  const issues: SweepIssue[] = [];
  for (const missing of plan.missingGrants) {
    if (!missing.grant) continue;
    await run.deps.github
      .upsertComment(
        missing.grant.pullRequest.number,
        missingGrantMarker(missing.requestPath),
        renderMissingGrantComment(missing.grant, missing.detail),
      )
      .catch((error: Error) => issues.push(issueOf("notify", missing.requestPath, error)));
  }
  await tellUngranted(run, plan, issues);
  return issues;
}

/**
 * Tells the PR of each merged request without a grant record, and records that it did
 * (`<stem>.ungranted.json`), so the next runs neither ask GitHub again nor comment again. A
 * request merged less than the creation grace ago is left for later (the app may still be
 * granting it); one that no merged PR added is left on the dashboard, where a person must look
 * (marked `withoutPullRequest` in the plan, which the dashboard reads).
 * Comment first, record second: a run killed in between comments again (same comment, edited
 * in place), never not at all.
 */
async function tellUngranted(run: SweepRun, plan: SweepPlan, issues: SweepIssue[]) {
  const github = run.deps.github;
  const find = github.findMergedPullRequest?.bind(github);
  if (!find) return;
  const records: UngrantedRecord[] = [];
  await mapPool(
    plan.missingGrants.filter((m) => m.grant === undefined),
    run.concurrency,
    async (missing) => {
      try {
        const record = await tellOneUngranted(run, find, missing);
        if (record) records.push(record);
      } catch (error) {
        issues.push({
          step: "notify",
          subject: missing.requestPath,
          message: `telling the PR of a merged request without a grant failed: ${(error as Error).message}`,
        });
      }
    },
  );
  if (records.length === 0) return;
  records.sort((a, b) => (a.requestPath < b.requestPath ? -1 : 1));
  try {
    await github.commitFiles(
      run.branch,
      records.map((r) => ({
        path: recordPath(r.requestPath, "ungranted"),
        content: `${JSON.stringify(r, null, 2)}\n`,
      })),
      `hallpass: ${countOf(records.length, "merged request")} without a grant, told on the PR\n\n${records.map((r) => `- ${r.requestPath} (#${r.pullRequest.number})`).join("\n")}`,
    );
  } catch (error) {
    issues.push(issueOf("notify", "ungranted records", error));
  }
}

/** Comments on the PR that merged one ungranted request; the record to commit, if it told. */
async function tellOneUngranted(
  run: SweepRun,
  find: NonNullable<SweepDeps["github"]["findMergedPullRequest"]>,
  missing: MissingGrant,
): Promise<UngrantedRecord | undefined> {
  // From the commit the records were read at (resolved after the roles were listed), not the
  // branch per file: one snapshot for the run. The branch names the base the PR merged into.
  const pull = await find(run.branch, missing.requestPath, run.head);
  if (!pull) {
    missing.withoutPullRequest = true;
    missing.detail = `${missing.detail}; no merged pull request added this file (pushed to ${run.branch} directly?)`;
    return undefined;
  }
  if (run.now.getTime() < Date.parse(pull.mergedAt) + GRANT_CREATION_GRACE_SECONDS * 1000) {
    return undefined; // the app may still be granting it
  }
  await run.deps.github.upsertComment(
    pull.number,
    ungrantedMarker(missing.requestPath),
    renderUngrantedComment(missing.requestPath, `merged in #${pull.number} at ${pull.mergedAt}`),
  );
  return {
    version: 1,
    requestPath: missing.requestPath,
    pullRequest: {
      number: pull.number,
      url: pull.url,
      mergeCommit: pull.mergeCommitSha,
      mergedAt: pull.mergedAt,
    },
    reportedAt: run.now.toISOString(),
    detail: missing.detail,
    source: "sweep",
  };
}
