import { z } from "zod";
import { actionOf, type CloudTrailEvent, isWrite } from "../audit/cloudtrail-event.ts";
import { matchesGlob } from "../policy/match-glob.ts";
import type { AlertRule } from "../policy/policy-format.ts";

/**
 * Alert rules (policies `settings.alerts`) applied to a live grant's CloudTrail events.
 *
 * The sweeper evaluates the events of the grant's window as it reads them (from where its last
 * run stopped, reading again what CloudTrail may still deliver late), and the alerts already
 * raised are kept in git (`<stem>.alerts.json`, see `alertsRecordSchema`): an alert is new when
 * none of its events was part of an earlier alert of the same rule. That makes the evaluation a
 * function of (rules, events, earlier alerts), so a late, skipped or killed run raises exactly
 * the alerts that are due, and an event CloudTrail delivers late is still judged.
 */

const isoTime = z.string().datetime({ offset: true });

export const firedAlertSchema = z.strictObject({
  id: z.string().describe("Stable id: `<rule>:<eventID of the first event>`."),
  rule: z.string().describe("Name of the alert rule in policies/."),
  severity: z.enum(["low", "medium", "high", "critical"]),
  from: isoTime.describe("Time of the first event of the alert."),
  to: isoTime.describe("Time of the last event of the alert."),
  eventIds: z.array(z.string()).min(1).describe("CloudTrail eventIDs the alert is about."),
  revoked: z.boolean().describe("Whether the rule revoked the grant."),
});

export const alertsRecordSchema = z.strictObject({
  version: z.literal(1),
  requestPath: z.string(),
  roleArn: z.string(),
  alerts: z.array(firedAlertSchema).describe("Every alert raised on this grant, oldest first."),
  watched: z
    .record(z.string(), z.array(z.strictObject({ from: isoTime, to: isoTime })))
    .optional()
    .describe(
      "By region: the spans of time (oldest first) whose events of this grant the sweep has read and judged, so that a lookup cut by a run's budget resumes where it stopped in the next run.",
    ),
});

/** An alert as recorded in git. */
export type FiredAlert = z.infer<typeof firedAlertSchema>;
/** The `<stem>.alerts.json` record of a grant. */
export type AlertsRecord = z.infer<typeof alertsRecordSchema>;

/** An event an alert is about, as shown in messages. */
export interface AlertEvent {
  eventID: string;
  eventTime: string;
  action: string;
  region: string;
  errorCode?: string;
  resources: string[];
}

/** A new alert: what to record, and what to tell people. */
export interface Alert {
  id: string;
  rule: string;
  description?: string;
  severity: FiredAlert["severity"];
  /** The rule asks for the grant to be revoked at once. */
  revoke: boolean;
  from: string;
  to: string;
  events: AlertEvent[];
}

/** The part of an alert rule that decides whether one event matches. */
export type EventFilter = Pick<AlertRule, "actions" | "writesOnly" | "errorCodes">;

/** True when `service:EventName` matches one of the rule's action globs (all when it has none). */
export function matchesEventFilter(filter: EventFilter, event: CloudTrailEvent): boolean {
  if (filter.writesOnly && !isWrite(event)) return false;
  if (filter.errorCodes) {
    if (event.errorCode === undefined) return false;
    const code = event.errorCode;
    // EC2 reports AccessDenied as `Client.UnauthorizedOperation`; match with or without prefix.
    const bare = code.replace(/^(Client|Server)\./, "");
    if (!filter.errorCodes.some((c) => c === code || c === bare)) return false;
  }
  if (filter.actions) {
    const action = actionOf(event);
    if (!filter.actions.some((glob) => matchesGlob(glob, action))) return false;
  }
  return true;
}

function toAlertEvent(event: CloudTrailEvent): AlertEvent {
  const resources = (event.resources ?? [])
    .map((r) => r.ARN)
    .filter((arn): arn is string => typeof arn === "string");
  return {
    eventID: event.eventID,
    eventTime: event.eventTime,
    action: actionOf(event),
    region: event.awsRegion,
    ...(event.errorCode !== undefined ? { errorCode: event.errorCode } : {}),
    resources,
  };
}

function byTime(a: CloudTrailEvent, b: CloudTrailEvent): number {
  const ta = Date.parse(a.eventTime);
  const tb = Date.parse(b.eventTime);
  if (ta !== tb) return ta - tb;
  return a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0;
}

function makeAlert(rule: AlertRule, events: CloudTrailEvent[]): Alert {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  return {
    id: `${rule.name}:${first.eventID}`,
    rule: rule.name,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    severity: rule.severity,
    revoke: rule.revoke,
    from: first.eventTime,
    to: last.eventTime,
    events: events.map(toAlertEvent),
  };
}

/**
 * The alerts that `events` raise under `rules` and that were not raised before.
 *
 * A rule without a threshold raises one alert per evaluation for all its matching events not
 * yet alerted on. A rule with a threshold raises one alert per burst: `count` matching events
 * within `withinMinutes` of the burst's first event (the burst takes every matching event in
 * that span); counting starts again after it. A burst that shares an event with an earlier
 * alert of the same rule is the same burst seen again (perhaps with late events) and is not
 * raised twice. Events may come in any order; the result is sorted by time, then rule.
 */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  events: readonly CloudTrailEvent[],
  previous: readonly FiredAlert[],
): Alert[] {
  const sorted = [...events].sort(byTime);
  const alerts: Alert[] = [];
  for (const rule of rules) {
    const seen = new Set(previous.filter((a) => a.rule === rule.name).flatMap((a) => a.eventIds));
    const matching = sorted.filter((e) => matchesEventFilter(rule, e));
    if (!rule.threshold) {
      const fresh = matching.filter((e) => !seen.has(e.eventID));
      if (fresh.length > 0) alerts.push(makeAlert(rule, fresh));
      continue;
    }
    const windowMs = rule.threshold.withinMinutes * 60_000;
    let i = 0;
    while (i < matching.length) {
      const start = Date.parse(matching[i]!.eventTime);
      let end = i;
      while (
        end + 1 < matching.length &&
        Date.parse(matching[end + 1]!.eventTime) - start < windowMs
      ) {
        end++;
      }
      if (end - i + 1 >= rule.threshold.count) {
        const burst = matching.slice(i, end + 1);
        if (!burst.some((e) => seen.has(e.eventID))) alerts.push(makeAlert(rule, burst));
        i = end + 1;
      } else {
        i++;
      }
    }
  }
  return alerts.sort(
    (a, b) => Date.parse(a.from) - Date.parse(b.from) || (a.rule < b.rule ? -1 : 1),
  );
}

/** The alert as it is recorded in git. */
export function toFiredAlert(alert: Alert, revoked: boolean): FiredAlert {
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    from: alert.from,
    to: alert.to,
    eventIds: alert.events.map((e) => e.eventID),
    revoked,
  };
}
