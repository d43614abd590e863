import type { EventFilter } from "../sweep/evaluate-alerts.ts";

/**
 * The data of an audit summary (see \`summarize-activity.ts\`): its subject, its figures, and the
 * events it lists one by one. Shared by the tally's parts and the renderers.
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
