import type { AccessHistory, EntryState, HistoryEntry } from "./build-access-history.ts";
import type { TrailFinding, TrailVerification } from "./verify-trail.ts";

/**
 * `hallpass report`: every access of a period as a document an auditor can file. Built from the
 * history and its verification (both from git alone), so the report says nothing git does not.
 * Pure; the renderers (Markdown, HTML, CSV) and `--format json` all read this one shape.
 */

/** How an access ended (or where it stands at the revision). */
export type AccessEnd =
  /** The window ran out (recorded by the sweep, or not recorded yet). */
  | "expiry"
  /** The requester released it early (`/hallpass revoke`, a closed request). */
  | "early-release"
  /** Revoked by an alert rule. */
  | "revocation"
  /** A role found in AWS without a grant record, removed by the sweep. */
  | "reconciliation"
  /** Replaced by a grant that extended it. */
  | "replaced"
  /** The grant failed half-way and was rolled back. */
  | "rolled-back"
  | "live"
  | "scheduled"
  | "not-granted"
  /** No grant record that can be read, or a deleted request. */
  | "unknown";

/** One access (one request) of the period. */
export interface ReportAccess {
  requestPath: string;
  state: EntryState;
  requester: string | null;
  role: string | null;
  account: string | null;
  reason: string | null;
  ticket: string | null;
  emergency: boolean;
  pullRequest: { number: number; url: string } | null;
  /** Approvals the grant record holds, in review order. */
  approvals: { reviewer: string; at: string }[];
  /** The policy rule that approved the request without review, when one did. */
  approvedWithoutReview?: string;
  /** What was asked: the request's duration and start (null: at merge). */
  asked: { duration: string; start: string | null } | null;
  /** The window granted, or null when nothing was granted. */
  granted: { start: string; end: string } | null;
  ended: { how: AccessEnd; at: string | null; by: string | null; detail: string | null };
  /** The audit summary's figures, or null when none is committed. */
  activity: {
    events: number;
    reads: number;
    writes: number;
    failed: number;
    risky: number;
    riskyByRule: { rule: string; events: number }[];
  } | null;
  alerts: { rule: string; severity: string; from: string; events: number; revoked: boolean }[];
  /**
   * For a break-glass grant: its post-incident review is a GitHub issue (label
   * `hallpass:post-incident-review`), whose state git does not hold; null otherwise.
   */
  postIncidentReview: string | null;
  /** verify's findings about this access (file and kind). */
  findings: { kind: string; file: string; message: string }[];
}

/** A total over the period. */
export interface ReportTotal {
  key: string;
  accesses: number;
  /** Seconds of granted windows that fall inside the period. */
  grantedSeconds: number;
}

export interface AccessReport {
  version: 1;
  revision: string;
  generatedAt: string;
  period: { since: string; until: string };
  /** The trail holds (no verify finding in the period or about the whole history). */
  trailHolds: boolean;
  signaturesChecked: boolean;
  totals: {
    accesses: number;
    granted: number;
    byPerson: ReportTotal[];
    byRole: ReportTotal[];
    byAccount: ReportTotal[];
  };
  exceptions: {
    /** verify's findings of the period's accesses, and those about the whole history. */
    findings: TrailFinding[];
    breakGlass: string[];
    /** Accesses that ended before their window did, or by reconciliation. */
    revocations: string[];
    alerts: string[];
    /** Ended grants with no audit summary committed. */
    missingAudits: string[];
  };
  /** Sorted by the window's start (or the time the request landed), then path. */
  accesses: ReportAccess[];
}

export interface ReportInput {
  history: AccessHistory;
  verification: TrailVerification;
  since: Date;
  until: Date;
}

const ENDS: Record<string, AccessEnd> = {
  expired: "expiry",
  "early-release": "early-release",
  alert: "revocation",
  "unrecorded-role": "reconciliation",
  "replaced-by-extension": "replaced",
  "grant-failed": "rolled-back",
};

/** The report of the accesses whose window (or, ungranted, whose landing) meets the period. */
export function buildReport(input: ReportInput): AccessReport {
  const since = input.since.getTime();
  const until = input.until.getTime();
  const inPeriod = input.history.entries.filter((e) => meets(e, since, until));
  const findingsOf = new Map<string, TrailFinding[]>();
  for (const f of [...input.verification.findings, ...input.verification.notices]) {
    findingsOf.set(f.requestPath, [...(findingsOf.get(f.requestPath) ?? []), f]);
  }
  const accesses = inPeriod.map((e) => toAccess(e, findingsOf.get(e.requestPath) ?? []));
  const at = (a: ReportAccess) => a.granted?.start ?? a.ended.at ?? "";
  accesses.sort((a, b) => at(a).localeCompare(at(b)) || a.requestPath.localeCompare(b.requestPath));
  const paths = new Set(accesses.map((a) => a.requestPath));
  const findings = input.verification.findings.filter(
    (f) => f.requestPath === "" || paths.has(f.requestPath),
  );
  const total = (key: (a: ReportAccess) => string | null) => totals(accesses, key, since, until);
  return {
    version: 1,
    revision: input.history.revision,
    generatedAt: input.history.generatedAt,
    period: { since: input.since.toISOString(), until: input.until.toISOString() },
    trailHolds: findings.length === 0,
    signaturesChecked: input.verification.signaturesChecked,
    totals: {
      accesses: accesses.length,
      granted: accesses.filter((a) => a.granted).length,
      byPerson: total((a) => a.requester),
      byRole: total((a) => a.role),
      byAccount: total((a) => a.account),
    },
    exceptions: {
      findings,
      breakGlass: accesses.filter((a) => a.emergency).map((a) => a.requestPath),
      revocations: accesses
        .filter((a) => ["early-release", "revocation", "reconciliation"].includes(a.ended.how))
        .map((a) => a.requestPath),
      alerts: accesses.filter((a) => a.alerts.length > 0).map((a) => a.requestPath),
      missingAudits: findings.filter((f) => f.kind === "audit-missing").map((f) => f.requestPath),
    },
    accesses,
  };
}

/** Whether an entry belongs to the period: its window overlaps it, or it landed in it. */
function meets(entry: HistoryEntry, since: number, until: number): boolean {
  if (entry.grant) {
    const start = Date.parse(entry.grant.window.start);
    const end = Date.parse(entry.revocation?.revokedAt ?? entry.grant.window.end);
    return start < until && Math.max(end, start) >= since;
  }
  const at = Date.parse(entry.added?.date ?? entry.revocation?.revokedAt ?? "");
  return at >= since && at < until;
}

function toAccess(entry: HistoryEntry, findings: TrailFinding[]): ReportAccess {
  const { request, grant, audit } = entry;
  const emergency = grant?.emergency ?? request?.emergency ?? false;
  return {
    requestPath: entry.requestPath,
    state: entry.state,
    requester: grant?.requester ?? request?.requester ?? null,
    role: grant?.role ?? request?.role ?? null,
    account:
      grant?.account.name ??
      request?.account ??
      // A role made by hand is recorded under the id of the account it was found in.
      (/^access-requests\/unrecorded\/(\d{12})\//.exec(entry.requestPath)?.[1] || null),
    reason: request?.reason ?? null,
    ticket: request?.ticket ?? null,
    emergency,
    pullRequest: grant
      ? { number: grant.pullRequest, url: grant.url }
      : entry.ungranted
        ? { number: entry.ungranted.pullRequest, url: entry.ungranted.url }
        : null,
    approvals: (grant?.approvals ?? []).map((a) => ({ reviewer: a.reviewer, at: a.submittedAt })),
    ...(grant?.autoApproval ? { approvedWithoutReview: grant.autoApproval.rule } : {}),
    asked: request ? { duration: request.duration, start: request.start } : null,
    granted: grant ? { ...grant.window } : null,
    ended: endOf(entry),
    activity: audit
      ? {
          events: audit.events,
          reads: audit.reads,
          writes: audit.writes,
          failed: audit.failed,
          risky: audit.riskyEvents,
          riskyByRule: audit.riskyByRule,
        }
      : null,
    alerts: entry.alerts.map((a) => ({
      rule: a.rule,
      severity: a.severity,
      from: a.from,
      events: a.events,
      revoked: a.revoked,
    })),
    postIncidentReview:
      emergency && grant
        ? `in GitHub, not git: the issue labelled hallpass:post-incident-review for pull request #${grant.pullRequest}`
        : null,
    findings: findings.map((f) => ({ kind: f.kind, file: f.file, message: f.message })),
  };
}

function endOf(entry: HistoryEntry): ReportAccess["ended"] {
  const { revocation, grant } = entry;
  if (revocation) {
    const how = ENDS[revocation.reason] ?? "unknown";
    // A revocation at or after the window's end is the sweep recording the expiry.
    const expired = grant && Date.parse(revocation.revokedAt) >= Date.parse(grant.window.end);
    // Access ended at the window's end (the role's own conditions), not when it was recorded.
    const expiry = expired && how !== "rolled-back";
    return {
      how: expiry ? "expiry" : how,
      at: expiry ? grant.window.end : revocation.revokedAt,
      by: revocation.revokedBy,
      detail: revocation.detail,
    };
  }
  const how: AccessEnd =
    entry.state === "ended"
      ? "expiry"
      : entry.state === "live" || entry.state === "scheduled" || entry.state === "not-granted"
        ? entry.state
        : "unknown";
  return { how, at: how === "expiry" ? (grant?.window.end ?? null) : null, by: null, detail: null };
}

/** Accesses and granted seconds (clipped to the period) per key, most seconds first. */
function totals(
  accesses: readonly ReportAccess[],
  key: (a: ReportAccess) => string | null,
  since: number,
  until: number,
): ReportTotal[] {
  const byKey = new Map<string, ReportTotal>();
  for (const access of accesses) {
    const k = key(access) ?? "(unknown)";
    const total = byKey.get(k) ?? { key: k, accesses: 0, grantedSeconds: 0 };
    total.accesses++;
    if (access.granted) {
      const start = Math.max(Date.parse(access.granted.start), since);
      const endAt = access.ended.at ? Date.parse(access.ended.at) : Number.POSITIVE_INFINITY;
      const end = Math.min(Date.parse(access.granted.end), endAt, until);
      total.grantedSeconds += Math.max(0, Math.round((end - start) / 1000));
    }
    byKey.set(k, total);
  }
  return [...byKey.values()].sort(
    (a, b) => b.grantedSeconds - a.grantedSeconds || a.key.localeCompare(b.key),
  );
}
