import { z } from "zod";
import {
  type GrantRecord,
  grantRecordSchema,
  type RevocationRecord,
  revocationRecordSchema,
  type UngrantedRecord,
  ungrantedRecordSchema,
} from "../grant/records.ts";
import { formatDuration, parseDuration } from "../request/duration.ts";
import { readRequestValue } from "../request/read-request-value.ts";
import { type RecordKind, recordPath } from "../request/record-paths.ts";
import { compileSafeParse } from "../source/compile-safe-parse.ts";
import type { SourceFile } from "../source/source-file.ts";
import { alertsRecordSchema } from "../sweep/evaluate-alerts.ts";

/**
 * The whole story of every access request, from git alone: who asked for what and when the
 * request landed, who approved it, the grant, the alerts, the revocation and what the sessions
 * did (the audit summary's headline figures), and the findings a compliance officer must see.
 *
 * Pure: the shell reads the files at one revision and the first-parent `git log` of
 * `access-requests/`, and passes `now`. Nothing is concluded from GitHub or AWS: a fact that is
 * not in git is reported as missing, never assumed.
 */

/** One change to a path on the first-parent line of the branch, as `git log` reports it. */
export interface PathChange {
  /** The commit on the branch (for a merge commit: the merge, diffed against its first parent). */
  commit: string;
  /** A added, M modified, D deleted, T type changed (a file became a link or the reverse). */
  status: "A" | "M" | "D" | "T";
  /** The commit's author, `Name <email>`. */
  author: string;
  /** The committer date, ISO-8601: when the change landed on the branch. */
  date: string;
}

/** Which entries to keep. Findings of entries left out are left out too. */
export interface HistoryFilter {
  /** Request paths or folders (repository-relative); an entry is kept when one is a prefix. */
  paths?: readonly string[];
  /** Kept when the request landed at or after this time. */
  since?: Date;
  /** Kept when the request landed before this time. */
  until?: Date;
  /** GitHub login of the requester, case-insensitive. */
  requester?: string;
  /**
   * Account names or ids (for roles made by hand, the id); an entry is kept when its request
   * or grant names one of them. `accountAliases` gives an account's name and id together.
   */
  account?: string | readonly string[];
  /** Role name from policies/. */
  role?: string;
}

/** What the shell read. */
export interface HistoryInput {
  /** The commit the files were read at. */
  revision: string;
  /** Every file under `access-requests/` at the revision. */
  files: readonly HistoryFile[];
  /** Request files deleted before the revision, with their content just before deletion. */
  deletedRequests?: readonly SourceFile[];
  /** Changes of every path under `access-requests/` up to the revision, oldest first. */
  changes: ReadonlyMap<string, readonly PathChange[]>;
  /** The clone is shallow: the history before its boundary is missing. */
  shallow: boolean;
  now: Date;
  /** Seconds after a grant ends before its audit summary is due (policies `auditDelay`). */
  auditDelaySeconds: number;
  filter?: HistoryFilter;
}

/** Where an entry stands at the revision. */
export type EntryState =
  /** Merged, but no grant record and no revocation record. */
  | "not-granted"
  /** Granted; the window starts later. */
  | "scheduled"
  | "live"
  /** The window ended (revoked at or after its end, or not revoked yet). */
  | "ended"
  /** Revoked before the window ended. */
  | "revoked"
  /** The grant could not be completed and was rolled back (revocation reason grant-failed). */
  | "rolled-back"
  /** The request file is not at the revision any more: it was deleted after it landed. */
  | "deleted"
  /** A role found in AWS with no grant record, removed by the sweep. */
  | "unrecorded-role"
  /** A grant record is there but cannot be read (see its `unreadable` finding). */
  | "unknown";

export interface HistoryEntry {
  /** The request file (for a role made by hand: the virtual path the sweep recorded it under). */
  requestPath: string;
  state: EntryState;
  /**
   * The request as written (for a deleted file: its last content), or null when it does not
   * parse or cannot be read.
   */
  request: {
    requester: string;
    role: string;
    account: string;
    duration: string;
    reason: string;
    ticket: string | null;
    start: string | null;
    emergency: boolean;
    extends: string | null;
  } | null;
  /** The commit that added the request file to the branch, or null when history lacks it. */
  added: { commit: string; author: string; date: string } | null;
  grant: {
    pullRequest: number;
    url: string;
    mergeCommit: string;
    mergedAt: string;
    mergedBy: string;
    requester: string;
    role: string;
    approvals: { reviewer: string; reviewId: number; submittedAt: string; commitId: string }[];
    /** The policy rule that approved the request without review, when one did. */
    autoApproval?: { kind: string; rule: string; limit: string; extends?: string };
    roleArn: string;
    account: { name: string; id: string };
    window: { start: string; end: string };
    sessionName: string;
    sourceIdentity: string;
    emergency: boolean;
    grantedAt: string;
  } | null;
  /** Alerts raised on the grant, oldest first. */
  alerts: {
    rule: string;
    severity: string;
    from: string;
    to: string;
    events: number;
    revoked: boolean;
  }[];
  /**
   * The record of a merged request refused (`<stem>.ungranted.json`): the pull request that
   * added it and when the refusal was said on it, by the app at merge (`source: "app"`, with
   * why) or by the sweep that found no grant record (`source: "sweep"`, why unknown). Beside a
   * grant of the same merge granted later, it is a refusal overcome (quota freed, redelivered).
   */
  ungranted: {
    pullRequest: number;
    url: string;
    mergeCommit: string;
    mergedAt: string;
    reportedAt: string;
    detail: string;
    source: "app" | "sweep";
    /** The app's refusal in one line; null in the sweep's records. */
    reason: string | null;
    /** The app's refusal details, as on the pull request; [] in the sweep's records. */
    details: string[];
    mergedBy: string | null;
  } | null;
  revocation: {
    revokedAt: string;
    reason: string;
    revokedBy: string;
    detail: string | null;
  } | null;
  /** The audit summary's headline figures, or null when none is committed (or it is unreadable). */
  audit: {
    events: number;
    reads: number;
    writes: number;
    failed: number;
    firstActivity: string | null;
    lastActivity: string | null;
    riskyEvents: number;
    riskyByRule: { rule: string; events: number }[];
    sourceIdentities: string[];
    /**
     * Events CloudTrail listed whose records could not be read (named in the summary, in none
     * of the figures above); 0 for summaries written before they were counted.
     */
    unreadableEvents: number;
  } | null;
}

export type FindingKind =
  | "not-granted"
  | "not-revoked"
  | "no-approvals"
  | "self-approved"
  | "audit-missing"
  | "request-modified"
  | "request-deleted"
  | "record-changed"
  | "unreadable"
  | "inconsistent"
  | "orphan-record"
  | "unrecorded-role"
  | "emergency"
  | "shallow-history";

/** Something a compliance officer must look at. */
export interface HistoryFinding {
  kind: FindingKind;
  /** The entry it is about; "" for the whole history (a shallow clone). */
  requestPath: string;
  /** The file it is about (repository-relative), "" for the whole history. */
  file: string;
  /** 1-based line in `file`; 1 when it is about the whole file. */
  line: number;
  /** What was found and what to do, in one or two sentences. */
  message: string;
}

/** The history, as `hallpass history --format json` prints it. */
export interface AccessHistory {
  version: 1;
  revision: string;
  generatedAt: string;
  auditDelaySeconds: number;
  /** Seconds after a window's end before an unrecorded revocation is `not-revoked`. */
  revocationGraceSeconds: number;
  /** Entries sorted by the time the request landed, then path. */
  entries: HistoryEntry[];
  /** Sorted by entry (as `entries`), then file, line and kind. */
  findings: HistoryFinding[];
}

/**
 * How long after a grant's window ends its revocation may be missing from git before it is the
 * `not-revoked` finding. From the end on, the role's own conditions already deny every session;
 * removing it and committing the record is the scheduled sweep's job, and GitHub runs its
 * every-5-minutes schedule late under load (tens of minutes) or skips a run. A compliance job run right
 * after an expiry must not fail for that wait; a grant still unrecorded an hour after its end
 * means the sweep is not doing its job, and that is the finding.
 */
export const REVOCATION_GRACE_SECONDS = 60 * 60;

const UNRECORDED_PREFIX = "access-requests/unrecorded/";
const RECORD_FILE = /^(.*)\.(grant|revocation|alerts|audit|ungranted)\.(json|md)$/;
const REQUEST_FILE = /^(access-requests\/.*)\.ya?ml$/;

/** The audit summary's fields the history shows; the rest of the file is not checked here. */
export const auditHeadlineSchema = z.looseObject({
  version: z.literal(1),
  roleArn: z.string(),
  totals: z.object({
    events: z.number().int(),
    reads: z.number().int(),
    writes: z.number().int(),
    failed: z.number().int(),
  }),
  firstActivity: z.string().nullable(),
  lastActivity: z.string().nullable(),
  sourceIdentities: z.array(z.string()),
  riskyByRule: z.array(z.object({ rule: z.string(), events: z.number().int() })),
  riskyEventsTotal: z.number().int(),
  unreadableEventsTotal: z.number().int().optional(),
});

/**
 * A file under `access-requests/` reduced to what the history reads from it, for a reader that
 * holds the files of 10,000 requests: an audit summary (5 KB and more, mostly its timeline and
 * events) that parses and has the headline becomes the JSON of its headline and of the fields
 * its consistency is checked on. Any other file, and an audit summary that does not parse, is
 * returned as it is, so that its problems are found and located exactly as before: the
 * history built from compacted files is the history built from the files.
 */
export function compactHistoryFile(file: SourceFile): HistoryFile {
  if (!file.path.endsWith(".audit.json")) return file;
  let value: unknown;
  try {
    value = JSON.parse(text(file.content));
  } catch {
    return file;
  }
  const headline = parseAuditHeadline(value);
  if (!headline.success) return file;
  const h = headline.data;
  const compact = {
    version: h.version,
    roleArn: h.roleArn,
    // Read as written (checkConsistency compares it with the request's path).
    requestPath: h.requestPath,
    totals: {
      events: h.totals.events,
      reads: h.totals.reads,
      writes: h.totals.writes,
      failed: h.totals.failed,
    },
    firstActivity: h.firstActivity,
    lastActivity: h.lastActivity,
    sourceIdentities: h.sourceIdentities,
    riskyByRule: h.riskyByRule.map((r) => ({ rule: r.rule, events: r.events })),
    riskyEventsTotal: h.riskyEventsTotal,
    unreadableEventsTotal: h.unreadableEventsTotal,
  };
  return { path: file.path, content: JSON.stringify(compact), auditHeadline: compact };
}

const parseAuditHeadline = compileSafeParse(auditHeadlineSchema);

/** An audit summary's headline, as `compactHistoryFile` checked it. */
type AuditHeadline = z.infer<typeof auditHeadlineSchema>;

/**
 * A file under `access-requests/` as the history reads it. A compacted audit summary carries
 * the headline its content is the JSON of, already checked against the headline's schema, so
 * that 10,000 of them are not parsed and checked a second time.
 */
export interface HistoryFile extends SourceFile {
  readonly auditHeadline?: AuditHeadline;
}

/** The files of one request (or one hand-made role) at the revision. */
interface Group extends Partial<Record<RecordKind, HistoryFile>> {
  stem: string;
  request?: SourceFile;
  /** A request path that is in the tree but not as a regular file. */
  notAFile?: string;
}

/** One decoder for every file (it keeps no state between calls without `stream`). */
const decoder = new TextDecoder();

function text(content: string | Uint8Array): string {
  return typeof content === "string" ? content : decoder.decode(content);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds the history of every request (or of those the filter keeps) at one revision. */
export function buildAccessHistory(input: HistoryInput): AccessHistory {
  return buildAccessHistoryWithGrants(input).history;
}

/**
 * The history, and every grant record at the revision that parsed, by its path: `verify`
 * re-decides them without parsing 10,000 records a second time.
 */
export function buildAccessHistoryWithGrants(input: HistoryInput): {
  history: AccessHistory;
  grants: Map<string, GrantRecord>;
} {
  const now = input.now.getTime();
  const groups = new Map<string, Group>();
  const group = (stem: string): Group => {
    let g = groups.get(stem);
    if (!g) {
      g = { stem };
      groups.set(stem, g);
    }
    return g;
  };
  for (const file of input.files) {
    const record = RECORD_FILE.exec(file.path);
    if (record) {
      const [, stem, kind, ext] = record;
      // The .audit.md is the same summary for people; the JSON is the one that is read.
      if (ext === "json") group(stem!)[kind as RecordKind] = file;
      continue;
    }
    const request = REQUEST_FILE.exec(file.path);
    if (request) group(request[1]!).request = file;
  }
  // Request files that were in history but are not at the revision any more.
  const deleted = new Map<string, string>();
  for (const [path, list] of input.changes) {
    const request = REQUEST_FILE.exec(path);
    if (!request || path.startsWith(UNRECORDED_PREFIX)) continue;
    if (groups.get(request[1]!)?.request) continue;
    if (list.at(-1)?.status === "D") {
      group(request[1]!);
      deleted.set(request[1]!, path);
    } else {
      // In the tree, but not as a file the shell could read: a symbolic link or a submodule.
      group(request[1]!).notAFile = path;
    }
  }

  // Looked up by path once per deleted request: a search of the list each time is quadratic.
  const deletedFiles = new Map(input.deletedRequests?.map((f) => [f.path, f]));
  const built: { entry: HistoryEntry; findings: HistoryFinding[] }[] = [];
  const grants = new Map<string, GrantRecord>();
  for (const g of groups.values()) {
    const deletedPath = deleted.get(g.stem);
    const deletedFile = deletedPath === undefined ? undefined : deletedFiles.get(deletedPath);
    const { grant, ...rest } = buildEntry(g, deletedPath, deletedFile, input, now);
    if (grant && g.grant) grants.set(g.grant.path, grant);
    built.push(rest);
  }
  const time = (e: HistoryEntry) =>
    e.added?.date ?? e.grant?.mergedAt ?? e.revocation?.revokedAt ?? "";
  // Each entry's time normalised once, not in every comparison (10,000 entries: 0.3 s saved).
  const kept = built
    .filter(({ entry }) => keep(entry, input.filter))
    .map((k) => ({ ...k, at: iso(time(k.entry)) }));
  kept.sort((a, b) => compare(a.at, b.at) || compare(a.entry.requestPath, b.entry.requestPath));
  const findings: HistoryFinding[] = [];
  if (input.shallow) {
    findings.push({
      kind: "shallow-history",
      requestPath: "",
      file: "",
      line: 1,
      message:
        "the clone is shallow, so history before its boundary is missing and files look added there; fetch the full history (git fetch --unshallow, or actions/checkout with fetch-depth: 0) and run again",
    });
  }
  for (const { findings: f } of kept) {
    findings.push(
      ...f.sort((a, b) => compare(a.file, b.file) || a.line - b.line || compare(a.kind, b.kind)),
    );
  }
  const history: AccessHistory = {
    version: 1,
    revision: input.revision,
    generatedAt: input.now.toISOString(),
    auditDelaySeconds: input.auditDelaySeconds,
    revocationGraceSeconds: REVOCATION_GRACE_SECONDS,
    entries: kept.map((k) => k.entry),
    findings,
  };
  return { history, grants };
}

/** Normalises an ISO time for sorting (offsets differ between git and the records). */
function iso(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
}

/** Reports a finding about one entry: at `file` (line 1 unless given). */
type Find = (kind: FindingKind, file: string, message: string, line?: number) => void;

/** The records of one entry that parsed (an unreadable one is missing here, and a finding). */
interface Records {
  grant?: GrantRecord;
  revocation?: RevocationRecord;
  alerts?: z.infer<typeof alertsRecordSchema>;
  audit?: z.infer<typeof auditHeadlineSchema>;
  ungranted?: UngrantedRecord;
}

/** The entry of one group and its findings: read its files, check its git history, then its records. */
function buildEntry(
  g: Group,
  deletedPath: string | undefined,
  deletedFile: SourceFile | undefined,
  input: HistoryInput,
  now: number,
): { entry: HistoryEntry; findings: HistoryFinding[]; grant: GrantRecord | undefined } {
  const unrecorded = g.stem.startsWith(UNRECORDED_PREFIX);
  const requestPath = g.request?.path ?? g.notAFile ?? deletedPath ?? `${g.stem}.yaml`;
  const findings: HistoryFinding[] = [];
  const find: Find = (kind, file, message, line = 1) =>
    findings.push({ kind, requestPath, file, line, message });

  // 1. The files: the request (a deleted one as it was before its deletion) and the records.
  const request = readRequest(g, deletedFile, find);
  const records = readRecords(g, find);
  if (g.notAFile) {
    find(
      "unreadable",
      g.notAFile,
      "is not a regular file at this revision (a symbolic link or a submodule): a request must be a plain file, as its pull request showed it; find out what it pointed at and restore the file",
    );
  }
  // 2. Git history of the request file and of the records that must never change.
  const requestChanges = input.changes.get(requestPath) ?? [];
  const addedChange = requestChanges.find((c) => c.status === "A");
  const added = addedChange
    ? { commit: addedChange.commit, author: addedChange.author, date: addedChange.date }
    : null;
  if (!unrecorded) checkRequestUnchanged(g, requestPath, requestChanges, records.grant, find);
  checkRecordsUnchanged(requestPath, input.changes, find);

  // 3. The entry, from the records' fields the history shows.
  const entry: HistoryEntry = {
    requestPath,
    state: stateOf(unrecorded, g, records.grant, records.revocation, now),
    request,
    added,
    grant: records.grant ? grantOf(records.grant) : null,
    alerts: (records.alerts?.alerts ?? []).map((a) => ({
      rule: a.rule,
      severity: a.severity,
      from: a.from,
      to: a.to,
      events: a.eventIds.length,
      revoked: a.revoked,
    })),
    ungranted: records.ungranted ? ungrantedOf(records.ungranted) : null,
    revocation: records.revocation
      ? {
          revokedAt: records.revocation.revokedAt,
          reason: records.revocation.reason,
          revokedBy: records.revocation.revokedBy,
          detail: records.revocation.detail ?? null,
        }
      : null,
    audit: records.audit ? auditOf(records.audit) : null,
  };

  // 4. What a compliance officer must see about it.
  if (unrecorded) {
    const r = records.revocation;
    find(
      "unrecorded-role",
      g.revocation?.path ?? requestPath,
      `a role with no grant record was found in AWS${r ? ` (${r.roleArn}) and removed at ${r.revokedAt}: ${r.detail ?? "no detail recorded"}` : ""}; find out who made it and what it did (CloudTrail)`,
    );
    return { entry, findings, grant: records.grant };
  }
  if (!g.request && !g.notAFile && !deletedPath) {
    for (const f of [g.grant, g.revocation, g.alerts, g.audit, g.ungranted]) {
      if (f) {
        find(
          "orphan-record",
          f.path,
          `no request file ${g.stem}.yaml is at this revision or in its history: a record must sit next to the request it is about`,
        );
      }
    }
  }
  checkConsistency(entry, records, g, find);
  if (g.request && !g.grant && !g.revocation) {
    find(
      "not-granted",
      requestPath,
      records.ungranted
        ? notGrantedMessage(records.ungranted)
        : `merged${added ? ` in ${added.commit.slice(0, 12)} on ${added.date}` : ""} with no grant record, no revocation and no record of a refusal: the app never saw the merge, or could not record its refusal (its comment on the pull request says why)`,
    );
  }
  if (records.grant) checkGrant(g, requestPath, records, input.auditDelaySeconds, now, find);
  return { entry, findings, grant: records.grant };
}

/** The request as written, or null when it cannot be read; its errors are findings (not a deleted one's). */
function readRequest(
  g: Group,
  deletedFile: SourceFile | undefined,
  find: Find,
): HistoryEntry["request"] {
  const requestFile = g.request ?? deletedFile;
  if (!requestFile) return null;
  const parsed = readRequestValue({ path: requestFile.path, content: requestFile.content });
  for (const p of parsed.problems.filter((p) => p.severity === "error")) {
    if (!g.request) break;
    find("unreadable", p.file, `${p.message}${p.field ? ` (${p.field})` : ""}`, p.line);
  }
  if (!parsed.value) return null;
  const r = parsed.value;
  return {
    requester: r.requester,
    role: r.role,
    account: r.account,
    duration: r.duration,
    reason: r.reason,
    ticket: r.ticket ?? null,
    start: r.start ?? null,
    emergency: r.emergency ?? false,
    extends: r.extends ?? null,
  };
}

/** Each record's parse, compiled once: 10,000 requests' records are read in one run. */
const parseRecord = {
  grant: compileSafeParse(grantRecordSchema),
  revocation: compileSafeParse(revocationRecordSchema),
  alerts: compileSafeParse(alertsRecordSchema),
  ungranted: compileSafeParse(ungrantedRecordSchema),
};

/** Parses the group's records; an unreadable one is left out and reported. */
function readRecords(g: Group, find: Find): Records {
  return {
    grant: g.grant && readJson(g.grant, parseRecord.grant, find),
    revocation: g.revocation && readJson(g.revocation, parseRecord.revocation, find),
    alerts: g.alerts && readJson(g.alerts, parseRecord.alerts, find),
    audit: g.audit && (g.audit.auditHeadline ?? readJson(g.audit, parseAuditHeadline, find)),
    ungranted: g.ungranted && readJson(g.ungranted, parseRecord.ungranted, find),
  };
}

/** A merged request must never change: every change after its merge is a finding. */
function checkRequestUnchanged(
  g: Group,
  requestPath: string,
  requestChanges: readonly PathChange[],
  grantRecord: GrantRecord | undefined,
  find: Find,
): void {
  const addedAt = requestChanges.findIndex((c) => c.status === "A");
  if (addedAt < 0) return;
  const added = requestChanges[addedAt]!;
  // A rebase merge lands the pull request's commits one by one: changes up to the recorded
  // merge commit are the pull request's own, everything after it changed a merged request.
  const mergeAt = grantRecord
    ? requestChanges.findIndex((c) => c.commit === grantRecord.pullRequest.mergeCommit)
    : -1;
  for (const change of requestChanges.slice(Math.max(addedAt, mergeAt) + 1)) {
    const gone = change.status === "D" && !g.request && change === requestChanges.at(-1);
    find(
      gone ? "request-deleted" : "request-modified",
      requestPath,
      `${describeChange(change)}; a merged request must never change (open a new request instead): compare it with the version of ${added.commit.slice(0, 12)} that was approved`,
    );
  }
}

/** Grant and revocation records are written once: every later change is a finding. */
function checkRecordsUnchanged(
  requestPath: string,
  changes: HistoryInput["changes"],
  find: Find,
): void {
  for (const kind of ["grant", "revocation"] as const) {
    const path = recordPath(requestPath, kind);
    const list = changes.get(path) ?? [];
    const first = list.findIndex((c) => c.status === "A");
    for (const change of list.slice(first + 1)) {
      find(
        "record-changed",
        path,
        `${describeChange(change)}; hallpass writes a ${kind} record once and never changes it: restore it from ${list[first]?.commit.slice(0, 12) ?? "history"} and find out who changed it`,
      );
    }
  }
}

/** The grant record's fields the history shows. */
function grantOf(r: GrantRecord): NonNullable<HistoryEntry["grant"]> {
  return {
    pullRequest: r.pullRequest.number,
    url: r.pullRequest.url,
    mergeCommit: r.pullRequest.mergeCommit,
    mergedAt: r.pullRequest.mergedAt,
    mergedBy: r.pullRequest.mergedBy,
    requester: r.requester,
    role: r.role,
    approvals: r.approvals.map((a) => ({
      reviewer: a.reviewer,
      reviewId: a.reviewId,
      submittedAt: a.submittedAt,
      commitId: a.commitId,
    })),
    ...(r.autoApproval ? { autoApproval: { ...r.autoApproval } } : {}),
    roleArn: r.roleArn,
    account: r.account,
    window: r.window,
    sessionName: r.sessionName,
    sourceIdentity: r.sourceIdentity,
    emergency: r.emergency,
    grantedAt: r.grantedAt,
  };
}

/** The refusal record's fields the history shows (older records lack source, reason, details). */
function ungrantedOf(r: UngrantedRecord): NonNullable<HistoryEntry["ungranted"]> {
  return {
    pullRequest: r.pullRequest.number,
    url: r.pullRequest.url,
    mergeCommit: r.pullRequest.mergeCommit,
    mergedAt: r.pullRequest.mergedAt,
    reportedAt: r.reportedAt,
    detail: r.detail,
    source: r.source ?? "sweep",
    reason: r.reason ?? null,
    details: r.details ?? [],
    mergedBy: r.pullRequest.mergedBy ?? null,
  };
}

/** The audit summary's headline figures. */
function auditOf(r: NonNullable<Records["audit"]>): NonNullable<HistoryEntry["audit"]> {
  return {
    ...r.totals,
    firstActivity: r.firstActivity,
    lastActivity: r.lastActivity,
    riskyEvents: r.riskyEventsTotal,
    riskyByRule: r.riskyByRule.map((x) => ({ rule: x.rule, events: x.events })),
    sourceIdentities: r.sourceIdentities,
    unreadableEvents: r.unreadableEventsTotal ?? 0,
  };
}

/** The findings about a readable grant: its approvals, its revocation, its audit, break-glass. */
function checkGrant(
  g: Group,
  requestPath: string,
  records: Records,
  auditDelaySeconds: number,
  now: number,
  find: Find,
): void {
  const grantRecord = records.grant!;
  const revocationRecord = records.revocation;
  const grantPath = g.grant!.path;
  const end = Date.parse(grantRecord.window.end);
  // A grant approved by a policy rule records the rule instead; `verify` re-decides it.
  if (grantRecord.approvals.length === 0 && !grantRecord.autoApproval) {
    find(
      "no-approvals",
      grantPath,
      `the grant records no approval: find out how pull request #${grantRecord.pullRequest.number} was merged and granted (merged by ${grantRecord.pullRequest.mergedBy || "unknown"})`,
    );
  }
  for (const a of grantRecord.approvals) {
    if (a.reviewer.toLowerCase() === grantRecord.requester.toLowerCase()) {
      find(
        "self-approved",
        grantPath,
        `${a.reviewer} approved their own access (review ${a.reviewId}); hallpass never counts the requester, so find out how this grant was made`,
      );
    }
    if (Date.parse(a.submittedAt) > Date.parse(grantRecord.pullRequest.mergedAt)) {
      find(
        "inconsistent",
        grantPath,
        `the approval of ${a.reviewer} (review ${a.reviewId}) was submitted at ${a.submittedAt}, after the merge at ${grantRecord.pullRequest.mergedAt}: approvals are checked at the merge`,
      );
    }
  }
  if (!revocationRecord && end + REVOCATION_GRACE_SECONDS * 1000 < now) {
    find(
      "not-revoked",
      recordPath(requestPath, "revocation"),
      `the window ended at ${grantRecord.window.end} and, more than ${formatDuration(REVOCATION_GRACE_SECONDS)} later, no revocation is recorded, though the scheduled sweep removes and records it within minutes: check that ${grantRecord.roleArn} is gone from AWS (its own policies deny every session since the end) and why the sweep did not run or failed`,
    );
  }
  const endedAt = Math.min(
    end,
    revocationRecord ? Date.parse(revocationRecord.revokedAt) : Number.POSITIVE_INFINITY,
  );
  const due = endedAt + auditDelaySeconds * 1000;
  if (!g.audit && due <= now) {
    find(
      "audit-missing",
      recordPath(requestPath, "audit"),
      `access ended at ${new Date(endedAt).toISOString()} and the audit summary was due at ${new Date(due).toISOString()}, but none is committed: check the scheduled action's runs (CloudTrail keeps events for 90 days)`,
    );
  }
  if (grantRecord.emergency) {
    find(
      "emergency",
      grantPath,
      `emergency grant (break-glass) to ${grantRecord.requester}: confirm its post-incident review was held`,
    );
  }
}

/** The `not-granted` finding of a request with a refusal record: the app's reason, when it wrote it. */
function notGrantedMessage(u: UngrantedRecord): string {
  const pull = `merged by pull request #${u.pullRequest.number} on ${u.pullRequest.mergedAt}${u.pullRequest.mergedBy ? ` (merged by ${u.pullRequest.mergedBy})` : ""} and never granted`;
  if (u.source === "app" && u.reason !== undefined) {
    const details = u.details ?? [];
    return `${pull}; the app refused it at ${u.reportedAt}: ${u.reason}${details.length > 0 ? ` (${details.join(" ")})` : ""}`;
  }
  return `${pull}; the sweep said so on the pull request at ${u.reportedAt}: ${u.detail}`;
}

function stateOf(
  unrecorded: boolean,
  g: Group,
  grant: GrantRecord | undefined,
  revocation: RevocationRecord | undefined,
  now: number,
): EntryState {
  if (unrecorded) return "unrecorded-role";
  if (revocation?.reason === "grant-failed") return "rolled-back";
  if (g.grant && !grant) return "unknown";
  if (!g.request && !g.notAFile && !g.grant && !g.revocation) return "deleted";
  if (grant) {
    const end = Date.parse(grant.window.end);
    if (revocation && Date.parse(revocation.revokedAt) < end) return "revoked";
    if (end <= now) return "ended";
    if (revocation) return "revoked";
    return Date.parse(grant.window.start) > now ? "scheduled" : "live";
  }
  if (revocation) return "revoked";
  return g.request || g.notAFile ? "not-granted" : "deleted";
}

/** Records that disagree with their request or with each other. */
function checkConsistency(entry: HistoryEntry, records: Records, g: Group, find: Find): void {
  const { grant, revocation, alerts, audit, ungranted } = records;
  const request = entry.request;
  const path = entry.requestPath;
  if (grant && g.grant) {
    const differ: string[] = [];
    if (grant.requestPath !== path) differ.push(`requestPath is ${grant.requestPath}`);
    if (request) {
      if (grant.requester.toLowerCase() !== request.requester.toLowerCase()) {
        differ.push(`requester ${grant.requester}, the request says ${request.requester}`);
      }
      if (grant.role !== request.role) {
        differ.push(`role ${grant.role}, the request says ${request.role}`);
      }
      if (grant.account.name !== request.account) {
        differ.push(`account ${grant.account.name}, the request says ${request.account}`);
      }
      if (grant.emergency !== request.emergency) {
        differ.push(`emergency ${grant.emergency}, the request says ${request.emergency}`);
      }
      // The grant's window is the requested duration exactly (plan-grant): more is access
      // nobody approved.
      const asked = parseDuration(request.duration);
      const seconds = (Date.parse(grant.window.end) - Date.parse(grant.window.start)) / 1000;
      if (asked.ok && !(seconds <= asked.seconds)) {
        differ.push(
          `the window lasts ${formatDuration(seconds)}, the request asked for ${formatDuration(asked.seconds)}`,
        );
      }
    }
    if (differ.length > 0) {
      find("inconsistent", g.grant.path, `the grant record does not match: ${differ.join("; ")}`);
    }
  }
  const otherRecords: [
    SourceFile | undefined,
    { requestPath?: string; roleArn?: string } | undefined,
  ][] = [
    [g.revocation, revocation],
    [g.alerts, alerts],
    [g.audit, audit],
    [g.ungranted, ungranted],
  ];
  for (const [file, record] of otherRecords) {
    if (!file || !record) continue;
    const differ: string[] = [];
    if (record.requestPath !== undefined && record.requestPath !== path) {
      differ.push(`requestPath is ${record.requestPath}`);
    }
    if (grant && record.roleArn !== undefined && record.roleArn !== grant.roleArn) {
      differ.push(`role ${record.roleArn}, the grant record says ${grant.roleArn}`);
    }
    if (differ.length > 0) {
      find("inconsistent", file.path, `the record does not match: ${differ.join("; ")}`);
    }
  }
  // A refusal then the grant of the same merge is a refusal overcome (quota freed, then the
  // merge event redelivered): the refusal stays in git beside the grant. Any other order or
  // merge means one of the two is not what happened.
  if (grant && ungranted && g.ungranted) {
    const differ: string[] = [];
    if (ungranted.pullRequest.mergeCommit !== grant.pullRequest.mergeCommit) {
      differ.push(
        `it refuses merge commit ${ungranted.pullRequest.mergeCommit}, the grant record is of ${grant.pullRequest.mergeCommit}`,
      );
    }
    if (!(Date.parse(ungranted.reportedAt) <= Date.parse(grant.grantedAt))) {
      differ.push(
        `the refusal is reported at ${ungranted.reportedAt}, after the grant at ${grant.grantedAt}: a refusal is written only before a grant`,
      );
    }
    if (differ.length > 0) {
      find(
        "inconsistent",
        g.ungranted.path,
        `the refusal record does not fit the grant: ${differ.join("; ")}`,
      );
    }
  }
}

function describeChange(change: PathChange): string {
  const verb =
    change.status === "D" ? "deleted" : change.status === "A" ? "added again" : "changed";
  return `${verb} in ${change.commit.slice(0, 12)} by ${change.author} on ${change.date}`;
}

/** Parses a JSON record; an unreadable one becomes a located finding, never a silent skip. */
function readJson<T>(
  file: SourceFile,
  parse: (value: unknown) => z.ZodSafeParseResult<T>,
  find: Find,
): T | undefined {
  const content = text(file.content);
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? content.slice(0, Number(at[1])).split("\n").length : 1;
    find("unreadable", file.path, `not JSON (${message}); restore it from git history`, line);
    return undefined;
  }
  const result = parse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
    find(
      "unreadable",
      file.path,
      `not a valid record: ${issues.join("; ")}${result.error.issues.length > 5 ? "; ..." : ""}; restore it from git history`,
    );
    return undefined;
  }
  return result.data;
}

function keep(entry: HistoryEntry, filter: HistoryFilter | undefined): boolean {
  if (!filter) return true;
  const { request, grant } = entry;
  if (
    filter.paths &&
    filter.paths.length > 0 &&
    !filter.paths.some((p) => {
      const prefix = p.replace(/\/+$/, "");
      const stem = entry.requestPath.replace(/\.ya?ml$/, "");
      return (
        entry.requestPath === prefix ||
        entry.requestPath.startsWith(`${prefix}/`) ||
        // A record of the request names it too: `x.grant.json` shows `x.yaml`.
        prefix.startsWith(`${stem}.`)
      );
    })
  ) {
    return false;
  }
  if (filter.requester !== undefined) {
    const wanted = filter.requester.toLowerCase();
    const logins = [request?.requester, grant?.requester];
    if (!logins.some((l) => l?.toLowerCase() === wanted)) return false;
  }
  if (filter.account !== undefined) {
    const names = [request?.account, grant?.account.name, grant?.account.id];
    if (entry.state === "unrecorded-role") {
      names.push(/^access-requests\/unrecorded\/([^/]+)\//.exec(entry.requestPath)?.[1]);
    }
    const wanted: readonly string[] =
      typeof filter.account === "string" ? [filter.account] : filter.account;
    if (!names.some((name) => name !== undefined && wanted.includes(name))) return false;
  }
  if (filter.role !== undefined && request?.role !== filter.role && grant?.role !== filter.role) {
    return false;
  }
  const landed = Date.parse(
    entry.added?.date ?? entry.grant?.mergedAt ?? entry.revocation?.revokedAt ?? "",
  );
  if (filter.since && !(landed >= filter.since.getTime())) return false;
  if (filter.until && !(landed < filter.until.getTime())) return false;
  return true;
}
