import { countOf } from "../text/count-of.ts";
import {
  markdownCode,
  markdownCodeCell,
  markdownLink,
  markdownText,
} from "../text/escape-markdown.ts";
import type { AccessHistory, HistoryEntry, HistoryFinding } from "./build-access-history.ts";

/**
 * The access history for people: `text` for a terminal (one block per request, its findings
 * under it), `markdown` for an audit report (a table of every request, then every finding).
 * JSON needs no renderer: it is the `AccessHistory` value itself.
 */
export function renderAccessHistory(history: AccessHistory, format: "text" | "markdown"): string {
  let text = "";
  writeAccessHistory(history, format, (piece) => {
    text += piece;
  });
  return text;
}

/**
 * The same text as `renderAccessHistory`, handed to `write` in pieces of about `chunkSize`
 * characters as it is made: the text of 10,000 requests (10 MB) is never held whole.
 */
export function writeAccessHistory(
  history: AccessHistory,
  format: "text" | "markdown",
  write: (text: string) => void,
  chunkSize = 1 << 16,
): void {
  const out = new Lines(write, chunkSize);
  if (format === "text") renderText(history, out);
  else renderMarkdown(history, out);
  out.flush();
}

/** Lines of text, each ended by a newline, written on in pieces. */
class Lines {
  private pending = "";
  private readonly write: (text: string) => void;
  private readonly chunkSize: number;
  constructor(write: (text: string) => void, chunkSize: number) {
    this.write = write;
    this.chunkSize = chunkSize;
  }
  push(...lines: string[]): void {
    for (const line of lines) this.pending += `${line}\n`;
    if (this.pending.length >= this.chunkSize) this.flush();
  }
  flush(): void {
    if (this.pending.length > 0) this.write(this.pending);
    this.pending = "";
  }
}

/** `2026-11-26T09:12:03.000Z` or `2026-11-26T10:12:03+01:00` -> `2026-11-26 09:12 UTC`. */
export function utc(time: string | null | undefined): string {
  if (!time) return "-";
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  // The calendar date of the day number, as Date computes it (proleptic Gregorian, days
  // counted from 0000-03-01 in 400-year eras: H. Hinnant's civil_from_days), without a Date
  // and a string per field: the history writes about ten times per request (10,000 requests:
  // 35 MB of garbage and about 0.03 s as a Date's fields, 0.1 s more as toISOString pieces).
  const days = Math.floor(ms / DAY);
  const minutes = Math.floor((ms - days * DAY) / MINUTE);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // Other years: toISOString writes them with a sign and six digits; cut as before.
  if (year < 0 || year > 9999)
    return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const y = year >= 1000 ? String(year) : String(year).padStart(4, "0");
  return `${y}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]} ${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]} UTC`;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** "00" to "99". */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));

function requestLine(e: HistoryEntry): string {
  const r = e.request;
  if (r) {
    const extras = [
      r.ticket ? `ticket ${r.ticket}` : undefined,
      r.emergency ? "EMERGENCY" : undefined,
      r.extends ? `extends ${r.extends}` : undefined,
      r.start ? `from ${utc(r.start)}` : undefined,
    ].filter((x) => x !== undefined);
    return `${r.requester} -> ${r.role} in ${r.account} for ${r.duration}${extras.length > 0 ? ` (${extras.join(", ")})` : ""}`;
  }
  if (e.grant) {
    return `${e.grant.requester} -> ${e.grant.role} in ${e.grant.account.name} (from the grant record; the request file is ${e.state === "deleted" ? "gone" : "unreadable"})`;
  }
  return e.state === "unrecorded-role" ? "a role made outside hallpass" : "(request unreadable)";
}

function approvalsOf(e: HistoryEntry): string {
  if (!e.grant) return "-";
  const auto = e.grant.autoApproval;
  const rule = auto ? `without review, by the policy rule: ${auto.rule}` : undefined;
  if (e.grant.approvals.length === 0) return rule ?? "none recorded";
  const reviews = e.grant.approvals
    .map(
      (a) =>
        `${a.reviewer} (review ${a.reviewId}, ${utc(a.submittedAt)}, on ${a.commitId.slice(0, 7)})`,
    )
    .join("; ");
  return rule ? `${rule}; ${reviews}` : reviews;
}

function activityOf(e: HistoryEntry): string {
  const a = e.audit;
  if (!a) return "no audit summary";
  const risky =
    a.riskyEvents > 0
      ? `; ${a.riskyEvents} risky (${a.riskyByRule.map((r) => `${r.rule} ${r.events}`).join(", ")})`
      : "; none risky";
  const span = a.events > 0 ? `; first ${utc(a.firstActivity)}, last ${utc(a.lastActivity)}` : "";
  const unread = a.unreadableEvents > 0 ? `; ${a.unreadableEvents} could not be read` : "";
  return `${countOf(a.events, "call")}: ${a.reads} reads, ${a.writes} writes, ${a.failed} failed${span}${risky}${unread}`;
}

function renderText(history: AccessHistory, out: Lines): void {
  const byEntry = groupFindings(history.findings);
  for (const f of byEntry.get("") ?? []) out.push(`! ${f.kind}: ${f.message}`, "");
  for (const e of history.entries) {
    out.push(`${e.requestPath}  [${e.state}]`);
    const row = (label: string, value: string) => out.push(`  ${label.padEnd(9)} ${value}`);
    row("request", requestLine(e));
    if (e.request) row("reason", oneLine(e.request.reason));
    if (e.added)
      row("added", `${e.added.commit.slice(0, 12)} by ${e.added.author} on ${utc(e.added.date)}`);
    // Before the grant: a refusal beside a grant was overcome by it (quota freed, redelivered).
    if (e.ungranted) {
      const u = e.ungranted;
      if (u.source === "app" && u.reason !== null) {
        row(
          "refused",
          `#${u.pullRequest} merged at ${utc(u.mergedAt)}${u.mergedBy ? ` by ${u.mergedBy}` : ""}; the app refused it at ${utc(u.reportedAt)}: ${oneLine(u.reason)}`,
        );
      } else {
        row(
          "ungranted",
          `#${u.pullRequest} merged at ${utc(u.mergedAt)}; the sweep said so on it at ${utc(u.reportedAt)}`,
        );
      }
    }
    if (e.grant) {
      const g = e.grant;
      row("approved", approvalsOf(e));
      row(
        "granted",
        `#${g.pullRequest} merged by ${g.mergedBy || "unknown"} at ${utc(g.mergedAt)}; ${utc(g.window.start)} -> ${utc(g.window.end)}`,
      );
      row("role", `${g.roleArn} (session ${g.sessionName}, source identity ${g.sourceIdentity})`);
    }
    for (const a of e.alerts) {
      row(
        "alert",
        `${a.severity} ${a.rule} ${utc(a.from)} (${countOf(a.events, "event")}${a.revoked ? ", revoked the grant" : ""})`,
      );
    }
    if (e.revocation) {
      const r = e.revocation;
      row(
        "revoked",
        `${utc(r.revokedAt)} (${r.reason}) by ${r.revokedBy}${r.detail ? `: ${oneLine(r.detail)}` : ""}`,
      );
    }
    if (e.grant || e.audit) row("activity", activityOf(e));
    for (const f of byEntry.get(e.requestPath) ?? []) {
      out.push(`  ! ${f.kind}: ${f.file}${f.line > 1 ? `:${f.line}` : ""}: ${f.message}`);
    }
    out.push("");
  }
  out.push(summaryLine(history));
}

function summaryLine(history: AccessHistory): string {
  const counts = new Map<string, number>();
  for (const f of history.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  return `${countOf(history.entries.length, "request")} at ${history.revision.slice(0, 12)}; ${
    history.findings.length === 0
      ? "no findings"
      : `${countOf(history.findings.length, "finding")} (${kinds})`
  }.`;
}

function groupFindings(findings: readonly HistoryFinding[]): Map<string, HistoryFinding[]> {
  const map = new Map<string, HistoryFinding[]>();
  for (const f of findings) {
    const list = map.get(f.requestPath) ?? [];
    list.push(f);
    map.set(f.requestPath, list);
  }
  return map;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}

/** Text from files people wrote, made safe for a table cell: no pipes, lines, links or HTML. */
function cell(text: string): string {
  return markdownText(oneLine(text));
}

/**
 * The activity in a few words for the table (the audit file has the rest): a long cell makes
 * every row of a wide table tall and hard to scan.
 */
function activityCell(e: HistoryEntry): string {
  const a = e.audit;
  if (!a) return "no audit summary";
  return [
    countOf(a.events, "call"),
    ...(a.writes > 0 ? [countOf(a.writes, "write")] : []),
    ...(a.failed > 0 ? [`${a.failed} failed`] : []),
    ...(a.riskyEvents > 0 ? [`**${a.riskyEvents} risky**`] : []),
  ].join(", ");
}

function renderMarkdown(history: AccessHistory, out: Lines): void {
  out.push(
    "# Access history",
    "",
    `Revision ${markdownCode(history.revision)}, generated ${utc(history.generatedAt)} by \`hallpass history\`. ${summaryLine(history)}`,
    "",
  );
  const global = history.findings.filter((f) => f.requestPath === "");
  for (const f of global) out.push(`> **${f.kind}**: ${cell(f.message)}`, "");
  out.push(
    "## Requests",
    "",
    "| Request | Requester | Role | Account | Added | Approved by | Window (UTC) | Ended | Activity | Findings |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  const byEntry = groupFindings(history.findings);
  for (const e of history.entries) {
    const requester = e.request?.requester ?? e.grant?.requester ?? "-";
    const role = e.request?.role ?? e.grant?.role ?? "-";
    const account = e.request?.account ?? e.grant?.account.name ?? "-";
    const window = e.grant ? `${utc(e.grant.window.start)} to ${utc(e.grant.window.end)}` : "-";
    const approvers = e.grant
      ? e.grant.approvals.length > 0
        ? cell(e.grant.approvals.map((a) => a.reviewer).join(", "))
        : e.grant.autoApproval
          ? cell(`without review: ${e.grant.autoApproval.rule}`)
          : "**none**"
      : "-";
    const ended = e.revocation
      ? `${utc(e.revocation.revokedAt)} (${e.revocation.reason}, ${e.revocation.revokedBy})`
      : "-";
    const pull = e.grant ?? e.ungranted;
    const pr = pull ? ` (${markdownLink(`#${pull.pullRequest}`, pull.url)})` : "";
    const findings = (byEntry.get(e.requestPath) ?? []).map((f) => f.kind);
    out.push(
      `| ${markdownCodeCell(e.requestPath)}${pr} ${e.request?.emergency || e.grant?.emergency ? "**emergency** " : ""}(${e.state}) | ${cell(requester)} | ${cell(role)} | ${cell(account)} | ${e.added ? `${utc(e.added.date)}, ${cell(e.added.author)}` : "-"} | ${approvers} | ${window} | ${cell(ended)} | ${e.grant || e.audit ? activityCell(e) : "-"} | ${findings.length > 0 ? `**${[...new Set(findings)].join(", ")}**` : "none"} |`,
    );
  }
  out.push("", "## Findings", "");
  if (history.findings.length === 0) {
    out.push("None.");
  } else {
    out.push("| Finding | File | Message |", "| --- | --- | --- |");
    for (const f of history.findings) {
      const where =
        f.file === "" ? "-" : markdownCodeCell(`${f.file}${f.line > 1 ? `:${f.line}` : ""}`);
      out.push(`| ${f.kind} | ${where} | ${cell(f.message)} |`);
    }
  }
  const reasons = history.entries.filter((e) => e.request);
  if (reasons.length > 0) {
    out.push("", "## Reasons given", "");
    for (const e of reasons) {
      out.push(
        `- ${markdownCode(e.requestPath)}: ${cell(e.request!.reason)}${e.request!.ticket ? ` (${cell(e.request!.ticket)})` : ""}`,
      );
    }
  }
}
