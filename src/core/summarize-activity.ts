import { actionOf, type CloudTrailEvent, isWrite, serviceOf } from "./cloudtrail-event.ts";
import { formatDuration } from "./duration.ts";
import { type EventFilter, matchesEventFilter } from "./evaluate-alerts.ts";
import type { AlertRule } from "./policy-format.ts";
import type { GrantRecord, RevocationRecord } from "./records.ts";

/**
 * The audit summary of one ended grant: what its sessions did, from CloudTrail, in a form that
 * is committed next to the request (`<stem>.audit.json` for machines, `<stem>.audit.md` for
 * people) and never changes when written again from the same events.
 *
 * Events are tallied one at a time (`createActivityTally`), so a grant with a million events
 * is summarised without holding them: memory grows with the distinct services, actions,
 * resources and risky events, not with the event count. Every list in the result is sorted and
 * nothing depends on the order events arrive in, on the clock, or on the machine.
 */

/** Read/write/failed counts. `events` = reads + writes; failed calls are counted in both. */
export interface ActivityCounts {
  events: number;
  reads: number;
  writes: number;
  failed: number;
}

/** One bar of the timeline: a service's activity in consecutive buckets. */
export interface TimelineSpan extends ActivityCounts {
  service: string;
  start: string;
  end: string;
}

/** A risky event, listed one by one in the summary. */
export interface RiskyEvent {
  eventTime: string;
  eventID: string;
  action: string;
  region: string;
  readOnly: boolean;
  errorCode?: string;
  sourceIdentity?: string;
  resources: string[];
  /** Names of the risk rules (built-in and policy alert rules) the event matched. */
  rules: string[];
}

/** The grant an audit summary is about, from its grant and revocation records. */
export interface AuditSubject {
  requestPath: string;
  pullRequest: number;
  requester: string;
  role: string;
  account: { name: string; id: string };
  roleArn: string;
  window: { start: string; end: string };
  /** When access ended: the window's end, or the revocation when that came first. */
  endedAt: string;
  /** `expired`, or the revocation's reason when access was revoked before the end. */
  endReason: string;
  /** Regions whose CloudTrail was read (always including us-east-1, where IAM and STS log). */
  regions: string[];
}

/** The audit summary, as committed in `<stem>.audit.json`. */
export interface AuditSummary extends AuditSubject {
  version: 1;
  totals: ActivityCounts;
  firstActivity: string | null;
  lastActivity: string | null;
  /** Source identities seen on the sessions; anything but the requester is itself risky. */
  sourceIdentities: string[];
  byService: (ActivityCounts & { service: string; first: string; last: string })[];
  byAction: (ActivityCounts & { action: string })[];
  byErrorCode: { errorCode: string; events: number }[];
  resources: { arn: string; events: number; writes: number }[];
  riskyEvents: RiskyEvent[];
  timeline: { bucketMinutes: number; spans: TimelineSpan[] };
}

/** A named event filter that marks an event as risky. */
export interface RiskRule extends EventFilter {
  name: string;
}

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

const BUCKET_MINUTES = [1, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];

/** The smallest bucket that draws the window in at most 48 columns. */
function bucketMinutesFor(window: { start: string; end: string }): number {
  const minutes = (Date.parse(window.end) - Date.parse(window.start)) / 60_000;
  return BUCKET_MINUTES.find((b) => minutes / b <= 48) ?? 1440;
}

function zero(): ActivityCounts {
  return { events: 0, reads: 0, writes: 0, failed: 0 };
}

function count(c: ActivityCounts, write: boolean, failed: boolean): void {
  c.events++;
  if (write) c.writes++;
  else c.reads++;
  if (failed) c.failed++;
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Earlier of two CloudTrail times (ties broken on the text, so the result is stable). */
function earlier(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return ta < tb || (ta === tb && a < b);
}

/** A running tally of a grant's events. Add events in any order, then read the summary. */
export interface ActivityTally {
  add(event: CloudTrailEvent): void;
  /** How many events were added. */
  readonly size: number;
  summary(): AuditSummary;
}

/** Starts a streaming tally for `subject`, marking events risky by `riskRules`. */
export function createActivityTally(
  subject: AuditSubject,
  riskRules: readonly RiskRule[],
): ActivityTally {
  const totals = zero();
  let first: string | null = null;
  let last: string | null = null;
  const services = new Map<string, ActivityCounts & { first: string; last: string }>();
  const actions = new Map<string, ActivityCounts>();
  const errors = new Map<string, number>();
  const resources = new Map<string, { events: number; writes: number }>();
  const identities = new Set<string>();
  const risky = new Map<string, RiskyEvent>();
  const bucketMinutes = bucketMinutesFor(subject.window);
  const bucketMs = bucketMinutes * 60_000;
  const origin = Date.parse(subject.window.start);
  // service -> bucket index -> counts
  const buckets = new Map<string, Map<number, ActivityCounts>>();
  // Which rules an action's name can match, computed once per distinct action.
  const candidates = new Map<string, RiskRule[]>();

  function rulesFor(event: CloudTrailEvent, action: string): string[] {
    let list = candidates.get(action);
    if (!list) {
      list = riskRules.filter((r) =>
        matchesEventFilter({ actions: r.actions, writesOnly: false }, event),
      );
      candidates.set(action, list);
    }
    const names: string[] = [];
    for (const rule of list) {
      if (matchesEventFilter({ ...rule, actions: undefined }, event)) names.push(rule.name);
    }
    return names;
  }

  return {
    get size() {
      return totals.events;
    },
    add(event) {
      const service = serviceOf(event);
      const action = actionOf(event);
      const write = isWrite(event);
      const failed = event.errorCode !== undefined;
      const time = event.eventTime;
      count(totals, write, failed);
      if (first === null || earlier(time, first)) first = time;
      if (last === null || earlier(last, time)) last = time;

      let s = services.get(service);
      if (!s) {
        s = { ...zero(), first: time, last: time };
        services.set(service, s);
      }
      count(s, write, failed);
      if (earlier(time, s.first)) s.first = time;
      if (earlier(s.last, time)) s.last = time;

      let a = actions.get(action);
      if (!a) {
        a = zero();
        actions.set(action, a);
      }
      count(a, write, failed);

      if (failed) errors.set(event.errorCode!, (errors.get(event.errorCode!) ?? 0) + 1);
      const arns: string[] = [];
      for (const r of event.resources ?? []) {
        if (typeof r.ARN !== "string") continue;
        arns.push(r.ARN);
        let entry = resources.get(r.ARN);
        if (!entry) {
          entry = { events: 0, writes: 0 };
          resources.set(r.ARN, entry);
        }
        entry.events++;
        if (write) entry.writes++;
      }
      const identity = event.userIdentity.sessionContext?.sourceIdentity;
      if (identity !== undefined) identities.add(identity);

      const bucket = Math.floor((Date.parse(time) - origin) / bucketMs);
      let perService = buckets.get(service);
      if (!perService) {
        perService = new Map();
        buckets.set(service, perService);
      }
      let b = perService.get(bucket);
      if (!b) {
        b = zero();
        perService.set(bucket, b);
      }
      count(b, write, failed);

      const rules = rulesFor(event, action);
      if (identity !== undefined && identity !== subject.requester) rules.push("foreign-identity");
      if (rules.length > 0) {
        risky.set(event.eventID, {
          eventTime: time,
          eventID: event.eventID,
          action,
          region: event.awsRegion,
          readOnly: !write,
          ...(failed ? { errorCode: event.errorCode! } : {}),
          ...(identity !== undefined ? { sourceIdentity: identity } : {}),
          resources: [...new Set(arns)].sort(),
          rules: rules.sort(),
        });
      }
    },
    summary() {
      const spans: TimelineSpan[] = [];
      for (const service of [...buckets.keys()].sort(byKey)) {
        const perService = buckets.get(service)!;
        const indices = [...perService.keys()].sort((x, y) => x - y);
        let span: TimelineSpan | undefined;
        let previous = Number.NaN;
        for (const index of indices) {
          const c = perService.get(index)!;
          if (span && index === previous + 1) {
            span.end = new Date(origin + (index + 1) * bucketMs).toISOString();
          } else {
            span = {
              service,
              start: new Date(origin + index * bucketMs).toISOString(),
              end: new Date(origin + (index + 1) * bucketMs).toISOString(),
              ...zero(),
            };
            spans.push(span);
          }
          span.events += c.events;
          span.reads += c.reads;
          span.writes += c.writes;
          span.failed += c.failed;
          previous = index;
        }
      }
      return {
        version: 1,
        ...subject,
        totals: { ...totals },
        firstActivity: first,
        lastActivity: last,
        sourceIdentities: [...identities].sort(byKey),
        byService: [...services.entries()]
          .sort(([x], [y]) => byKey(x, y))
          .map(([service, c]) => ({ service, ...c })),
        byAction: [...actions.entries()]
          .sort(([x], [y]) => byKey(x, y))
          .map(([action, c]) => ({ action, ...c })),
        byErrorCode: [...errors.entries()]
          .sort(([x], [y]) => byKey(x, y))
          .map(([errorCode, events]) => ({ errorCode, events })),
        resources: [...resources.entries()]
          .sort(([x], [y]) => byKey(x, y))
          .map(([arn, c]) => ({ arn, ...c })),
        riskyEvents: [...risky.values()].sort(
          (x, y) =>
            Date.parse(x.eventTime) - Date.parse(y.eventTime) || byKey(x.eventID, y.eventID),
        ),
        timeline: { bucketMinutes, spans },
      };
    },
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

/** The JSON file: two-space indented, keys in a fixed order, newline at the end. */
export function renderAuditJson(summary: AuditSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** `2026-11-26T09:12:03Z` -> `2026-11-26 09:12:03` (UTC). */
function utc(time: string): string {
  return new Date(Date.parse(time)).toISOString().slice(0, 19).replace("T", " ");
}

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

/** Mermaid task names may not hold `:`, `;` or `#`. */
function mermaidText(text: string): string {
  return text.replace(/[:;#]/g, " ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const RESOURCE_ROWS = 200;

/** The marker line that identifies an audit summary file and its PR comment. */
export function auditMarker(requestPath: string): string {
  return `<!-- hallpass:audit ${requestPath} -->`;
}

function renderTimeline(summary: AuditSummary): string[] {
  const lines = [
    "```mermaid",
    "gantt",
    `  title Activity of ${mermaidText(summary.requester)} (UTC, ${summary.timeline.bucketMinutes}-minute steps)`,
    "  dateFormat YYYY-MM-DD HH:mm:ss",
    "  axisFormat %H:%M",
    "  section Grant",
    `  Window :done, ${utc(summary.window.start)}, ${utc(summary.window.end)}`,
  ];
  if (summary.endReason !== "expired") {
    const t = utc(summary.endedAt);
    lines.push(`  Revoked (${mermaidText(summary.endReason)}) :crit, milestone, ${t}, 0s`);
  }
  let section = "";
  for (const span of summary.timeline.spans) {
    if (span.service !== section) {
      section = span.service;
      lines.push(`  section ${mermaidText(section)}`);
    }
    const tag = span.failed > 0 ? "crit, " : span.writes > 0 ? "active, " : "";
    const label = `${span.events} (${span.writes} w, ${span.failed} failed)`;
    lines.push(`  ${label} :${tag}${utc(span.start)}, ${utc(span.end)}`);
  }
  lines.push("```");
  return lines;
}

/** The Markdown file: for people reading the repository or the PR. Same summary, same bytes. */
export function renderAuditMarkdown(summary: AuditSummary): string {
  const s = summary;
  const t = s.totals;
  const windowSeconds = (Date.parse(s.window.end) - Date.parse(s.window.start)) / 1000;
  const out: string[] = [
    auditMarker(s.requestPath),
    `# Audit: ${s.requestPath}`,
    "",
    "| | |",
    "|---|---|",
    `| Requester | @${s.requester} |`,
    `| Role | ${cell(s.role)} in ${cell(s.account.name)} (${s.account.id}) |`,
    `| Pull request | #${s.pullRequest} |`,
    `| Window | ${utc(s.window.start)} → ${utc(s.window.end)} UTC (${formatDuration(windowSeconds)}) |`,
    `| Ended | ${utc(s.endedAt)} UTC (${cell(s.endReason)}) |`,
    `| Role ARN | ${code(s.roleArn)} |`,
    `| Source identities | ${s.sourceIdentities.length > 0 ? s.sourceIdentities.map(cell).join(", ") : "none"} |`,
    `| CloudTrail regions | ${s.regions.join(", ")} |`,
    "",
    "## Activity",
    "",
  ];
  if (t.events === 0) {
    out.push("No CloudTrail events were recorded for this grant's sessions.", "");
  } else {
    out.push(
      `**${plural(t.events, "event")}**: ${t.reads} reads, ${t.writes} writes, ${t.failed} failed. ` +
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
  out.push(`## Risky events (${s.riskyEvents.length})`, "");
  if (s.riskyEvents.length === 0) {
    out.push("None.", "");
  } else {
    out.push(
      "| Time (UTC) | Action | Region | Result | Resources | Why | Event id |",
      "|---|---|---|---|---|---|---|",
      ...s.riskyEvents.map(
        (e) =>
          `| ${utc(e.eventTime)} | ${code(e.action)} | ${e.region} | ${e.errorCode ? code(e.errorCode) : "ok"} | ${e.resources.map(code).join("<br>")} | ${e.rules.join(", ")} | ${code(e.eventID)} |`,
      ),
      "",
    );
  }
  out.push(`## Resources touched (${s.resources.length})`, "");
  if (s.resources.length === 0) {
    out.push("None recorded by CloudTrail.", "");
  } else {
    out.push(
      "| Resource | Events | Writes |",
      "|---|--:|--:|",
      ...s.resources
        .slice(0, RESOURCE_ROWS)
        .map((r) => `| ${code(r.arn)} | ${r.events} | ${r.writes} |`),
      "",
    );
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
