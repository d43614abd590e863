import { matchesEventFilter } from "../sweep/evaluate-alerts.ts";
import { byKey, countEvent, type Span, spanAt, widen, zeroCounts } from "./activity-counts.ts";
import { type Buckets, createTimeline } from "./activity-timeline.ts";
import type {
  ActivityCounts,
  AuditSubject,
  AuditSummary,
  RiskRule,
  TimelineSpan,
  UnreadableEvent,
} from "./audit-summary.ts";
import { actionOf, type CloudTrailEvent, eventTimeMs, serviceOf } from "./cloudtrail-event.ts";
import { createRiskyEvents, type RiskyDetails } from "./risky-events.ts";
import { createTouchedResources } from "./touched-resources.ts";
import { createUnreadableEvents, recentEventIds } from "./unread-events.ts";

/** A running tally of a grant's events. Add events in any order, then read the summary. */
export interface ActivityTally {
  /** Tallies an event; a copy of one already tallied (same id) is only counted as a copy. */
  add(event: CloudTrailEvent): void;
  /** Records an event that could not be read (see `UnreadableEvent`). */
  unreadable(event: UnreadableEvent): void;
  /** How many events were added. */
  readonly size: number;
  /**
   * How many entries the tally holds (services, actions, timeline buckets, error codes,
   * resources, identities, kept risky and unreadable events, remembered event ids): bounded by
   * what the summary reports and its caps, never by the number of events added.
   */
  readonly retainedEntries: number;
  summary(): AuditSummary;
}

interface ServiceEntry extends ActivityCounts {
  service: string;
  span: Span;
  buckets: Buckets;
}

interface ActionEntry {
  action: string;
  counts: ActivityCounts;
  /** Risk rules whose action globs match this action; their other conditions are per event. */
  rules: RiskRule[];
}

/**
 * Services by `eventSource` and actions by `eventSource`, then `eventName`: nested maps avoid
 * building a key string per event.
 */
function createServicesAndActions(riskRules: readonly RiskRule[]) {
  const services = new Map<string, ServiceEntry>();
  const actions = new Map<string, Map<string, ActionEntry>>();
  let actionCount = 0;
  return {
    service(event: CloudTrailEvent, ms: number, time: string): ServiceEntry {
      let s = services.get(event.eventSource);
      if (!s) {
        s = {
          service: serviceOf(event),
          ...zeroCounts(),
          span: spanAt(ms, time),
          buckets: new Map(),
        };
        services.set(event.eventSource, s);
      }
      return s;
    },
    action(event: CloudTrailEvent): ActionEntry {
      let byName = actions.get(event.eventSource);
      if (!byName) {
        byName = new Map();
        actions.set(event.eventSource, byName);
      }
      let entry = byName.get(event.eventName);
      if (!entry) {
        entry = {
          action: actionOf(event),
          counts: zeroCounts(),
          rules: riskRules.filter((r) =>
            matchesEventFilter({ actions: r.actions, writesOnly: false }, event),
          ),
        };
        byName.set(event.eventName, entry);
        actionCount++;
      }
      return entry;
    },
    get retainedEntries() {
      let bucketCount = 0;
      for (const s of services.values()) bucketCount += s.buckets.size;
      return services.size + actions.size + actionCount + bucketCount;
    },
    sortedServices: () => [...services.values()].sort((x, y) => byKey(x.service, y.service)),
    byAction: () =>
      [...actions.values()]
        .flatMap((m) => [...m.values()])
        .sort((x, y) => byKey(x.action, y.action))
        .map((e) => ({ action: e.action, ...e.counts })),
  };
}

/**
 * Texts counted by value (error codes) or only remembered (source identities), each kept as the
 * first copy seen: a kept risky event points at that copy instead of a fresh string of its own,
 * which would be promoted to the old generation before it is dropped.
 */
function createTextCounts() {
  const counts = new Map<string, { text: string; events: number }>();
  return {
    /** Counts `text` (when `add`) and returns the first copy of it. */
    count(text: string, add = true): string {
      let e = counts.get(text);
      if (!e) {
        e = { text, events: 0 };
        counts.set(text, e);
      }
      if (add) e.events++;
      return e.text;
    },
    get size() {
      return counts.size;
    },
    sorted: () => [...counts.values()].sort((x, y) => byKey(x.text, y.text)),
  };
}

/** The parts of a tally, each holding what one part of the summary reports. */
function createParts(subject: AuditSubject, riskRules: readonly RiskRule[]) {
  return {
    totals: zeroCounts(),
    overall: undefined as Span | undefined,
    timeline: createTimeline(subject.window),
    byService: createServicesAndActions(riskRules),
    errors: createTextCounts(),
    identities: createTextCounts(),
    resources: createTouchedResources(),
    risky: createRiskyEvents(subject.requester),
    recent: recentEventIds(),
    duplicates: 0,
    unreadable: createUnreadableEvents(),
  };
}

type Parts = ReturnType<typeof createParts>;

function retainedEntriesOf(p: Parts): number {
  return (
    p.byService.retainedEntries +
    p.errors.size +
    p.identities.size +
    p.resources.size +
    p.risky.retainedEntries +
    p.recent.retainedEntries +
    p.unreadable.retainedEntries
  );
}

function summaryOf(subject: AuditSubject, p: Parts): AuditSummary {
  const services = p.byService.sortedServices();
  const spans: TimelineSpan[] = [];
  for (const s of services) p.timeline.spans(s.service, s.buckets, spans);
  return {
    version: 1,
    ...subject,
    totals: { ...p.totals },
    firstActivity: p.overall?.firstText ?? null,
    lastActivity: p.overall?.lastText ?? null,
    sourceIdentities: p.identities.sorted().map((e) => e.text),
    byService: services.map((s) => ({
      service: s.service,
      events: s.events,
      reads: s.reads,
      writes: s.writes,
      failed: s.failed,
      first: s.span.firstText,
      last: s.span.lastText,
    })),
    byAction: p.byService.byAction(),
    byErrorCode: p.errors.sorted().map((e) => ({ errorCode: e.text, events: e.events })),
    resources: p.resources.list(),
    riskyByRule: p.risky.byRule(),
    riskyEventsTotal: p.risky.total,
    riskyEvents: p.risky.earliest(),
    timeline: { bucketMinutes: p.timeline.bucketMinutes, spans },
    duplicateEvents: p.duplicates,
    unreadableEventsTotal: p.unreadable.total,
    unreadableEvents: p.unreadable.earliest(),
  };
}

/** Starts a streaming tally for `subject`, marking events risky by `riskRules`. */
export function createActivityTally(
  subject: AuditSubject,
  riskRules: readonly RiskRule[],
): ActivityTally {
  const p = createParts(subject, riskRules);
  const { totals, timeline, byService, errors, identities, resources, risky } = p;
  /** What is known of the event being added, for the risky events (reused). */
  const details: RiskyDetails & { arns: string[] } = {
    action: "",
    write: false,
    errorCode: undefined,
    identity: undefined,
    arns: [],
    arnCount: 0,
  };
  return {
    get size() {
      return totals.events;
    },
    get retainedEntries() {
      return retainedEntriesOf(p);
    },
    unreadable: (event) => p.unreadable.add(event),
    add(event) {
      const time = event.eventTime;
      const ms = eventTimeMs(time);
      if (p.recent.seen(Math.floor(ms / 1000), event.eventID)) {
        p.duplicates++;
        return;
      }
      const write = event.readOnly !== true;
      const failed = event.errorCode !== undefined;
      countEvent(totals, write, failed);
      if (p.overall) widen(p.overall, ms, time);
      else p.overall = spanAt(ms, time);
      const s = byService.service(event, ms, time);
      countEvent(s, write, failed);
      widen(s.span, ms, time);
      timeline.add(s.buckets, ms, write, failed);
      const a = byService.action(event);
      countEvent(a.counts, write, failed);

      details.errorCode = failed ? errors.count(event.errorCode!) : undefined;
      details.arnCount = resources.add(event.resources, write, details.arns);
      const identity = event.userIdentity.sessionContext?.sourceIdentity;
      details.identity = identity === undefined ? undefined : identities.count(identity, false);
      const names = risky.rulesOf(a.rules, event, write, details.identity);
      if (names) {
        details.action = a.action;
        details.write = write;
        risky.add(event, ms, details, names);
      }
    },
    summary: () => summaryOf(subject, p),
  };
}
