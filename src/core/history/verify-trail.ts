import { checkEligibility } from "../approval/check-eligibility.ts";
import { requesterStood } from "../approval/check-requester.ts";
import {
  type ApprovalInput,
  decideApproval,
  type ReviewInput,
  teamKey,
} from "../approval/decide-approval.ts";
import { findAutoApproval, maxApprovalAgeOf } from "../approval/find-auto-approval.ts";
import type { GrantRecord } from "../grant/records.ts";
import { parseCodeowners } from "../policy/codeowners.ts";
import { type CodeownersIndex, compileCodeowners } from "../policy/compile-codeowners.ts";
import { loadPolicies } from "../policy/load-policies.ts";
import { parseOwnerReference } from "../policy/owner-reference.ts";
import type { Policies } from "../policy/policy-format.ts";
import type { ChangedPath } from "../request/check-pull-request-contents.ts";
import { formatDuration, parseDuration } from "../request/duration.ts";
import type { SourceFile } from "../source/source-file.ts";
import { countOf } from "../text/count-of.ts";
import { parseJsonOrUndefined } from "../text/error-message.ts";
import {
  type AccessHistory,
  buildAccessHistoryWithGrants,
  type FindingKind,
  type HistoryFinding,
  type HistoryInput,
} from "./build-access-history.ts";
import {
  changedAtCommit,
  readExtendedAtMerge,
  type TreeReader,
  treeReader,
} from "./read-extended-at-merge.ts";

/**
 * `hallpass verify`: proves from a clone alone that every grant was allowed by the rules in
 * force when it was merged, and that nobody but hallpass wrote or rewrote the trail. On top of
 * every finding of the history:
 *
 * - each grant is re-decided: CODEOWNERS and policies/ as they were at the base of its merge,
 *   the approvals the record holds with how each approver was eligible, through the same
 *   `decideApproval` the app runs; and its window and break-glass are checked against the role
 *   as it was then;
 * - every commit that added, changed or deleted a record is one of the app's or the action's
 *   (settings.recordWriters), and, when asked, carries a good signature;
 * - records only grow: alerts are never dropped or altered, an audit summary never changes,
 *   a revocation never moves earlier.
 *
 * Pure: the shell reads git (every version of the growing records, the rules at each merge's
 * base, signatures) and passes it in.
 */

/** One version of a record: the commit that wrote it and its content (null: deleted there). */
export interface RecordVersion {
  commit: string;
  /** `Name <email>` of the commit's author. */
  author: string;
  date: string;
  content: string | null;
}

/** The rules at the base of one merge (its first parent on the branch). */
export interface RulesAtMerge {
  /** The first parent of the merge commit: the branch as the request was merged onto it. */
  base: string;
  /** The commit that last changed policies/ or CODEOWNERS at or before the base (null: never). */
  version: string | null;
  policyFiles: readonly SourceFile[];
  /** The CODEOWNERS GitHub used (.github/, root, docs/: the first found), null when none. */
  codeowners: SourceFile | null;
}

/** A commit's signature as git reports it (`%G?`, `%GK`). */
export interface SignatureStatus {
  status: string;
  key: string;
}

export interface TrailInput {
  history: HistoryInput;
  /** Every version of each alerts, audit and revocation record changed more than once. */
  versions: ReadonlyMap<string, readonly RecordVersion[]>;
  /** The rules at the base of each grant's merge commit; undefined: not on the branch's line. */
  rules: ReadonlyMap<string, RulesAtMerge | undefined>;
  /** GitHub logins whose commits may write records (policies `settings.recordWriters`). */
  writers: { app: string; action: string };
  /** Signatures of the record commits; given when signatures are required. */
  signatures?: ReadonlyMap<string, SignatureStatus>;
  /**
   * The branch's first-parent line up to the revision, newest first: what was in the tree at
   * a merge (the records the app read there) is told from the changes along it.
   */
  line: readonly string[];
  /** The paths outside `access-requests/` each commit of the line changed (first few, count). */
  outsideChanges: ReadonlyMap<string, { paths: readonly string[]; count: number }>;
}

export type TrailFindingKind =
  | FindingKind
  | "not-approved"
  | "not-re-decidable"
  | "not-eligible"
  | "window-exceeds-role"
  | "break-glass-not-allowed"
  | "merge-not-on-branch"
  | "rules-unreadable"
  | "record-author"
  | "record-signature"
  | "record-shrunk"
  | "record-rewritten"
  | "revocation-moved";

/** A finding of `verify`: the history's shape, with verify's own kinds. */
export interface TrailFinding extends Omit<HistoryFinding, "kind"> {
  kind: TrailFindingKind;
}

/** What `hallpass verify --format json` prints (without the history). */
export interface TrailVerification {
  version: 1;
  revision: string;
  generatedAt: string;
  signaturesChecked: boolean;
  checked: {
    /** Grant records looked at. */
    grants: number;
    /** Grants whose approval decision was run again (the others are findings). */
    reDecided: number;
    /** Commits that added, changed or deleted a record. */
    recordCommits: number;
  };
  /** What breaks the trail: `verify` exits 1 when there is any. Sorted by file, line, kind. */
  findings: TrailFinding[];
  /**
   * What the history shows that the trail records correctly but an auditor should see:
   * break-glass grants (`emergency`) and roles made outside hallpass (`unrecorded-role`).
   */
  notices: TrailFinding[];
}

/** History findings that are events the trail records, not defects of the trail. */
const NOTICE_KINDS = new Set<TrailFindingKind>(["emergency", "unrecorded-role"]);
const RECORD_FILE = /^(.*)\.(grant|revocation|alerts|audit|ungranted)\.(json|md)$/;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Verifies the trail (of the entries `input.history.filter` keeps). */
export function verifyTrail(input: TrailInput): {
  verification: TrailVerification;
  history: AccessHistory;
} {
  const { history, grants: parsedGrants } = buildAccessHistoryWithGrants(input.history);
  const kept = new Map<string, string>();
  for (const entry of history.entries) kept.set(stemOf(entry.requestPath), entry.requestPath);
  const findings: TrailFinding[] = [];
  const find = (requestPath: string) => (kind: TrailFindingKind, file: string, message: string) =>
    findings.push({ kind, requestPath, file, line: 1, message });

  // 1. Every grant re-decided under the rules at the base of its merge.
  const policiesCache = new Map<string, Policies | undefined>();
  const index = treeReader({
    changes: input.history.changes,
    line: input.line,
    files: new Map(
      [...(input.history.deletedRequests ?? []), ...input.history.files].map((f) => [f.path, f]),
    ),
    grantFiles: parsedGrants,
    outsideChanges: input.outsideChanges,
  });
  let grants = 0;
  let reDecided = 0;
  for (const file of input.history.files) {
    const match = RECORD_FILE.exec(file.path);
    if (match?.[2] !== "grant" || match[3] !== "json") continue;
    const requestPath = kept.get(match[1]!);
    if (requestPath === undefined) continue;
    const record = parsedGrants.get(file.path);
    if (!record) continue; // The history reports it unreadable.
    grants++;
    const rules = input.rules.get(record.pullRequest.mergeCommit);
    if (checkGrant(record, file.path, rules, { cache: policiesCache, index }, find(requestPath))) {
      reDecided++;
    }
  }

  // 2. Who wrote each record, and with what signature; 3. records only grow.
  const recordCommits = new Set<string>();
  for (const [path, changes] of input.history.changes) {
    const match = RECORD_FILE.exec(path);
    const requestPath = match ? kept.get(match[1]!) : undefined;
    if (requestPath === undefined) continue;
    for (const change of changes) {
      recordCommits.add(change.commit);
      checkWriter(change, path, input, find(requestPath));
    }
    const versions = input.versions.get(path);
    if (versions) checkGrowth(path, match![2]!, versions, find(requestPath));
  }

  const all = [...history.findings, ...findings].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.line - b.line ||
      compare(a.kind, b.kind) ||
      compare(a.message, b.message),
  );
  return {
    history,
    verification: {
      version: 1,
      revision: history.revision,
      generatedAt: history.generatedAt,
      signaturesChecked: input.signatures !== undefined,
      checked: { grants, reDecided, recordCommits: recordCommits.size },
      findings: all.filter((f) => !NOTICE_KINDS.has(f.kind)),
      notices: all.filter((f) => NOTICE_KINDS.has(f.kind)),
    },
  };
}

/** The merge commits the grant records among `files` name: the shell reads the rules there. */
export function grantMergeCommits(files: readonly SourceFile[]): string[] {
  const commits = new Set<string>();
  for (const file of files) {
    const match = RECORD_FILE.exec(file.path);
    if (match?.[2] !== "grant" || match[3] !== "json") continue;
    // Only the merge commit is needed here; verifyTrail parses the whole record once.
    try {
      const text =
        typeof file.content === "string" ? file.content : new TextDecoder().decode(file.content);
      const merge = (JSON.parse(text) as { pullRequest?: { mergeCommit?: unknown } } | null)
        ?.pullRequest?.mergeCommit;
      if (typeof merge === "string" && /^[0-9a-f]{40,64}$/.test(merge)) commits.add(merge);
    } catch {
      // Unreadable: the history reports it.
    }
  }
  return [...commits];
}

function stemOf(requestPath: string): string {
  return requestPath.replace(/\.ya?ml$/, "");
}

type Find = (kind: TrailFindingKind, file: string, message: string) => void;

/**
 * Re-decides one grant under the rules at the base of its merge; true when the decision could
 * be run (whatever it said). Each rule not met is a finding at the grant record.
 */
function checkGrant(
  record: GrantRecord,
  path: string,
  rules: RulesAtMerge | undefined,
  known: { cache: Map<string, Policies | undefined>; index: TreeReader },
  find: Find,
): boolean {
  const { cache } = known;
  const merge = record.pullRequest.mergeCommit;
  if (!rules) {
    find(
      "merge-not-on-branch",
      path,
      `the merge commit ${merge.slice(0, 12)} it names is not on the branch's first-parent line, so the rules it was granted under cannot be read: find out where this record came from`,
    );
    return false;
  }
  const at = `at ${rules.base.slice(0, 12)}, the base of merge ${merge.slice(0, 12)}`;
  const key = rules.version ?? "";
  if (!cache.has(key)) cache.set(key, loadPolicies([...rules.policyFiles]).policies);
  const policies = cache.get(key);
  if (!policies) {
    find(
      "rules-unreadable",
      path,
      `policies/ ${at} do not load, so the grant cannot be re-decided: run \`hallpass validate\` at that commit to see why`,
    );
    return false;
  }
  const role = policies.roles[record.role];
  if (!role) {
    find("not-approved", path, `role ${record.role} is not defined in policies/ ${at}`);
    return false;
  }
  const breakGlass = record.emergency ? role.breakGlass : undefined;
  if (record.emergency && !breakGlass?.allowed) {
    find(
      "break-glass-not-allowed",
      path,
      `an emergency grant of role ${record.role}, which did not allow break-glass ${at}`,
    );
  }
  const max = parseDuration(breakGlass ? breakGlass.maxDuration : role.maxDuration);
  const seconds = (Date.parse(record.window.end) - Date.parse(record.window.start)) / 1000;
  if (max.ok && !(seconds <= max.seconds)) {
    find(
      "window-exceeds-role",
      path,
      `the window lasts ${formatDuration(seconds)}, longer than the ${formatDuration(max.seconds)} role ${record.role} allowed${breakGlass ? " for break-glass" : ""} ${at}`,
    );
  }
  checkRequesterEligible(record, path, role.eligible, at, find);
  const appLogin = policies.settings.recordWriters.app;
  const terms = termsAt(record, policies, known.index);
  return redecide(record, path, { rules, role, breakGlass, at, appLogin, terms }, find);
}

/**
 * When the role listed who may request it at the base, the requester must have been one of
 * them: by login, or through a team the record says they were in at decision time (a claimed
 * team counts only where the list then named it).
 */
function checkRequesterEligible(
  record: GrantRecord,
  path: string,
  eligible: readonly string[] | undefined,
  at: string,
  find: Find,
): void {
  // A record with no basis at all is not re-decidable as a whole: redecide says so, once.
  if (eligible === undefined || !record.approvalBasis) return;
  const via = record.approvalBasis.requesterEligibleVia;
  if (via === undefined) {
    find(
      "not-re-decidable",
      path,
      `role ${record.role} listed who may request it ${at}, and the record predates requester eligibility data (how ${record.requester} was eligible), so eligibility cannot be re-checked offline: check it on the pull request`,
    );
    return;
  }
  const teamMembers: Record<string, string[]> = {};
  for (const ref of via) {
    const owner = parseOwnerReference(ref);
    if (owner.kind === "team") teamMembers[teamKey(owner.org, owner.slug)] = [record.requester];
  }
  const eligibility = checkEligibility(record.requester, eligible, teamMembers);
  if (!eligibility.eligible) {
    find(
      "not-eligible",
      path,
      `${record.requester} could not request role ${record.role} ${at}: only ${eligible.join(" or ")} could, and the record shows them as none of these (${via.join(", ") || "no entry"})`,
    );
  }
}

/**
 * CODEOWNERS as GitHub read it, compiled once per version of the rules: every grant merged
 * under the same version shares its file, and parsing it again for each of 10,000 grants
 * made verify grow with grants times CODEOWNERS lines.
 */
const compiledCodeowners = new WeakMap<SourceFile, CodeownersIndex>();

function codeownersOf(file: SourceFile): CodeownersIndex {
  let index = compiledCodeowners.get(file);
  if (!index) {
    const text =
      typeof file.content === "string" ? file.content : new TextDecoder().decode(file.content);
    index = compileCodeowners(parseCodeowners(file.path, text));
    compiledCodeowners.set(file, index);
  }
  return index;
}

/**
 * The terms the app decided `record` on besides the reviews, from the rules at the base and the
 * records: the merge's clock, the approvals' age, and the policy rule that approves without
 * review (an extended grant must have been live at the merge, and the chain free of another
 * extension without approval).
 */
function termsAt(
  record: GrantRecord,
  policies: Policies,
  index: TreeReader,
): Pick<ApprovalInput, "decidedAt" | "maxApprovalAge" | "autoApproval"> & { why?: string } {
  const role = policies.roles[record.role]!;
  const approval = record.emergency && role.breakGlass ? role.breakGlass.approval : role.approval;
  const decidedAt = record.pullRequest.mergedAt;
  const maxApprovalAge = maxApprovalAgeOf(approval, policies.settings);
  const changedFiles = changedAtCommit(index, record.pullRequest.mergeCommit);
  const found = findAutoApproval({
    requestPath: record.requestPath,
    // What the merge brought, as the app read the pull request's files.
    changedFiles,
    role,
    roleName: record.role,
    accountName: record.account.name,
    requester: record.requester,
    emergency: record.emergency,
    extends: record.extends,
    durationSeconds: (Date.parse(record.window.end) - Date.parse(record.window.start)) / 1000,
    start: record.window.start,
    decidedAt,
    // As the app: the extended grant is read only when the role has an extension rule to use it.
    ...(record.extends && role.extension
      ? { extended: readExtendedAtMerge(index, record.extends, record) }
      : {}),
  });
  return {
    decidedAt,
    ...(maxApprovalAge ? { maxApprovalAge } : {}),
    ...(found.applies ? { autoApproval: found.basis } : {}),
    ...(!found.applies && record.autoApproval
      ? {
          why: `${found.why ?? `role ${record.role} had no such rule`}${mergeHeld(record, changedFiles)}`,
        }
      : {}),
  };
}

/** What the merge held besides its request file, when anything: for the finding's message. */
function mergeHeld(record: GrantRecord, changed: readonly ChangedPath[]): string {
  const others = changed.filter((c) => c.path !== record.requestPath || c.status !== "added");
  if (others.length === 0) return "";
  return ` (its merge ${record.pullRequest.mergeCommit.slice(0, 12)} changed ${others.map((c) => c.path).join(", ")})`;
}

/** Runs the app's approval decision again from the record and the rules at the base. */
function redecide(
  record: GrantRecord,
  path: string,
  under: {
    rules: RulesAtMerge;
    role: Policies["roles"][string];
    breakGlass: Policies["roles"][string]["breakGlass"];
    at: string;
    /** The app's bot, which may open a request for its requester (from the issue form). */
    appLogin: string;
    terms: ReturnType<typeof termsAt>;
  },
  find: Find,
): boolean {
  const { rules, role, breakGlass, at } = under;
  const { why, ...terms } = under.terms;
  const basis = record.approvalBasis;
  if (!basis || record.approvals.some((a) => a.eligibleVia === undefined)) {
    find(
      "not-re-decidable",
      path,
      "the record predates eligibility data (how each approver was eligible, the head commit), so its approvals cannot be re-decided offline: check them on the pull request",
    );
    return false;
  }
  const match = rules.codeowners
    ? codeownersOf(rules.codeowners).match(record.requestPath)
    : undefined;
  if (!match || match.owners.length === 0 || !/^\/?access-requests\//.test(match.rule.pattern)) {
    find(
      "not-approved",
      path,
      `no access-requests/ line of CODEOWNERS ${at} owns ${record.requestPath}, so nobody could approve it`,
    );
    return true;
  }
  // Team membership is not in git: the record says which teams each approver was in.
  const teamMembers: Record<string, string[]> = {};
  for (const approval of record.approvals) {
    for (const ref of approval.eligibleVia ?? []) {
      const owner = parseOwnerReference(ref);
      if (owner.kind !== "team") continue;
      const key = teamKey(owner.org, owner.slug);
      teamMembers[key] = [...(teamMembers[key] ?? []), approval.reviewer];
    }
  }
  const reviews: ReviewInput[] = record.approvals.map((a) => ({
    id: a.reviewId,
    user: a.reviewer,
    state: "APPROVED",
    commitId: a.commitId,
    submittedAt: a.submittedAt,
  }));
  const decision = decideApproval({
    requestPath: record.requestPath,
    headSha: basis.headSha,
    requester: record.requester,
    author: basis.author,
    pushers: basis.pushers,
    reviews,
    owners: match.owners,
    teamMembers,
    approval: breakGlass ? breakGlass.approval : role.approval,
    reviewedBefore: record.pullRequest.mergedAt,
    baseChangedAt: basis.baseChangedAt,
    ...terms,
  });
  const reasons = [...decision.reasons];
  if (why) {
    reasons.push(`the record says approved without review, but the rule does not apply: ${why}`);
  }
  const { requester } = record;
  if (!requesterStood({ requester, appLogin: under.appLogin, ...basis })) {
    reasons.push(
      basis.author.toLowerCase() === under.appLogin.toLowerCase()
        ? `the app opened the pull request for ${requester}, but someone else pushed to it (${basis.pushers.join(", ")})`
        : `the pull request's author ${basis.author} is not the requester`,
    );
  }
  if (decision.status !== "approved" || reasons.length > 0) {
    const ignored = decision.ignored.map((i) => `${i.reviewer} ${i.reason}`);
    find(
      "not-approved",
      path,
      `re-decided under CODEOWNERS line ${match.rule.line} and policies/ ${at}, the approvals do not hold: ${[...reasons, ...ignored].join("; ")}`,
    );
  }
  return true;
}

/** `login` when `author` (`Name <email>`) is a GitHub no-reply address, as API commits are. */
function loginOf(author: string): string | undefined {
  return /<(?:\d+\+)?([^@<>]+)@users\.noreply\.github\.com>$/.exec(author)?.[1];
}

function checkWriter(
  change: { commit: string; status: string; author: string; date: string },
  path: string,
  input: TrailInput,
  find: Find,
): void {
  const { app, action } = input.writers;
  const login = loginOf(change.author)?.toLowerCase();
  const verb = change.status === "A" ? "added" : change.status === "D" ? "deleted" : "changed";
  const where = `${verb} in ${change.commit.slice(0, 12)} by ${change.author} on ${change.date}`;
  if (login !== app.toLowerCase() && login !== action.toLowerCase()) {
    find(
      "record-author",
      path,
      `${where}: records are written only by ${app}${action === app ? "" : ` and ${action}`} (settings.recordWriters); find out who wrote it and compare it with the version before`,
    );
  }
  const signature = input.signatures?.get(change.commit);
  if (input.signatures && !(signature?.status === "G" || signature?.status === "U")) {
    find(
      "record-signature",
      path,
      `${where}: ${describeSignature(signature)}; records are committed through GitHub's API, which signs them (import GitHub's key into the keyring given with GNUPGHOME)`,
    );
  }
}

function describeSignature(signature: SignatureStatus | undefined): string {
  const key = signature?.key ? ` (key ${signature.key})` : "";
  switch (signature?.status) {
    case "B":
      return `the signature is bad${key}: the commit was altered after it was signed`;
    case "E":
      return `signed with a key that is not in the keyring${key}`;
    case "X":
    case "Y":
      return `signed with an expired signature or key${key}`;
    case "R":
      return `signed with a revoked key${key}`;
    default:
      return "the commit is not signed";
  }
}

/** Alerts never dropped or altered; audit summaries never rewritten; revocations never earlier. */
function checkGrowth(
  path: string,
  kind: string,
  versions: readonly RecordVersion[],
  find: Find,
): void {
  // Each revocation version is read once, though it is compared both as `after` and as `before`.
  const revokedAts =
    kind === "revocation"
      ? versions.map((v) => (v.content === null ? undefined : revokedAt(v.content)))
      : [];
  for (let i = 1; i < versions.length; i++) {
    const before = versions[i - 1]!;
    const after = versions[i]!;
    if (before.content === null) continue;
    const where = `in ${after.commit.slice(0, 12)} by ${after.author} on ${after.date}`;
    const was = `the version of ${before.commit.slice(0, 12)}`;
    if (after.content === null) {
      find(
        kind === "alerts" ? "record-shrunk" : "record-rewritten",
        path,
        `deleted ${where}; a ${kind} record is never removed: restore ${was}`,
      );
      continue;
    }
    if (kind === "audit") {
      const changed = changedFields(before.content, after.content);
      find(
        "record-rewritten",
        path,
        `rewritten ${where}${changed ? ` (${changed})` : ""}; an audit summary never changes once written: restore ${was}`,
      );
    } else if (kind === "alerts") {
      const lost = lostAlerts(before.content, after.content);
      if (lost.length > 0) {
        find(
          "record-shrunk",
          path,
          `${countOf(lost.length, "alert")} recorded in ${before.commit.slice(0, 12)} ${lost.length === 1 ? "is" : "are"} gone or altered ${where} (${lost.slice(0, 5).join(", ")}); alerts are only ever added: restore ${was}`,
        );
      }
    } else if (kind === "revocation") {
      const earlier = revokedAts[i];
      const first = revokedAts[i - 1];
      if (earlier !== undefined && first !== undefined && earlier < first) {
        find(
          "revocation-moved",
          path,
          `the revocation moved earlier ${where}, from ${new Date(first).toISOString()} to ${new Date(earlier).toISOString()}; a revocation is never earlier than the sweep recorded: restore ${was}`,
        );
      }
    }
  }
}

/** The ids of alerts in `before` missing from `after` or different there. */
function lostAlerts(before: string, after: string): string[] {
  const alerts = (text: string) => {
    const value = parseJsonOrUndefined(text) as { alerts?: { id?: unknown }[] } | undefined;
    return Array.isArray(value?.alerts) ? value.alerts : [];
  };
  const now = new Map(alerts(after).map((a) => [String(a.id), JSON.stringify(a)]));
  return alerts(before)
    .filter((a) => now.get(String(a.id)) !== JSON.stringify(a))
    .map((a) => String(a.id));
}

/** Which top-level fields of two JSON documents differ, with the figures when they are numbers. */
function changedFields(before: string, after: string): string {
  const a = parseJsonOrUndefined(before) as Record<string, unknown> | undefined;
  const b = parseJsonOrUndefined(after) as Record<string, unknown> | undefined;
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return "";
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) =>
      typeof a[k] === "number" && typeof b[k] === "number" ? `${k} ${a[k]} -> ${b[k]}` : k,
    )
    .join(", ");
}

function revokedAt(text: string): number | undefined {
  const value = parseJsonOrUndefined(text) as { revokedAt?: unknown } | undefined;
  const ms = typeof value?.revokedAt === "string" ? Date.parse(value.revokedAt) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
