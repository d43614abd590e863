import {
  type AuditSummary,
  auditSubjectOf,
  createActivityTally,
  type RiskRule,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
} from "../../core/audit/summarize-activity.ts";
import type { AlertRule } from "../../core/policy/policy-format.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import type { DueAudit } from "../../core/sweep/plan-sweep.ts";
import { countOf } from "../../core/text/count-of.ts";
import type { AccountTarget } from "../../ports/aws.ts";
import type { CloudTrailPort } from "../../ports/cloudtrail.ts";
import type { FileToCommit, GitHubPort } from "../../ports/github.ts";
import { mapPool } from "../map-pool.ts";
import { issueOf, type SweepAudit, type SweepIssue, type SweepRun } from "./types.ts";

/**
 * Writes the audit summaries of ended grants: reads each grant's CloudTrail events in every
 * region of its account (and us-east-1, where IAM and STS log), tallies them as they stream in,
 * commits `<stem>.audit.json` and `<stem>.audit.md` for all of them in one commit, and links
 * each from a comment on its pull request.
 *
 * The lookup window is fixed by the records (window start to end + delivery delay), so writing
 * again reads the same events and commits nothing new. A grant whose lookup failed gets no
 * summary this run (never a partial one) and is tried again on the next; an event CloudTrail
 * lists but whose record cannot be read is counted and named in the summary instead (retrying
 * would read the same record), and an event returned twice is counted once.
 */

export interface AuditJob {
  due: DueAudit;
  /** The grant's account with its broker role (from policies/). */
  account: AccountTarget;
  /** The account's regions from policies/. */
  regions: string[];
}

export interface AuditOptions {
  branch: string;
  auditDelaySeconds: number;
  riskRules: readonly RiskRule[];
  /** How many grants are read at once; CloudTrail pacing is per account+region anyway. */
  concurrency?: number;
}

export interface AuditOutcome {
  written: { requestPath: string; pullRequest: number; summary: AuditSummary }[];
  failed: { requestPath: string; message: string }[];
}

/**
 * The sweep's audit step: writes the summaries the plan says are due, in the accounts in scope.
 * A failed lookup or link is an issue; the grant's summary is tried again on the next run.
 */
export async function writeAudits(
  run: SweepRun,
  input: { auditsDue: readonly DueAudit[]; auditDelaySeconds: number; rules: readonly AlertRule[] },
): Promise<{ audits: SweepAudit[]; issues: SweepIssue[] }> {
  const audits: SweepAudit[] = [];
  const issues: SweepIssue[] = [];
  const jobs = input.auditsDue.flatMap((due) => {
    const target = run.targets.get(due.grant.account.id);
    if (!target) return [];
    const account = { name: target.name, id: target.id, brokerRole: target.brokerRole };
    return [{ due, account, regions: target.regions }];
  });
  try {
    const outcome = await writeAuditSummaries(run.deps, jobs, {
      branch: run.branch,
      auditDelaySeconds: input.auditDelaySeconds,
      riskRules: riskRulesOf(input.rules),
      concurrency: run.concurrency,
    });
    for (const w of outcome.written) {
      audits.push({
        requestPath: w.requestPath,
        pullRequest: w.pullRequest,
        events: w.summary.totals.events,
        risky: w.summary.riskyEvents.length,
      });
    }
    for (const f of outcome.failed) {
      issues.push({ step: "audit", subject: f.requestPath, message: f.message });
    }
  } catch (error) {
    issues.push(issueOf("audit", "audit commit", error));
  }
  return { audits, issues };
}

/** Comment marker of a grant's audit link on its PR. */
export function auditCommentMarker(requestPath: string): string {
  return `<!-- hallpass:audit-link ${requestPath} -->`;
}

async function summarize(
  cloudtrail: CloudTrailPort,
  job: AuditJob,
  options: AuditOptions,
): Promise<AuditSummary> {
  const { grant, revocation } = job.due;
  const subject = auditSubjectOf(grant, revocation, job.regions);
  const tally = createActivityTally(subject, options.riskRules);
  const endTime = new Date(Date.parse(subject.endedAt) + options.auditDelaySeconds * 1000);
  for (const region of subject.regions) {
    for await (const events of cloudtrail.grantEventPages({
      account: job.account,
      region,
      sessionName: grant.sessionName,
      roleArns: [grant.roleArn],
      startTime: new Date(grant.window.start),
      endTime,
      // Counted and named in the summary: one bad record must not block the audit forever.
      onUnreadable: (event) => tally.unreadable(event),
    })) {
      for (const event of events) tally.add(event);
    }
  }
  return tally.summary();
}

function blobUrl(pullRequestUrl: string, branch: string, path: string): string {
  const repo = pullRequestUrl.replace(/\/pull\/\d+$/, "");
  return `${repo}/blob/${encodeURIComponent(branch)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** Summarises, commits and links the audits of `jobs`. */
export async function writeAuditSummaries(
  deps: { github: GitHubPort; cloudtrail: CloudTrailPort },
  jobs: readonly AuditJob[],
  options: AuditOptions,
): Promise<AuditOutcome> {
  const outcome: AuditOutcome = { written: [], failed: [] };
  if (jobs.length === 0) return outcome;
  const results = await mapPool(jobs, options.concurrency ?? 8, async (job) => {
    try {
      return { job, summary: await summarize(deps.cloudtrail, job, options) };
    } catch (error) {
      return { job, error: (error as Error).message };
    }
  });
  const files: FileToCommit[] = [];
  const done: { job: AuditJob; summary: AuditSummary }[] = [];
  for (const r of results) {
    if ("error" in r) {
      outcome.failed.push({ requestPath: r.job.due.grant.requestPath, message: r.error! });
      continue;
    }
    const path = r.job.due.grant.requestPath;
    files.push(
      { path: recordPath(path, "audit", "json"), content: renderAuditJson(r.summary) },
      { path: recordPath(path, "audit", "md"), content: renderAuditMarkdown(r.summary) },
    );
    done.push(r);
  }
  if (files.length === 0) return outcome;
  // Link first, commit second: a run killed in between leaves a link to a file that the next
  // run (which finds no audit yet) writes; the other order could leave a summary never linked.
  await linkAudits(deps.github, done, options.branch, outcome);
  await deps.github.commitFiles(
    options.branch,
    files,
    `hallpass: audit summaries of ${countOf(done.length, "ended grant")}\n\n` +
      done.map((d) => `- ${d.job.due.grant.requestPath}`).join("\n"),
  );
  for (const { job, summary } of done) {
    const grant = job.due.grant;
    outcome.written.push({
      requestPath: grant.requestPath,
      pullRequest: grant.pullRequest.number,
      summary,
    });
  }
  return outcome;
}

/** Links each summary from a comment on its PR; a failed comment is noted in `outcome`. */
async function linkAudits(
  github: GitHubPort,
  done: readonly { job: AuditJob; summary: AuditSummary }[],
  branch: string,
  outcome: AuditOutcome,
): Promise<void> {
  for (const { job, summary } of done) {
    const grant = job.due.grant;
    try {
      await github.upsertComment(
        grant.pullRequest.number,
        auditCommentMarker(grant.requestPath),
        auditComment(summary, grant.pullRequest.url, branch),
      );
    } catch (error) {
      outcome.failed.push({
        requestPath: grant.requestPath,
        message: `the PR comment linking the audit failed (the summary is committed anyway): ${(error as Error).message}`,
      });
    }
  }
}

function auditComment(summary: AuditSummary, pullRequestUrl: string, branch: string): string {
  const md = recordPath(summary.requestPath, "audit", "md");
  const json = recordPath(summary.requestPath, "audit", "json");
  const t = summary.totals;
  return [
    auditCommentMarker(summary.requestPath),
    `**Audit summary** of this grant (ended ${summary.endedAt}, ${summary.endReason}): ${t.events} events, ${t.reads} reads, ${t.writes} writes, ${t.failed} failed; ${summary.riskyEvents.length} risky${summary.unreadableEventsTotal > 0 ? `; ${summary.unreadableEventsTotal} could not be read (named in the summary)` : ""}.`,
    "",
    `[Read it](${blobUrl(pullRequestUrl, branch, md)}) · [JSON](${blobUrl(pullRequestUrl, branch, json)})`,
  ].join("\n");
}
