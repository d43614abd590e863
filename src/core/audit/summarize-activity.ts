import type { GrantRecord, RevocationRecord } from "../grant/records.ts";
import type { AlertRule } from "../policy/policy-format.ts";
import { formatDuration } from "../request/duration.ts";
import { type EventFilter, matchesEventFilter } from "../sweep/evaluate-alerts.ts";
import {
  markdownCodeCell,
  markdownCommentText,
  markdownMention,
  markdownText,
} from "../text/escape-markdown.ts";
import { mermaidLabel } from "../text/escape-mermaid.ts";
import { actionOf, type CloudTrailEvent, eventTimeMs, serviceOf } from "./cloudtrail-event.ts";

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

/**
 * An event CloudTrail listed but whose record could not be read (its `CloudTrailEvent` text is
 * not valid JSON, or lacks a field hallpass needs). It is counted and named in the summary, in
 * none of the other figures, so the audit is written instead of failing on every run.
 */
export interface UnreadableEvent {
  /** LookupEvents' `EventId`, or "(no id)". */
  eventID: string;
  /** LookupEvents' `EventTime`, when it gave one. */
  eventTime?: string;
  /** `service:EventName` from LookupEvents' own fields, when it gave them. */
  action?: string;
  /** Why it could not be read. */
  message: string;
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
  /** Risky events by the rule they matched (an event may count for several rules). */
  riskyByRule: { rule: string; events: number }[];
  /** How many events were risky; `riskyEvents` lists the earliest `MAX_RISKY_EVENTS`. */
  riskyEventsTotal: number;
  riskyEvents: RiskyEvent[];
  timeline: { bucketMinutes: number; spans: TimelineSpan[] };
  /** Copies of an event CloudTrail returned more than once (same event id): counted once. */
  duplicateEvents: number;
  /** Events that could not be read: in none of the figures above. */
  unreadableEventsTotal: number;
  /** The earliest `MAX_UNREADABLE_EVENTS` of them (by time, then id). */
  unreadableEvents: UnreadableEvent[];
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

/**
 * The first and last time of some events, as both the text CloudTrail wrote and its
 * milliseconds, compared on both (ties broken on the text, so the result is stable).
 */
interface Span {
  firstMs: number;
  firstText: string;
  lastMs: number;
  lastText: string;
}

function widen(span: Span, ms: number, text: string): void {
  if (ms < span.firstMs || (ms === span.firstMs && text < span.firstText)) {
    span.firstMs = ms;
    span.firstText = text;
  }
  if (ms > span.lastMs || (ms === span.lastMs && text > span.lastText)) {
    span.lastMs = ms;
    span.lastText = text;
  }
}

/** A running tally of a grant's events. Add events in any order, then read the summary. */
export interface ActivityTally {
  /** Tallies an event; a copy of one already tallied (same id) is only counted as a copy. */
  add(event: CloudTrailEvent): void;
  /** Records an event that could not be read (see `UnreadableEvent`). */
  unreadable(event: UnreadableEvent): void;
  /** How many events were added. */
  readonly size: number;
  summary(): AuditSummary;
}

/**
 * Risky events kept one by one. Past this many, only the earliest are kept (and counted by
 * rule), so memory stays bounded and the committed files stay readable; a session that does
 * this much is itself the finding.
 */
export const MAX_RISKY_EVENTS = 10_000;

/** Unreadable events named one by one; past this, only counted. */
export const MAX_UNREADABLE_EVENTS = 100;

/**
 * How many distinct event seconds the tally remembers event ids for. CloudTrail's duplicates
 * are the same event (same id, same time) on two pages of one newest-first lookup, so they
 * arrive next to each other; remembering every id of a million-event grant would cost about
 * 80 MB, these a few KB.
 */
export const DUPLICATE_WINDOW_SECONDS = 30;

/**
 * Remembers the ids of the events of the latest `DUPLICATE_WINDOW_SECONDS` distinct seconds
 * added; `seen` says whether an id of that second was added before.
 */
function recentEventIds(): { seen(second: number, eventID: string): boolean } {
  const bySecond = new Map<number, Set<string>>();
  // Events of one second follow each other: the last second's set saves a map look-up each.
  let lastSecond = Number.NaN;
  let lastIds = new Set<string>();
  return {
    seen(second, eventID) {
      let ids = second === lastSecond ? lastIds : bySecond.get(second);
      if (ids?.has(eventID)) return true;
      if (!ids) {
        ids = new Set();
        bySecond.set(second, ids);
        // Maps iterate in insertion order: the first key is the second added longest ago.
        if (bySecond.size > DUPLICATE_WINDOW_SECONDS) {
          bySecond.delete(bySecond.keys().next().value as number);
        }
      }
      lastSecond = second;
      lastIds = ids;
      ids.add(eventID);
      return false;
    },
  };
}

function byTimeThenId(a: UnreadableEvent, b: UnreadableEvent): number {
  return byKey(a.eventTime ?? "", b.eventTime ?? "") || byKey(a.eventID, b.eventID);
}

interface ActionEntry {
  action: string;
  counts: ActivityCounts;
  /** Risk rules whose action globs match this action; their other conditions are per event. */
  rules: RiskRule[];
}

interface ServiceEntry extends ActivityCounts {
  service: string;
  span: Span;
  buckets: Map<number, ActivityCounts>;
}

/** A risky event as kept while tallying; its `RiskyEvent` is built once it is sure to stay. */
interface KeptRisky {
  ms: number;
  eventTime: string;
  eventID: string;
  action: string;
  region: string;
  write: boolean;
  errorCode: string | undefined;
  sourceIdentity: string | undefined;
  /**
   * The first `arnCount` are the event's ARNs, the first `ruleCount` its rule names. The arrays
   * are overwritten in place, never emptied: `length = 0` drops an array's storage, and the
   * fresh one a push then allocates is promoted with the long-lived entry (about 300 bytes of
   * old-generation garbage per risky event).
   */
  arns: string[];
  arnCount: number;
  ruleCount: number;
  rules: string[];
}

/** True when `x` comes after `y` in the summary's order of risky events (time, then id). */
function laterRisky(x: KeptRisky, y: KeptRisky): boolean {
  return x.ms > y.ms || (x.ms === y.ms && x.eventID > y.eventID);
}

function riskyEventOf(k: KeptRisky): RiskyEvent {
  return {
    eventTime: k.eventTime,
    eventID: k.eventID,
    action: k.action,
    region: k.region,
    readOnly: !k.write,
    ...(k.errorCode !== undefined ? { errorCode: k.errorCode } : {}),
    ...(k.sourceIdentity !== undefined ? { sourceIdentity: k.sourceIdentity } : {}),
    resources: [...new Set(k.arns.slice(0, k.arnCount))].sort(),
    rules: k.rules.slice(0, k.ruleCount).sort(),
  };
}

/** Starts a streaming tally for `subject`, marking events risky by `riskRules`. */
export function createActivityTally(
  subject: AuditSubject,
  riskRules: readonly RiskRule[],
): ActivityTally {
  const totals = zero();
  let overall: Span | undefined;
  // eventSource -> service entry; eventSource -> eventName -> action entry. Nested maps avoid
  // building a key string per event.
  const services = new Map<string, ServiceEntry>();
  const actions = new Map<string, Map<string, ActionEntry>>();
  // The maps keep the first copy of each text (error code, ARN, identity, region), and kept
  // risky events point at that copy instead of the event's own: LookupEvents' newest-first
  // order makes every risky event replace a kept one, and each fresh string a long-lived entry
  // points at is promoted to the old generation before it is dropped (tens of MB of garbage
  // for a million events).
  const errors = new Map<string, { errorCode: string; events: number }>();
  const resources = new Map<string, { arn: string; events: number; writes: number }>();
  const identities = new Map<string, string>();
  const regions = new Map<string, string>();
  /** The canonical ARNs of the event being added (reused). */
  const eventArns: string[] = [];
  let lastKeptTime = "";
  let riskyCount = 0;
  const riskyByRule = new Map<string, number>();
  const bucketMinutes = bucketMinutesFor(subject.window);
  const bucketMs = bucketMinutes * 60_000;
  const origin = Date.parse(subject.window.start);

  function actionEntry(event: CloudTrailEvent): ActionEntry {
    let byName = actions.get(event.eventSource);
    if (!byName) {
      byName = new Map();
      actions.set(event.eventSource, byName);
    }
    let entry = byName.get(event.eventName);
    if (!entry) {
      const action = actionOf(event);
      entry = {
        action,
        counts: zero(),
        rules: riskRules.filter((r) =>
          matchesEventFilter({ actions: r.actions, writesOnly: false }, event),
        ),
      };
      byName.set(event.eventName, entry);
    }
    return entry;
  }

  // The earliest MAX_RISKY_EVENTS risky events whatever the arrival order (LookupEvents gives
  // newest first): a max-heap on (time, id) whose top is the latest kept. A later event is
  // dropped before anything is built for it; an earlier one takes the top's place.
  const kept: KeptRisky[] = [];
  /** The rule names of the event being added (reused: most events match none). */
  const scratch: string[] = [];

  function siftUp(i: number): void {
    const item = kept[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = kept[parent]!;
      if (!laterRisky(item, p)) break;
      kept[i] = p;
      i = parent;
    }
    kept[i] = item;
  }

  function siftDown(i: number): void {
    const item = kept[i]!;
    const n = kept.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && laterRisky(kept[right]!, kept[left]!) ? right : left;
      const c = kept[child]!;
      if (!laterRisky(c, item)) break;
      kept[i] = c;
      i = child;
    }
    kept[i] = item;
  }

  /** Whether a risky event at (ms, id) would be kept now. */
  function wouldKeep(ms: number, eventID: string): boolean {
    if (kept.length < MAX_RISKY_EVENTS) return true;
    const top = kept[0]!;
    return ms < top.ms || (ms === top.ms && eventID < top.eventID);
  }

  /**
   * Keeps a risky event in place of the latest kept one once the heap is full, reusing that
   * entry: LookupEvents' newest-first order makes every risky event replace one, and fresh
   * entries living that long would be promoted garbage (about 80 MB more peak memory for a
   * million events).
   */
  function keepRisky(
    event: CloudTrailEvent,
    ms: number,
    action: string,
    write: boolean,
    errorCode: string | undefined,
    identity: string | undefined,
    arns: readonly string[],
    names: readonly string[],
  ): void {
    const full = kept.length >= MAX_RISKY_EVENTS;
    const item: KeptRisky = full
      ? kept[0]!
      : {
          ms,
          eventTime: "",
          eventID: "",
          action,
          region: "",
          write,
          errorCode: undefined,
          sourceIdentity: undefined,
          arns: [],
          arnCount: 0,
          rules: [],
          ruleCount: 0,
        };
    // Events of one second follow each other: share the text of the last one kept.
    if (event.eventTime !== lastKeptTime) lastKeptTime = event.eventTime;
    item.ms = ms;
    item.eventTime = lastKeptTime;
    item.eventID = event.eventID;
    item.action = action;
    let region = regions.get(event.awsRegion);
    if (region === undefined) {
      region = event.awsRegion;
      regions.set(region, region);
    }
    item.region = region;
    item.write = write;
    item.errorCode = errorCode;
    item.sourceIdentity = identity;
    for (let k = 0; k < arns.length; k++) item.arns[k] = arns[k]!;
    item.arnCount = arns.length;
    for (let k = 0; k < names.length; k++) item.rules[k] = names[k]!;
    item.ruleCount = names.length;
    if (full) {
      siftDown(0);
    } else {
      kept.push(item);
      siftUp(kept.length - 1);
    }
  }

  const recent = recentEventIds();
  let duplicates = 0;
  let unreadableCount = 0;
  const unreadable: UnreadableEvent[] = [];

  return {
    get size() {
      return totals.events;
    },
    unreadable(event) {
      unreadableCount++;
      unreadable.push(event);
      // Keep the earliest few, sorted only once the list has doubled (cheap and bounded).
      if (unreadable.length >= 2 * MAX_UNREADABLE_EVENTS) {
        unreadable.sort(byTimeThenId).length = MAX_UNREADABLE_EVENTS;
      }
    },
    add(event) {
      const time = event.eventTime;
      const ms = eventTimeMs(time);
      if (recent.seen(Math.floor(ms / 1000), event.eventID)) {
        duplicates++;
        return;
      }
      const write = event.readOnly !== true;
      const failed = event.errorCode !== undefined;
      count(totals, write, failed);
      if (overall) widen(overall, ms, time);
      else overall = { firstMs: ms, firstText: time, lastMs: ms, lastText: time };

      let s = services.get(event.eventSource);
      if (!s) {
        s = {
          service: serviceOf(event),
          ...zero(),
          span: { firstMs: ms, firstText: time, lastMs: ms, lastText: time },
          buckets: new Map(),
        };
        services.set(event.eventSource, s);
      }
      count(s, write, failed);
      widen(s.span, ms, time);
      const index = Math.floor((ms - origin) / bucketMs);
      let b = s.buckets.get(index);
      if (!b) {
        b = zero();
        s.buckets.set(index, b);
      }
      count(b, write, failed);

      const a = actionEntry(event);
      count(a.counts, write, failed);

      let errorCode: string | undefined;
      if (failed) {
        let e = errors.get(event.errorCode!);
        if (!e) {
          e = { errorCode: event.errorCode!, events: 0 };
          errors.set(event.errorCode!, e);
        }
        e.events++;
        errorCode = e.errorCode;
      }
      eventArns.length = 0;
      const list = event.resources;
      if (list) {
        for (const r of list) {
          if (typeof r.ARN !== "string") continue;
          let entry = resources.get(r.ARN);
          if (!entry) {
            entry = { arn: r.ARN, events: 0, writes: 0 };
            resources.set(r.ARN, entry);
          }
          entry.events++;
          if (write) entry.writes++;
          eventArns.push(entry.arn);
        }
      }
      let identity = event.userIdentity.sessionContext?.sourceIdentity;
      if (identity !== undefined) {
        const known = identities.get(identity);
        if (known === undefined) identities.set(identity, identity);
        else identity = known;
      }

      let names: string[] | undefined;
      scratch.length = 0;
      for (const rule of a.rules) {
        if (rule.writesOnly && !write) continue;
        if (
          rule.errorCodes &&
          !matchesEventFilter({ errorCodes: rule.errorCodes, writesOnly: false }, event)
        ) {
          continue;
        }
        names = scratch;
        names.push(rule.name);
      }
      if (identity !== undefined && identity !== subject.requester) {
        names = scratch;
        names.push("foreign-identity");
      }
      if (names) {
        riskyCount++;
        for (const n of names) riskyByRule.set(n, (riskyByRule.get(n) ?? 0) + 1);
        if (wouldKeep(ms, event.eventID)) {
          keepRisky(event, ms, a.action, write, errorCode, identity, eventArns, names);
        }
      }
    },
    summary() {
      const spans: TimelineSpan[] = [];
      const sortedServices = [...services.values()].sort((x, y) => byKey(x.service, y.service));
      for (const s of sortedServices) {
        const indices = [...s.buckets.keys()].sort((x, y) => x - y);
        let span: TimelineSpan | undefined;
        let previous = Number.NaN;
        for (const index of indices) {
          const c = s.buckets.get(index)!;
          if (span && index === previous + 1) {
            span.end = new Date(origin + (index + 1) * bucketMs).toISOString();
          } else {
            span = {
              service: s.service,
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
      const riskyEvents = [...kept]
        .sort((x, y) => (laterRisky(x, y) ? 1 : laterRisky(y, x) ? -1 : 0))
        .map(riskyEventOf);
      return {
        version: 1,
        ...subject,
        totals: { ...totals },
        firstActivity: overall?.firstText ?? null,
        lastActivity: overall?.lastText ?? null,
        sourceIdentities: [...identities.keys()].sort(byKey),
        byService: sortedServices.map((s) => ({
          service: s.service,
          events: s.events,
          reads: s.reads,
          writes: s.writes,
          failed: s.failed,
          first: s.span.firstText,
          last: s.span.lastText,
        })),
        byAction: [...actions.values()]
          .flatMap((m) => [...m.values()])
          .sort((x, y) => byKey(x.action, y.action))
          .map((e) => ({ action: e.action, ...e.counts })),
        byErrorCode: [...errors.values()]
          .sort((x, y) => byKey(x.errorCode, y.errorCode))
          .map((e) => ({ errorCode: e.errorCode, events: e.events })),
        resources: [...resources.values()]
          .sort((x, y) => byKey(x.arn, y.arn))
          .map((r) => ({ arn: r.arn, events: r.events, writes: r.writes })),
        riskyByRule: [...riskyByRule.entries()]
          .sort(([x], [y]) => byKey(x, y))
          .map(([rule, events]) => ({ rule, events })),
        riskyEventsTotal: riskyCount,
        riskyEvents,
        timeline: { bucketMinutes, spans },
        duplicateEvents: duplicates,
        unreadableEventsTotal: unreadableCount,
        unreadableEvents: [...unreadable].sort(byTimeThenId).slice(0, MAX_UNREADABLE_EVENTS),
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

/** Text from requests, policies and CloudTrail, for a table cell or a line. */
const cell = markdownText;
/** A name or ARN from CloudTrail, exactly, in a code span that holds in a table cell. */
const code = markdownCodeCell;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

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
    plural(span.events, "call"),
    ...(span.writes > 0 ? [plural(span.writes, "write")] : []),
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
      `CloudTrail returned ${plural(s.duplicateEvents, "event")} more than once; each is counted once.`,
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
