import { markdownCode, markdownLink, markdownText } from "../text/escape-markdown.ts";
import type { SweepPlan } from "./plan-sweep.ts";

/**
 * The job summary of one sweep (and the CLI's output): what it found, what it did, and what
 * went wrong, in Markdown. Pure: it renders the sweep's report and nothing else.
 */

/** The parts of the sweep report the summary shows. */
export interface SweepSummaryInput {
  dryRun: boolean;
  now: string;
  branch: string;
  accounts: string[];
  plan: SweepPlan;
  revoked: { requestPath: string; reason: string; detail: string }[];
  alerts: {
    requestPath: string;
    alert: { rule: string; severity: string; events: unknown[] };
    revoked: boolean;
  }[];
  audits: { requestPath: string; events: number; risky: number }[];
  watchDeferred: string[];
  /** Ended grants watched until their audit is written. */
  watchedEnded?: string[];
  dashboard: { url: string } | undefined;
  issues: { step: string; subject: string; message: string }[];
}

/** Paths, details and messages come from requests, records, AWS and GitHub: escaped. */
const cell = markdownText;

/** Renders the summary. */
export function renderSweepSummary(report: SweepSummaryInput): string {
  const p = report.plan;
  const verb = report.dryRun ? "would" : "did";
  const out = [
    `## hallpass sweep${report.dryRun ? " (dry run: nothing was changed)" : ""}`,
    "",
    `${report.now} on ${markdownCode(report.branch)}, accounts: ${cell(report.accounts.join(", ")) || "none"}${report.dashboard ? ` · ${markdownLink("dashboard", report.dashboard.url)}` : ""}`,
    "",
    "| | |",
    "|---|--:|",
    `| Grants watched (live, or ended and awaiting their audit) | ${p.watch.length + (report.watchedEnded?.length ?? 0) - report.watchDeferred.length} |`,
    `| Watch deferred to a later run (time budget) | ${report.watchDeferred.length} |`,
    `| Roles to revoke | ${p.revoke.length} |`,
    `| Revocations to record (role already gone) | ${p.recordRevocation.length} |`,
    `| Revoked | ${report.revoked.length} |`,
    `| New alerts | ${report.alerts.length} |`,
    `| Audit summaries due / written / waiting | ${p.auditsDue.length} / ${report.audits.length} / ${p.auditsWaiting.length} |`,
    `| Missing grants | ${p.missingGrants.length} |`,
    `| Grants whose role is still being created | ${p.pendingGrants.length} |`,
    `| Roles of other repositories | ${p.foreignRoles.length} |`,
    `| Unreachable accounts | ${p.unreachableAccounts.length} |`,
    `| Problems | ${report.issues.length} |`,
    "",
  ];
  const planned = report.dryRun
    ? p.revoke.map((r) => ({ requestPath: r.requestPath, reason: r.reason, detail: r.detail }))
    : report.revoked;
  if (planned.length > 0) {
    out.push(`### Revocations (${verb})`, "", "| Request | Reason | Detail |", "|---|---|---|");
    for (const r of planned)
      out.push(`| ${cell(r.requestPath)} | ${cell(r.reason)} | ${cell(r.detail)} |`);
    out.push("");
  }
  if (report.dryRun && p.recordRevocation.length > 0) {
    out.push("### Revocations it would record", "");
    for (const r of p.recordRevocation)
      out.push(`- ${cell(r.grant.requestPath)} (ended ${r.endedAt})`);
    out.push("");
  }
  if (report.alerts.length > 0) {
    out.push(
      "### Alerts",
      "",
      "| Request | Rule | Severity | Events | Revoked |",
      "|---|---|---|--:|---|",
    );
    for (const a of report.alerts) {
      out.push(
        `| ${cell(a.requestPath)} | ${cell(a.alert.rule)} | ${cell(a.alert.severity)} | ${a.alert.events.length} | ${a.revoked ? "yes" : "no"} |`,
      );
    }
    out.push("");
  }
  const audits = report.dryRun
    ? p.auditsDue.map((a) => `- ${cell(a.grant.requestPath)} (due ${a.dueAt})`)
    : report.audits.map((a) => `- ${cell(a.requestPath)}: ${a.events} events, ${a.risky} risky`);
  if (audits.length > 0) out.push(`### Audit summaries (${verb} write)`, "", ...audits, "");
  if (p.missingGrants.length > 0) {
    out.push("### Missing grants", "");
    for (const m of p.missingGrants) out.push(`- ${cell(m.requestPath)}: ${cell(m.detail)}`);
    out.push("");
  }
  if (report.issues.length > 0) {
    out.push("### Problems", "");
    for (const i of report.issues)
      out.push(`- **${cell(i.step)}** ${cell(i.subject)}: ${cell(i.message)}`);
    out.push("");
  }
  return out.join("\n");
}
