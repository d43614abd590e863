import type { GrantRecord, RevocationRecord } from "../grant/records.ts";
import type { AlertRule } from "../policy/policy-format.ts";
import { formatDuration } from "../request/duration.ts";
import { countOf } from "../text/count-of.ts";
import {
  markdownCodeCell,
  markdownCommentText,
  markdownMention,
  markdownText,
} from "../text/escape-markdown.ts";
import { mermaidLabel } from "../text/escape-mermaid.ts";
import { type ActivityTally, createActivityTally } from "./activity-tally.ts";
import type {
  ActivityCounts,
  AuditSubject,
  AuditSummary,
  RiskRule,
  RiskyEvent,
  TimelineSpan,
  UnreadableEvent,
} from "./audit-summary.ts";
import type { CloudTrailEvent } from "./cloudtrail-event.ts";
import { MAX_RISKY_EVENTS } from "./risky-events.ts";
import { DUPLICATE_WINDOW_SECONDS, MAX_UNREADABLE_EVENTS } from "./unread-events.ts";

export type {
  ActivityCounts,
  ActivityTally,
  AuditSubject,
  AuditSummary,
  RiskRule,
  RiskyEvent,
  TimelineSpan,
  UnreadableEvent,
};
export { createActivityTally, DUPLICATE_WINDOW_SECONDS, MAX_RISKY_EVENTS, MAX_UNREADABLE_EVENTS };

/**
 * The audit summary of one ended grant: what its sessions did, from CloudTrail, in a form that
 * is committed next to the request (`<stem>.audit.json` for machines, `<stem>.audit.md` for
 * people) and never changes when written again from the same events.
 *
 * Events are tallied one at a time (`createActivityTally` in `activity-tally.ts`, with the
 * timeline, the risky events, the resources and the unread events each in a file of its own),
 * so a grant with a million events is summarised without holding them: memory grows with the
 * distinct services, actions, resources and risky events (up to their cap), not with the event
 * count. Every list in the result is sorted and
 * nothing depends on the order events arrive in, on the clock, or on the machine.
 */

/**
 * Risky whatever the policies say: changes to identity, keys, the organisation, network
 * exposure and the audit trail itself, deletions, role chaining, and refused calls.
 */
export const BASELINE_RISK_RULES: readonly RiskRule[] = [
  { name: "iam-write", actions: ["iam:*"], writesOnly: true },
  { name: "kms-write", actions: ["kms:*"], writesOnly: true },
  { name: "organizations-write", actions: ["organizations:*"], writesOnly: true },
  { name: "security-group-change", actions: ["ec2:*SecurityGroup*"], writesOnly: true },
  {
    name: "cloudtrail-change",
    actions: ["cloudtrail:Stop*", "cloudtrail:Delete*", "cloudtrail:Update*", "cloudtrail:Put*"],
    writesOnly: true,
  },
  { name: "delete", actions: ["*:Delete*", "*:Terminate*"], writesOnly: true },
  { name: "role-chaining", actions: ["sts:AssumeRole*"], writesOnly: false },
  {
    name: "access-denied",
    errorCodes: ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"],
    writesOnly: false,
  },
];

/** The risk rules of a summary: the baseline plus every policy alert rule. */
export function riskRulesOf(alerts: readonly AlertRule[]): RiskRule[] {
  return [...BASELINE_RISK_RULES, ...alerts];
}

/** The subject of an audit from the records in git. */
export function auditSubjectOf(
  grant: GrantRecord,
  revocation: RevocationRecord | undefined,
  regions: readonly string[],
): AuditSubject {
  const revokedEarly =
    revocation !== undefined && Date.parse(revocation.revokedAt) < Date.parse(grant.window.end);
  return {
    requestPath: grant.requestPath,
    pullRequest: grant.pullRequest.number,
    requester: grant.requester,
    role: grant.role,
    account: grant.account,
    roleArn: grant.roleArn,
    window: grant.window,
    endedAt: revokedEarly ? revocation.revokedAt : grant.window.end,
    endReason: revokedEarly ? revocation.reason : "expired",
    regions: [...new Set([...regions, "us-east-1"])].sort(),
  };
}

/** Summarises a grant's events (any order). For large streams, use `createActivityTally`. */
export function summarizeActivity(
  subject: AuditSubject,
  riskRules: readonly RiskRule[],
  events: Iterable<CloudTrailEvent>,
): AuditSummary {
  const tally = createActivityTally(subject, riskRules);
  for (const event of events) tally.add(event);
  return tally.summary();
}

/** The summary's lists that grow with a grant's activity, stringified in pieces. */
const LONG_LISTS = ["resources", "riskyEvents"] as const;
/** Elements of a long list stringified at once. */
const JSON_PIECE = 500;

/**
 * The JSON file: two-space indented, keys in a fixed order, newline at the end; exactly
 * `JSON.stringify(summary, null, 2)` and a newline. The long lists are stringified a few
 * hundred elements at a time and everything is joined once: V8 writes one large
 * `JSON.stringify` into a buffer that grows by copying, which held about twice the file at its
 * end (a 4 MB file: 10,000 risky events), the top of an audit's peak memory. In pieces, the
 * pieces and the file are all it holds (measured with `npm run bench summarize`: 3-4 MB above
 * the tally instead of 9-10 MB).
 */
export function renderAuditJson(summary: AuditSummary): string {
  const emptied = { ...summary, resources: [], riskyEvents: [] };
  const text = JSON.stringify(emptied, null, 2);
  // Each list's key at the top level: a newline and two spaces, which no other place in the
  // text has before it (JSON writes a newline inside a string as `\n`). Both are always found:
  // `emptied` has both keys, set just above, and JSON.stringify writes every key of a plain
  // object.
  const places = LONG_LISTS.map((key) => ({ key, at: text.indexOf(`\n  "${key}": []`) })).sort(
    (x, y) => x.at - y.at,
  );
  const parts: string[] = [];
  let from = 0;
  for (const { key, at } of places) {
    parts.push(text.slice(from, at));
    pushListJson(parts, key, summary[key]);
    from = at + `\n  "${key}": []`.length;
  }
  parts.push(text.slice(from), "\n");
  return parts.join("");
}

/** A top-level list's key and value as `JSON.stringify(summary, null, 2)` writes them. */
function pushListJson(parts: string[], key: string, list: readonly unknown[]): void {
  if (list.length === 0) {
    parts.push(`\n  "${key}": []`);
    return;
  }
  parts.push(`\n  "${key}": [`);
  for (let i = 0; i < list.length; i += JSON_PIECE) {
    const piece = JSON.stringify(list.slice(i, i + JSON_PIECE), null, 2);
    // `[\n  {...},\n  {...}\n]` one level deeper: without its brackets, every line two spaces in.
    parts.push(i === 0 ? "" : ",", piece.slice(1, -2).replaceAll("\n", "\n  "));
  }
  parts.push("\n  ]");
}

/** `2026-11-26T09:12:03Z` -> `2026-11-26 09:12:03` (UTC). */
function utc(time: string): string {
  return new Date(Date.parse(time)).toISOString().slice(0, 19).replace("T", " ");
}

/** Text from requests, policies and CloudTrail, for a table cell or a line. */
const cell = markdownText;
/** A name or ARN from CloudTrail, exactly, in a code span that holds in a table cell. */
const code = markdownCodeCell;

/** Rows shown in the Markdown; the JSON file always lists every one. */
const RESOURCE_ROWS = 200;
const RISKY_ROWS = 500;

/** The marker line that identifies an audit summary file and its PR comment. */
export function auditMarker(requestPath: string): string {
  return `<!-- hallpass:audit ${markdownCommentText(requestPath)} -->`;
}

/** Resources listed in one risky event's cell; the JSON summary holds every one. */
const RESOURCES_PER_EVENT = 3;

/**
 * A risky event's resources, a few to a cell: one call on hundreds of resources would make its
 * row as tall as the page and push the rest of the table out of sight.
 */
function resourcesCell(resources: readonly string[]): string {
  const shown = resources.slice(0, RESOURCES_PER_EVENT).map(code);
  const more = resources.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more (JSON summary)`] : [])].join("<br>");
}

/** A timeline bar's label in words: `3 calls, 1 write, 1 failed` (zero counts left out). */
function spanLabel(span: ActivityCounts): string {
  return [
    countOf(span.events, "call"),
    ...(span.writes > 0 ? [countOf(span.writes, "write")] : []),
    ...(span.failed > 0 ? [`${span.failed} failed`] : []),
  ].join(", ");
}

function renderTimeline(summary: AuditSummary): string[] {
  const lines = [
    "```mermaid",
    "gantt",
    `  title Activity of ${mermaidLabel(summary.requester)} (UTC, ${summary.timeline.bucketMinutes}-minute steps)`,
    "  dateFormat YYYY-MM-DD HH:mm:ss",
    "  axisFormat %H:%M",
    "  section Grant",
    `  Window :done, ${utc(summary.window.start)}, ${utc(summary.window.end)}`,
  ];
  if (summary.endReason !== "expired") {
    const t = utc(summary.endedAt);
    lines.push(`  Revoked (${mermaidLabel(summary.endReason)}) :crit, milestone, ${t}, 0s`);
  }
  let section = "";
  for (const span of summary.timeline.spans) {
    if (span.service !== section) {
      section = span.service;
      lines.push(`  section ${mermaidLabel(section)}`);
    }
    const tag = span.failed > 0 ? "crit, " : span.writes > 0 ? "active, " : "";
    const label = spanLabel(span);
    lines.push(`  ${label} :${tag}${utc(span.start)}, ${utc(span.end)}`);
  }
  lines.push("```");
  return lines;
}

/** What CloudTrail returned twice or could not be read: said, never silently dropped. */
function renderUnread(s: AuditSummary): string[] {
  const out: string[] = [];
  if (s.duplicateEvents > 0) {
    out.push(
      `CloudTrail returned ${countOf(s.duplicateEvents, "event")} more than once; each is counted once.`,
      "",
    );
  }
  if (s.unreadableEventsTotal === 0) return out;
  out.push(
    `## Events that could not be read (${s.unreadableEventsTotal})`,
    "",
    "CloudTrail listed these events, but their records could not be read, so they are in none of the figures above. Look them up in CloudTrail by event id.",
    "",
    "| Time (UTC) | Action | Event id | Why |",
    "|---|---|---|---|",
    ...s.unreadableEvents.map(
      (e) =>
        `| ${e.eventTime ? utc(e.eventTime) : "unknown"} | ${e.action ? code(e.action) : "unknown"} | ${code(e.eventID)} | ${cell(e.message)} |`,
    ),
    "",
  );
  if (s.unreadableEventsTotal > s.unreadableEvents.length) {
    out.push(
      `Only the earliest ${s.unreadableEvents.length} are named; ${s.unreadableEventsTotal - s.unreadableEvents.length} more could not be read.`,
      "",
    );
  }
  return out;
}

/** The Markdown file: for people reading the repository or the PR. Same summary, same bytes. */
export function renderAuditMarkdown(summary: AuditSummary): string {
  const s = summary;
  const t = s.totals;
  const windowSeconds = (Date.parse(s.window.end) - Date.parse(s.window.start)) / 1000;
  const out: string[] = [
    auditMarker(s.requestPath),
    `# Audit: ${cell(s.requestPath)}`,
    "",
    "| | |",
    "|---|---|",
    `| Requester | ${markdownMention(s.requester)} |`,
    `| Role | ${cell(s.role)} in ${cell(s.account.name)} (${s.account.id}) |`,
    `| Pull request | #${s.pullRequest} |`,
    `| Window | ${utc(s.window.start)} → ${utc(s.window.end)} UTC (${formatDuration(windowSeconds)}) |`,
    `| Ended | ${utc(s.endedAt)} UTC (${cell(s.endReason)}) |`,
    `| Role ARN | ${code(s.roleArn)} |`,
    `| Source identities | ${s.sourceIdentities.length > 0 ? s.sourceIdentities.map(cell).join(", ") : "none"} |`,
    `| CloudTrail regions | ${cell(s.regions.join(", "))} |`,
    "",
    "## Activity",
    "",
  ];
  if (t.events === 0) {
    out.push("No CloudTrail events were recorded for this grant's sessions.", "");
  } else {
    out.push(
      `**${countOf(t.events, "event")}**: ${t.reads} reads, ${t.writes} writes, ${t.failed} failed. ` +
        `First at ${utc(s.firstActivity!)}, last at ${utc(s.lastActivity!)} UTC.`,
      "",
      ...renderTimeline(s),
      "",
      "### By service",
      "",
      "| Service | Events | Reads | Writes | Failed | First (UTC) | Last (UTC) |",
      "|---|--:|--:|--:|--:|---|---|",
      ...s.byService.map(
        (r) =>
          `| ${cell(r.service)} | ${r.events} | ${r.reads} | ${r.writes} | ${r.failed} | ${utc(r.first)} | ${utc(r.last)} |`,
      ),
      "",
      "### By action",
      "",
      "| Action | Events | Reads | Writes | Failed |",
      "|---|--:|--:|--:|--:|",
      ...s.byAction.map(
        (r) => `| ${code(r.action)} | ${r.events} | ${r.reads} | ${r.writes} | ${r.failed} |`,
      ),
      "",
    );
    if (s.byErrorCode.length > 0) {
      out.push(
        "### Failed calls by error",
        "",
        "| Error | Events |",
        "|---|--:|",
        ...s.byErrorCode.map((r) => `| ${code(r.errorCode)} | ${r.events} |`),
        "",
      );
    }
  }
  out.push(`## Risky events (${s.riskyEventsTotal})`, "");
  if (s.riskyEvents.length === 0) {
    out.push("None.", "");
  } else {
    out.push(`By rule: ${s.riskyByRule.map((r) => `${cell(r.rule)} ${r.events}`).join(", ")}.`, "");
    if (s.riskyEventsTotal > s.riskyEvents.length) {
      out.push(
        `Only the earliest ${s.riskyEvents.length} are kept one by one (in the JSON summary); the counts above cover all ${s.riskyEventsTotal}.`,
        "",
      );
    }
    out.push(
      "| Time (UTC) | Action | Region | Result | Resources | Why | Event id |",
      "|---|---|---|---|---|---|---|",
    );
    for (const e of s.riskyEvents.slice(0, RISKY_ROWS)) {
      out.push(
        `| ${utc(e.eventTime)} | ${code(e.action)} | ${cell(e.region)} | ${e.errorCode ? code(e.errorCode) : "ok"} | ${resourcesCell(e.resources)} | ${cell(e.rules.join(", "))} | ${code(e.eventID)} |`,
      );
    }
    out.push("");
    if (s.riskyEvents.length > RISKY_ROWS) {
      out.push(
        `${s.riskyEvents.length - RISKY_ROWS} more are listed in the JSON summary next to this file.`,
        "",
      );
    }
  }
  out.push(...renderUnread(s));
  out.push(`## Resources touched (${s.resources.length})`, "");
  if (s.resources.length === 0) {
    out.push("None recorded by CloudTrail.", "");
  } else {
    out.push("| Resource | Events | Writes |", "|---|--:|--:|");
    for (const r of s.resources.slice(0, RESOURCE_ROWS)) {
      out.push(`| ${code(r.arn)} | ${r.events} | ${r.writes} |`);
    }
    out.push("");
    if (s.resources.length > RESOURCE_ROWS) {
      out.push(
        `${s.resources.length - RESOURCE_ROWS} more in the JSON summary next to this file.`,
        "",
      );
    }
  }
  out.push(
    "---",
    "Written by hallpass from CloudTrail `LookupEvents` after the delivery delay; the JSON file next to this one holds the same summary for machines.",
    "",
  );
  return out.join("\n");
}
