import type { AccessReport, ReportAccess } from "./build-report.ts";

/**
 * The report as CSV: one row per access, with the stable columns below (documented in
 * docs/verify.md; new columns are only ever added at the end). RFC 4180 quoting, CRLF line ends,
 * and a cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
 * carriage return) gets a leading `'`: a request's reason must never become a formula. Pure.
 */
export const REPORT_CSV_COLUMNS = [
  "request_path",
  "state",
  "requester",
  "role",
  "account",
  "reason",
  "ticket",
  "emergency",
  "pull_request",
  "approvers",
  "approved_at",
  "asked_duration",
  "asked_start",
  "granted_start",
  "granted_end",
  "ended_how",
  "ended_at",
  "ended_by",
  "events",
  "reads",
  "writes",
  "failed",
  "risky",
  "alerts",
  "findings",
] as const;

function cells(a: ReportAccess): (string | number | boolean | null | undefined)[] {
  return [
    a.requestPath,
    a.state,
    a.requester,
    a.role,
    a.account,
    a.reason,
    a.ticket,
    a.emergency,
    a.pullRequest?.number,
    [
      ...(a.approvedWithoutReview ? [`(without review: ${a.approvedWithoutReview})`] : []),
      ...a.approvals.map((p) => p.reviewer),
    ].join(" "),
    a.approvals.map((p) => p.at).join(" "),
    a.asked?.duration,
    a.asked?.start,
    a.granted?.start,
    a.granted?.end,
    a.ended.how,
    a.ended.at,
    a.ended.by,
    a.activity?.events,
    a.activity?.reads,
    a.activity?.writes,
    a.activity?.failed,
    a.activity?.risky,
    a.alerts.map((x) => `${x.rule}:${x.severity}${x.revoked ? ":revoked" : ""}`).join(" "),
    a.findings.map((f) => f.kind).join(" "),
  ];
}

/** One CSV cell: quoted when it must be, formula starters defused. */
function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderReportCsv(report: AccessReport): string {
  const lines = [
    REPORT_CSV_COLUMNS.join(","),
    ...report.accesses.map((a) => cells(a).map(cell).join(",")),
  ];
  return `${lines.join("\r\n")}\r\n`;
}
