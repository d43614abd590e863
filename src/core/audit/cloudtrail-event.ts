/**
 * The part of a CloudTrail record (the JSON in `LookupEvents`' `CloudTrailEvent` field, or a
 * line of a trail's log file) that hallpass reads. Field names are CloudTrail's own, so a real
 * record can be passed as is. See the CloudTrail record contents reference.
 */
export interface CloudTrailEvent {
  /** Unique id of the event (a GUID). */
  eventID: string;
  /** When the request was made, ISO-8601 UTC (`2026-11-26T09:12:03Z`). */
  eventTime: string;
  /** The service's endpoint host, `iam.amazonaws.com`. */
  eventSource: string;
  /** The API action, `CreateRole`. */
  eventName: string;
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity: {
    type: string;
    principalId?: string;
    /** `arn:aws:sts::123456789012:assumed-role/<role-name>/<session-name>` for a grant session. */
    arn?: string;
    accountId?: string;
    accessKeyId?: string;
    sessionContext?: {
      /** The GitHub login the grant's trust policy required (`sts:SourceIdentity`). */
      sourceIdentity?: string;
      sessionIssuer?: {
        type?: string;
        principalId?: string;
        /** ARN of the assumed role: the grant role for a grant session. */
        arn?: string;
        accountId?: string;
        userName?: string;
      };
      attributes?: { creationDate?: string; mfaAuthenticated?: string };
    };
  };
  /**
   * True for a read. CloudTrail leaves it out for some events; a missing value counts as a
   * write, so an unknown event is never under-reported.
   */
  readOnly?: boolean;
  /** Set when the call failed (`AccessDenied`, `Client.UnauthorizedOperation`, …). */
  errorCode?: string;
  errorMessage?: string;
  /** Resources the call touched, when CloudTrail records them. */
  resources?: { ARN?: string; accountId?: string; type?: string }[];
  requestParameters?: unknown;
  recipientAccountId?: string;
}

/** `iam.amazonaws.com` -> `iam`: the service prefix IAM actions use. */
export function serviceOf(event: Pick<CloudTrailEvent, "eventSource">): string {
  return event.eventSource.replace(/\.amazonaws\.com$/, "");
}

/** `iam:CreateRole`, the spelling alert rules and summaries use. */
export function actionOf(event: Pick<CloudTrailEvent, "eventSource" | "eventName">): string {
  return `${serviceOf(event)}:${event.eventName}`;
}

/** A write is any event not marked `readOnly: true` (a missing flag counts as a write). */
export function isWrite(event: Pick<CloudTrailEvent, "readOnly">): boolean {
  return event.readOnly !== true;
}

/**
 * `arn:aws:iam::123456789012:role/hallpass/name` -> `arn:aws:iam::123456789012:role/name`.
 * CloudTrail's sessionIssuer ARN carries the role's path; compare without it so either
 * spelling matches (role names are unique in an account whatever their path).
 */
export function normalizeRoleArn(arn: string): string {
  const match = /^(arn:[^:]+:iam::\d{12}:role\/)(?:.*\/)?([^/]+)$/.exec(arn);
  return match ? `${match[1]}${match[2]}` : arn;
}

/** The role whose session made the call (path removed), or undefined for other identities. */
export function issuerRoleOf(event: CloudTrailEvent): string | undefined {
  const arn = event.userIdentity.sessionContext?.sessionIssuer?.arn;
  return arn === undefined ? undefined : normalizeRoleArn(arn);
}

/**
 * The fields every record must carry as text. `parseCloudTrailEvent` tests them by name, for
 * speed; its test checks the two lists against each other.
 */
export const REQUIRED_TEXT_FIELDS = [
  "eventID",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
] as const;

/** Two decimal digits at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `Date.parse` of an event time, with the same result for every input, faster for the form
 * CloudTrail writes (`2026-11-26T09:12:03Z`): it is read twice per event (checked when parsed,
 * then tallied), which showed in profiles of a million-event summary. Other forms, and days
 * past the 28th (whose validity depends on the month), go to `Date.parse`.
 */
export function eventTimeMs(text: string): number {
  // The same text is read twice in a row (parsed, then tallied), and events of one second
  // follow each other: remembering the last answer halves the work. Same result either way.
  if (text === lastTimeText) return lastTimeMs;
  lastTimeText = text;
  lastTimeMs = computeEventTimeMs(text);
  return lastTimeMs;
}

let lastTimeText = "";
let lastTimeMs = Number.NaN;

function computeEventTimeMs(text: string): number {
  if (
    text.length === 20 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 90 // Z
  ) {
    const century = twoDigits(text, 0);
    const year = twoDigits(text, 2);
    const month = twoDigits(text, 5);
    const day = twoDigits(text, 8);
    const hour = twoDigits(text, 11);
    const minute = twoDigits(text, 14);
    const second = twoDigits(text, 17);
    if (
      century >= 1 && // Date.UTC reads years 0-99 as 1900-1999
      year >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59
    ) {
      return Date.UTC(century * 100 + year, month - 1, day, hour, minute, second);
    }
  }
  return Date.parse(text);
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a field hallpass reads is of the wrong type, or undefined. `at` prefixes the path. */
function textProblem(record: Fields, field: string, at: string): string | undefined {
  const value = record[field];
  return value === undefined || typeof value === "string"
    ? undefined
    : `field ${at}${field} is not a string`;
}

function objectProblem(record: Fields, field: string, at: string): string | undefined {
  const value = record[field];
  return value === undefined || value === null || isObject(value)
    ? undefined
    : `field ${at}${field} is not an object`;
}

/**
 * Checks the optional fields hallpass reads (the required ones are checked before), so a
 * record CloudTrail would never write is refused with its field named instead of being
 * counted wrongly or failing later without saying where. Reads only: no copy.
 */
function fieldProblem(record: Fields, identity: Fields): string | undefined {
  let problem =
    textProblem(record, "errorCode", "") ??
    textProblem(identity, "arn", "userIdentity.") ??
    objectProblem(identity, "sessionContext", "userIdentity.");
  if (problem) return problem;
  const context = identity.sessionContext as Fields | null | undefined;
  if (context) {
    const at = "userIdentity.sessionContext.";
    problem =
      textProblem(context, "sourceIdentity", at) ?? objectProblem(context, "sessionIssuer", at);
    if (problem) return problem;
    const issuer = context.sessionIssuer as Fields | null | undefined;
    if (issuer) {
      problem = textProblem(issuer, "arn", `${at}sessionIssuer.`);
      if (problem) return problem;
    }
  }
  const list = record.resources;
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) return "field resources is not a list";
  for (let n = 0; n < list.length; n++) {
    const r: unknown = list[n];
    if (!isObject(r)) return `field resources[${n}] is not an object`;
    if (r.ARN !== undefined && typeof r.ARN !== "string") {
      return `field resources[${n}].ARN is not a string`;
    }
  }
  return undefined;
}

/** The last second of year 9999: later times are not CloudTrail's. */
const LATEST_EVENT_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Parses the `CloudTrailEvent` JSON string of a `LookupEvents` result. Returns an error message
 * instead of throwing, naming what is missing or of the wrong type, so the caller can report
 * the event id. The event is the whole record as parsed: see `compactCloudTrailEvent` for an
 * event that is held.
 */
export function parseCloudTrailEvent(
  json: string,
): { ok: true; event: CloudTrailEvent } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null) {
    return { ok: false, message: "not a JSON object" };
  }
  const record = value as Record<string, unknown>;
  // Named reads, not a loop over the names: a computed key is a generic lookup, on every event.
  if (
    typeof record.eventID !== "string" ||
    typeof record.eventTime !== "string" ||
    typeof record.eventSource !== "string" ||
    typeof record.eventName !== "string" ||
    typeof record.awsRegion !== "string"
  ) {
    const field = REQUIRED_TEXT_FIELDS.find((f) => typeof record[f] !== "string");
    return { ok: false, message: `field ${field} is missing or not a string` };
  }
  const ms = eventTimeMs(record.eventTime as string);
  if (Number.isNaN(ms)) {
    return { ok: false, message: `eventTime "${String(record.eventTime)}" is not a time` };
  }
  // A time JavaScript can hold but no calendar arithmetic can move (year 275760): the summary's
  // time buckets would throw, and the audit of the grant would fail on every sweep.
  if (ms < 0 || ms > LATEST_EVENT_MS) {
    return {
      ok: false,
      message: `eventTime "${String(record.eventTime)}" is not between 1970 and 9999`,
    };
  }
  if (!isObject(record.userIdentity)) {
    return { ok: false, message: "field userIdentity is missing" };
  }
  const problem = fieldProblem(record, record.userIdentity);
  if (problem !== undefined) return { ok: false, message: problem };
  return { ok: true, event: value as CloudTrailEvent };
}

/** Sets `field` on `target` only when it has a value, so an absent field stays absent. */
function put<T extends object, K extends keyof T>(target: T, field: K, value: T[K] | undefined) {
  if (value !== undefined && value !== null) target[field] = value;
}

/**
 * A copy of a parsed event with only the fields hallpass reads (ids, time, action, region,
 * `readOnly`, `errorCode`, `resources`, and who: the identity's type, ARN and account, the
 * session's source identity and issuer). For an event that is held, not tallied and dropped:
 * the rest of the record (request and response bodies, which can be tens of KB, TLS details,
 * user agent) would be held with it. Copying costs about half a microsecond an event, which
 * is why a streamed event is not copied.
 */
export function compactCloudTrailEvent(event: CloudTrailEvent): CloudTrailEvent {
  const identity = event.userIdentity;
  const userIdentity: CloudTrailEvent["userIdentity"] = { type: identity.type };
  put(userIdentity, "arn", identity.arn);
  put(userIdentity, "accountId", identity.accountId);
  const context = identity.sessionContext;
  if (context) {
    const session: NonNullable<typeof identity.sessionContext> = {};
    put(session, "sourceIdentity", context.sourceIdentity);
    const issuer = context.sessionIssuer;
    if (issuer) {
      const i: NonNullable<typeof session.sessionIssuer> = {};
      put(i, "type", issuer.type);
      put(i, "arn", issuer.arn);
      put(i, "accountId", issuer.accountId);
      session.sessionIssuer = i;
    }
    userIdentity.sessionContext = session;
  }
  const copy: CloudTrailEvent = {
    eventID: event.eventID,
    eventTime: event.eventTime,
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: event.awsRegion,
    userIdentity,
  };
  put(copy, "readOnly", event.readOnly);
  put(copy, "errorCode", event.errorCode);
  if (event.resources) {
    copy.resources = event.resources.map((r) => {
      const resource: NonNullable<CloudTrailEvent["resources"]>[number] = {};
      put(resource, "ARN", r.ARN);
      put(resource, "accountId", r.accountId);
      put(resource, "type", r.type);
      return resource;
    });
  }
  return copy;
}
