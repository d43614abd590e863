import { formatDuration } from "../request/duration.ts";
import { countOf } from "../text/count-of.ts";
import { markdownCodeCell, markdownLink, markdownText } from "../text/escape-markdown.ts";
import { mermaidLabel } from "../text/escape-mermaid.ts";
import type { AccessReport, ReportAccess, ReportTotal } from "./build-report.ts";

/**
 * The report in Markdown, for a pull request or a wiki: totals, exceptions, a Mermaid timeline
 * of who held which access when, and one row per access. Every value from a request or a record
 * is escaped for where it lands (text, code cell, Mermaid label). Pure.
 */
export function renderReportMarkdown(report: AccessReport): string {
  return [
    `# Access report ${day(report.period.since)} to ${day(report.period.until)}`,
    "",
    `Read from git at \`${report.revision.slice(0, 12)}\` on ${report.generatedAt}. ${report.trailHolds ? "`hallpass verify` finds the trail intact" : `**\`hallpass verify\` finds ${countOf(report.exceptions.findings.length, "problem")} in the trail** (below)`}${report.signaturesChecked ? ", with every record commit's signature checked" : " (signatures not checked)"}.`,
    "",
    "## Totals",
    "",
    `${countOf(report.totals.accesses, "access", "accesses")} (${report.totals.granted} granted).`,
    "",
    ...totalsTable("Person", report.totals.byPerson),
    ...totalsTable("Role", report.totals.byRole),
    ...totalsTable("Account", report.totals.byAccount),
    ...exceptions(report),
    ...timeline(report.accesses),
    "## Accesses",
    "",
    "| Request | Requester | Role | Account | Reason | Ticket | Approved by | Asked | Granted | Ended | Activity | Alerts | Break-glass |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.accesses.map(row),
    "",
  ].join("\n");
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function time(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/(:\d{2})(\.\d+)?Z$/, "$1 UTC") : "";
}

function totalsTable(label: string, totals: readonly ReportTotal[]): string[] {
  return [
    `| ${label} | Accesses | Granted time in the period |`,
    "| --- | ---: | ---: |",
    ...totals.map(
      (t) => `| ${markdownText(t.key)} | ${t.accesses} | ${formatDuration(t.grantedSeconds)} |`,
    ),
    "",
  ];
}

function exceptions(report: AccessReport): string[] {
  const e = report.exceptions;
  const list = (title: string, paths: readonly string[]) =>
    paths.length === 0
      ? []
      : [`**${title}** (${paths.length}): ${paths.map((p) => markdownCodeCell(p)).join(", ")}`, ""];
  const lines = [
    ...list("Break-glass", e.breakGlass),
    ...list("Revoked or reconciled", e.revocations),
    ...list("With alerts", e.alerts),
    ...list("Audit summary missing", e.missingAudits),
  ];
  const findings = e.findings.map(
    (f) =>
      `- ${markdownCodeCell(`${f.file || "(history)"}${f.line > 1 ? `:${f.line}` : ""}`)} ${markdownText(f.kind)}: ${markdownText(f.message)}`,
  );
  return [
    "## Exceptions",
    "",
    ...(lines.length === 0 && findings.length === 0 ? ["None.", ""] : lines),
    ...(findings.length > 0 ? ["Findings of `hallpass verify`:", "", ...findings, ""] : []),
  ];
}

/** A Mermaid gantt chart: one bar per granted access, in UTC. */
function timeline(accesses: readonly ReportAccess[]): string[] {
  const granted = accesses.filter((a) => a.granted);
  if (granted.length === 0) return [];
  const gantt = (iso: string) => iso.slice(0, 16).replace("T", " ");
  return [
    "## Timeline (UTC)",
    "",
    "```mermaid",
    "gantt",
    "  dateFormat YYYY-MM-DD HH:mm",
    "  axisFormat %m-%d %H:%M",
    "  todayMarker off",
    ...granted.map((a) => {
      const end = a.ended.at && a.ended.at < a.granted!.end ? a.ended.at : a.granted!.end;
      const tag = a.emergency || a.alerts.length > 0 ? "crit, " : "active, ";
      return `  ${mermaidLabel(`${a.requester ?? "?"} ${a.role ?? "?"} in ${a.account ?? "?"}`)} :${tag}${gantt(a.granted!.start)}, ${gantt(end)}`;
    }),
    "```",
    "",
  ];
}

function row(a: ReportAccess): string {
  const cells = [
    a.pullRequest
      ? `${markdownCodeCell(a.requestPath)} ${markdownLink(`#${a.pullRequest.number}`, a.pullRequest.url)}`
      : markdownCodeCell(a.requestPath),
    markdownText(a.requester ?? ""),
    markdownText(a.role ?? ""),
    markdownText(a.account ?? ""),
    markdownText(a.reason ?? ""),
    markdownText(a.ticket ?? ""),
    [
      ...(a.approvedWithoutReview
        ? [markdownText(`without review: ${a.approvedWithoutReview}`)]
        : []),
      ...a.approvals.map((p) => `${markdownText(p.reviewer)} (${time(p.at)})`),
    ].join(", "),
    a.asked
      ? markdownText(`${a.asked.duration}${a.asked.start ? ` from ${a.asked.start}` : ""}`)
      : "",
    a.granted ? `${time(a.granted.start)} to ${time(a.granted.end)}` : markdownText(a.state),
    markdownText(
      `${a.ended.how}${a.ended.at ? ` ${time(a.ended.at)}` : ""}${a.ended.by ? ` by ${a.ended.by}` : ""}`,
    ),
    a.activity
      ? `${a.activity.events} events: ${a.activity.reads} reads, ${a.activity.writes} writes, ${a.activity.failed} failed, ${a.activity.risky} risky`
      : a.granted
        ? "no audit summary"
        : "",
    a.alerts
      .map((x) => markdownText(`${x.rule} (${x.severity}${x.revoked ? ", revoked" : ""})`))
      .join(", "),
    a.emergency ? "yes: review in GitHub" : "",
  ];
  return `| ${cells.join(" | ")} |`;
}
