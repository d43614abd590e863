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
 * Parses the `CloudTrailEvent` JSON string of a `LookupEvents` result. Returns an error message
 * instead of throwing, naming what is missing, so the caller can report the event id.
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
  for (const field of ["eventID", "eventTime", "eventSource", "eventName", "awsRegion"]) {
    if (typeof record[field] !== "string") {
      return { ok: false, message: `field ${field} is missing or not a string` };
    }
  }
  if (Number.isNaN(Date.parse(record.eventTime as string))) {
    return { ok: false, message: `eventTime "${String(record.eventTime)}" is not a time` };
  }
  if (typeof record.userIdentity !== "object" || record.userIdentity === null) {
    return { ok: false, message: "field userIdentity is missing" };
  }
  return { ok: true, event: value as CloudTrailEvent };
}
