import {
  describeBoundaryDrift,
  describeDocumentDrift,
  holdsPartOfPlan,
  holdsRevocationDeny,
  type RoleDocuments,
} from "../grant/digest-grant-plan.ts";
import { GRANT_TAGS, MANAGED_BY } from "../grant/grant-tags.ts";
import type { GrantRecord, RevocationRecord } from "../grant/records.ts";
import { persistenceClassesOf, persistenceTagKey } from "../policy/persistence-classes.ts";
import { isRequestPath, recordPath } from "../request/record-paths.ts";

/**
 * The sweeper's desired-versus-actual diff. Desired: what git's grant and revocation records
 * say AWS should hold now. Actual: the roles under `/hallpass/` in each account. The plan says
 * what to do about every difference, and nothing is left out: each role, request and grant
 * lands in exactly one list, so the dashboard can show all of it.
 *
 * Pure: the caller reads git and AWS, passes `now`, and carries out the plan. Re-planning after
 * a partial run gives the remaining work, which is what makes a killed run safe to repeat.
 */

/** A role as listed from IAM (`GrantRole` from the AWS port fits). */
export interface LiveRole {
  roleName: string;
  roleArn: string;
  createdAt: string;
  tags: Record<string, string>;
  /**
   * What the role holds, compared with the grant record's `planDigest`. A role whose documents
   * were not read cannot be shown untouched, so it is treated as changed (fail closed).
   */
  documents?: RoleDocuments;
}

/** An account in scope of this sweep (a name and id from policies/). */
export interface SweepAccount {
  name: string;
  id: string;
  /**
   * Other access repositories (`owner/repo`) that policies/ allow to make roles in this account
   * (`accounts.<name>.sharedWith`); none when absent.
   */
  sharedWith?: readonly string[];
}

/** What the sweep read. */
export interface SweepState {
  now: Date;
  /** Seconds after a grant ends before its audit summary is written (CloudTrail delivery). */
  auditDelaySeconds: number;
  /** `owner/repo` of the access repository, as tagged on the roles it made. */
  repository: string;
  /** Accounts in scope (all of policies/, or the shard's subset). */
  accounts: SweepAccount[];
  /**
   * Roles under `/hallpass/` by account id; undefined for an account whose listing failed.
   * Nothing is concluded about such an account's grants (no "missing" report, no revocation).
   */
  roles: Map<string, LiveRole[] | undefined>;
  /** Every path under `access-requests/` on the default branch. */
  paths: readonly string[];
  /** The grant records read (see `grantPathsToRead`), with their paths. */
  grants: readonly GrantRecord[];
  /** The revocation records read (see `revocationPathsToRead`). */
  revocations: readonly RevocationRecord[];
  /**
   * The `account:` of each request file that has no grant record (see `ungrantedRequestPaths`),
   * so a shard reports only its own; a request whose account is unknown is reported by all.
   */
  requestAccounts: ReadonlyMap<string, string>;
}

/** Why a role is revoked by the sweep. */
export type SweepRevocationReason = "expired" | "unrecorded-role" | "alert" | "unfinished";

export interface PlannedRevocation {
  account: SweepAccount;
  role: LiveRole;
  /** The grant record behind the role, when there is one. */
  grant: GrantRecord | undefined;
  /** Where the revocation record goes: the grant's request, or `unrecordedRequestPath`. */
  requestPath: string;
  reason: SweepRevocationReason;
  /** What was found, for the record, the alert and the dashboard. */
  detail: string;
  /** Hand-made or hand-changed: people must be told, not only the record written. */
  alert: boolean;
}

export interface MissingGrant {
  requestPath: string;
  /** The grant record when git says the grant should be live but AWS does not hold it. */
  grant: GrantRecord | undefined;
  detail: string;
  /** Set by the sweep when no merged pull request added the request file: a person must look. */
  withoutPullRequest?: boolean;
}

/** A recorded grant whose role may still be in the making (see `GRANT_CREATION_GRACE_SECONDS`). */
export interface PendingGrant {
  grant: GrantRecord;
  /** When it is reported missing if its role has not appeared. */
  missingAfter: string;
}

/** A role left alone: tagged for another access repository that policies/ allow. */
export interface ForeignRole {
  account: SweepAccount;
  role: LiveRole;
  repository: string;
}

/**
 * A grant record whose role (by ARN) is there but is not its role: the role's request tag names
 * another request. Either the record or the role was changed; nothing is done on the record's
 * account (no revocation, watch or audit of that grant) until a person has looked.
 */
export interface MismatchedRecord {
  account: SweepAccount;
  grant: GrantRecord;
  role: LiveRole;
  detail: string;
}

export interface LiveGrant {
  account: SweepAccount;
  grant: GrantRecord;
  role: LiveRole;
}

export interface DueAudit {
  grant: GrantRecord;
  revocation: RevocationRecord | undefined;
  /** When access ended: the window's end, or an earlier revocation. */
  endedAt: string;
  /** When the audit is (or was) due. */
  dueAt: string;
}

export interface SweepPlan {
  revoke: PlannedRevocation[];
  /** Ended grants whose role is gone but whose revocation was never recorded (a killed run). */
  recordRevocation: { grant: GrantRecord; endedAt: string }[];
  missingGrants: MissingGrant[];
  /** Recorded grants whose role is not there yet but may still be being created by the app. */
  pendingGrants: PendingGrant[];
  /**
   * Unrecorded roles tagged for another access repository that the account's `sharedWith`
   * allows: reported, never touched. Tagged for any other repository, a role is revoked.
   */
  foreignRoles: ForeignRole[];
  /** Grant records naming a role that is another request's: reported, never acted on. */
  mismatchedRecords: MismatchedRecord[];
  /** Recorded, unexpired grants whose role is there: their activity is watched. */
  watch: LiveGrant[];
  auditsDue: DueAudit[];
  /** Ended grants whose audit waits for CloudTrail's delivery delay. */
  auditsWaiting: DueAudit[];
  /** Accounts whose roles could not be listed this run. */
  unreachableAccounts: SweepAccount[];
}

/**
 * How long after a grant's `grantedAt` its role may still be in the making. The app commits the
 * grant record BEFORE it creates the role (so the sweep never finds a role of its own without a
 * record), so a sweep can read the record while the role does not exist yet: that grant is
 * pending, not missing. `grantedAt` is taken when the app's handler starts, and a handler lives
 * at most 15 minutes (Lambda's limit; IAM retries and backoff fit well inside it), so a role the
 * app made was created within this time of `grantedAt`, or never.
 */
export const GRANT_CREATION_GRACE_SECONDS = 15 * 60;

/**
 * How far apart the app's clock (`grantedAt`) and IAM's (`CreateDate`) may be. A role created
 * earlier than `grantedAt` by more than this was not made by the app for this grant: someone
 * made it first and the app adopted it because its name and tags matched.
 */
export const CLOCK_SKEW_SECONDS = 60;

/** The virtual request path a role without any grant record is recorded under. */
export function unrecordedRequestPath(accountId: string, roleName: string): string {
  return `access-requests/unrecorded/${accountId}/${roleName}.yaml`;
}

function stemSet(
  paths: readonly string[],
  kind: "grant" | "revocation" | "audit" | "ungranted",
): Set<string> {
  const suffix = `.${kind}.json`;
  const set = new Set<string>();
  for (const p of paths) if (p.endsWith(suffix)) set.add(p);
  return set;
}

/**
 * Grant records the sweep must read: every grant without an audit summary yet (live, or ended
 * and still to be audited), and any grant a live role's tags point at. Finished grants are not
 * read, so a run's GitHub requests grow with the open grants, not with history.
 */
export function grantPathsToRead(paths: readonly string[], roles: Iterable<LiveRole>): string[] {
  const grants = stemSet(paths, "grant");
  const audits = stemSet(paths, "audit");
  const wanted = new Set<string>();
  for (const g of grants) {
    if (!audits.has(g.replace(/\.grant\.json$/, ".audit.json"))) wanted.add(g);
  }
  for (const role of roles) {
    const request = role.tags[GRANT_TAGS.request];
    if (request === undefined) continue;
    const path = recordPath(request, "grant");
    if (grants.has(path)) wanted.add(path);
  }
  return [...wanted].sort();
}

/** Revocation records the sweep must read: those of the grants it read. */
export function revocationPathsToRead(
  paths: readonly string[],
  grants: readonly GrantRecord[],
): string[] {
  const revocations = stemSet(paths, "revocation");
  return grants
    .map((g) => recordPath(g.requestPath, "revocation"))
    .filter((p) => revocations.has(p))
    .sort();
}

function sameTime(a: string | undefined, b: string): boolean {
  return a !== undefined && Date.parse(a) === Date.parse(b);
}

/**
 * What differs between a role and its grant record, or [] when they agree: its tags, and when it
 * was created. A role the app made was created after the record's `grantedAt` and within the
 * grace; any other creation time means the role was made by hand under the grant's name (before
 * the app, which then adopted it, or after the real role was deleted), tags copied or not.
 */
function roleDrift(role: LiveRole, grant: GrantRecord, now: number): string[] {
  const drift: string[] = [];
  const tags = role.tags;
  const created = Date.parse(role.createdAt);
  const granted = Date.parse(grant.grantedAt);
  if (Number.isNaN(created)) {
    drift.push(`creation date "${role.createdAt}" unreadable`);
  } else if (created < granted - CLOCK_SKEW_SECONDS * 1000) {
    drift.push(`created at ${role.createdAt}, before the grant was recorded (${grant.grantedAt})`);
  } else if (created > granted + GRANT_CREATION_GRACE_SECONDS * 1000) {
    drift.push(
      `created at ${role.createdAt}, after the app could have made it (granted ${grant.grantedAt}): re-created by hand`,
    );
  }
  if (tags[GRANT_TAGS.managedBy] !== MANAGED_BY) drift.push(`${GRANT_TAGS.managedBy} tag missing`);
  if (tags[GRANT_TAGS.request] !== grant.requestPath)
    drift.push(`${GRANT_TAGS.request} tag differs`);
  if (tags[GRANT_TAGS.requester] !== grant.requester) {
    drift.push(`${GRANT_TAGS.requester} tag differs`);
  }
  if (!sameTime(tags[GRANT_TAGS.expiresAt], grant.window.end)) {
    drift.push(`${GRANT_TAGS.expiresAt} tag differs from the recorded end ${grant.window.end}`);
  }
  // A persistence tag lifts a deny of the boundary: one the record does not name was added by
  // hand (records from before opt-ins name none, so any such tag on their role is drift).
  const recorded = grant.planDigest?.allowPersistence ?? [];
  for (const name of persistenceClassesOf(tags).filter((c) => !recorded.includes(c))) {
    drift.push(`${persistenceTagKey(name)} tag added: lifts the boundary's ${name} deny`);
  }
  drift.push(...documentDrift(role, grant, now));
  return drift;
}

/**
 * What the role holds against what its record says it was planned with (`planDigest`). A role
 * that carries hallpass's own revocation deny is being revoked and is denied everything: its
 * policies going away is the revocation, not a hand change. Records written before digests
 * existed are only checked for the boundary, the one control that must never be missing.
 */
function documentDrift(role: LiveRole, grant: GrantRecord, now: number): string[] {
  const documents = role.documents;
  if (documents === undefined) return ["what the role holds could not be read"];
  if (holdsRevocationDeny(documents)) return [];
  // Within the creation grace, a role missing some planned policies (and holding nothing else)
  // is one the app is still making: revoking it would take a legitimate grant away. Past the
  // grace, a missing policy is drift like any other.
  const inTheMaking = now <= Date.parse(grant.grantedAt) + GRANT_CREATION_GRACE_SECONDS * 1000;
  if (inTheMaking && grant.planDigest && holdsPartOfPlan(documents, grant.planDigest)) return [];
  const found = grant.planDigest
    ? describeDocumentDrift(documents, grant.planDigest)
    : describeBoundaryDrift(documents, undefined);
  return found.length > 0 ? [`changed by hand: ${found.join(", ")}`] : [];
}

/**
 * Request files with neither a grant nor a revocation record: merged but never granted. Those
 * with an ungranted record were already told on their PR (and recorded), so they are not
 * reported again.
 */
export function ungrantedRequestPaths(paths: readonly string[]): string[] {
  const grantPaths = stemSet(paths, "grant");
  const revocationPaths = stemSet(paths, "revocation");
  const toldPaths = stemSet(paths, "ungranted");
  return paths
    .filter(
      (path) =>
        isRequestPath(path) &&
        !path.startsWith("access-requests/unrecorded/") &&
        !grantPaths.has(recordPath(path, "grant")) &&
        !revocationPaths.has(recordPath(path, "revocation")) &&
        !toldPaths.has(recordPath(path, "ungranted")),
    )
    .sort();
}

/** GitHub's owner and repository names are case-insensitive. */
function sameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function sharesAccount(account: SweepAccount, repository: string): boolean {
  return (account.sharedWith ?? []).some((r) => sameRepository(r, repository));
}

/** A role no grant record names: revoked and alerted on, recorded under a path of its own. */
function unrecordedRevocation(
  account: SweepAccount,
  role: LiveRole,
  foreignRepository: string | undefined,
): PlannedRevocation {
  const request = role.tags[GRANT_TAGS.request];
  const detail =
    foreignRepository !== undefined
      ? `role ${role.roleArn} is tagged for ${foreignRepository}, which policies/ do not let share account ${account.name} (accounts.${account.name}.sharedWith), and no grant record in git names it`
      : request === undefined
        ? `role ${role.roleArn} has no grant record and no ${GRANT_TAGS.request} tag: made by hand`
        : `role ${role.roleArn} claims ${request}, but no grant record in git names this role`;
  return {
    account,
    role,
    grant: undefined,
    requestPath: unrecordedRequestPath(account.id, role.roleName),
    reason: "unrecorded-role",
    detail,
    alert: true,
  };
}

/**
 * The grant record a listed role belongs to, if any. The role is a record's only when its
 * request tag names that record's request: a record edited to name another grant's role (or
 * another repository's) must not get that role revoked as "its own, changed by hand". Every
 * other record naming the role is reported as mismatched and never acted on.
 */
function recordOfRole(
  plan: SweepPlan,
  account: SweepAccount,
  role: LiveRole,
  named: readonly GrantRecord[],
): GrantRecord | undefined {
  const grant = named.find((g) => g.requestPath === role.tags[GRANT_TAGS.request]);
  for (const other of named) {
    if (other === grant) continue;
    plan.mismatchedRecords.push({
      account,
      grant: other,
      role,
      detail: `the grant record of ${other.requestPath} names ${role.roleArn}, but that role's ${GRANT_TAGS.request} tag is ${role.tags[GRANT_TAGS.request] ?? "missing"}: the record or the role was changed; nothing was done about either on this record's account`,
    });
  }
  return grant;
}

/** Plans a role its grant record explains: revoke on drift, finish, expire, or watch. */
function planRecordedRole(
  plan: SweepPlan,
  { account, role, grant }: LiveGrant,
  state: SweepState,
  revocation: RevocationRecord | undefined,
): void {
  const repository = role.tags[GRANT_TAGS.repository];
  const drift = roleDrift(role, grant, state.now.getTime());
  if (repository !== undefined && !sameRepository(repository, state.repository)) {
    drift.push(`${GRANT_TAGS.repository} tag names ${repository}, not ${state.repository}`);
  }
  if (drift.length > 0) {
    plan.revoke.push({
      account,
      role,
      grant,
      requestPath: grant.requestPath,
      reason: "alert",
      detail: `role ${role.roleArn} does not match its grant record (made or changed by hand): ${drift.join("; ")}`,
      alert: true,
    });
  } else if (revocation) {
    // The record is there but the role is not gone: a revocation that stopped half-way.
    plan.revoke.push({
      account,
      role,
      grant,
      requestPath: grant.requestPath,
      reason: "unfinished",
      detail: `revoked at ${revocation.revokedAt} (${revocation.reason}) but the role was still there`,
      alert: false,
    });
  } else if (Date.parse(grant.window.end) <= state.now.getTime()) {
    plan.revoke.push({
      account,
      role,
      grant,
      requestPath: grant.requestPath,
      reason: "expired",
      detail: `expired at ${grant.window.end}`,
      alert: false,
    });
  } else {
    plan.watch.push({ account, grant, role });
  }
}

/** Computes what one sweep must do. */
export function planSweep(state: SweepState): SweepPlan {
  const now = state.now.getTime();
  const plan: SweepPlan = {
    revoke: [],
    recordRevocation: [],
    missingGrants: [],
    pendingGrants: [],
    foreignRoles: [],
    mismatchedRecords: [],
    watch: [],
    auditsDue: [],
    auditsWaiting: [],
    unreachableAccounts: [],
  };
  const namedBy = new Map<string, GrantRecord[]>();
  for (const g of state.grants) namedBy.set(g.roleArn, [...(namedBy.get(g.roleArn) ?? []), g]);
  const revocationOf = new Map(state.revocations.map((r) => [r.requestPath, r]));
  const inScope = new Map(state.accounts.map((a) => [a.id, a]));
  const auditPaths = stemSet(state.paths, "audit");
  const liveArns = new Set<string>();

  for (const account of state.accounts) {
    const roles = state.roles.get(account.id);
    if (roles === undefined) {
      plan.unreachableAccounts.push(account);
      continue;
    }
    for (const role of roles) {
      liveArns.add(role.roleArn);
      const repository = role.tags[GRANT_TAGS.repository];
      // A record naming the role without its request tag agreeing is not believed (see there).
      const grant = recordOfRole(plan, account, role, namedBy.get(role.roleArn) ?? []);
      // A role a grant record of this repository owns is this repository's whatever its tag
      // says: anyone who can edit the role can edit the tag, and a role taken for another
      // repository's is never compared with its record nor revoked at its expiry. Without a
      // record, the tag is believed only for a repository policies/ let share the account:
      // whoever can make roles here could otherwise hide lasting access behind any tag.
      if (!grant && repository !== undefined && !sameRepository(repository, state.repository)) {
        if (sharesAccount(account, repository)) {
          plan.foreignRoles.push({ account, role, repository });
        } else {
          plan.revoke.push(unrecordedRevocation(account, role, repository));
        }
        continue;
      }
      if (!grant) {
        plan.revoke.push(unrecordedRevocation(account, role, undefined));
        continue;
      }
      planRecordedRole(plan, { account, role, grant }, state, revocationOf.get(grant.requestPath));
    }
  }

  for (const grant of state.grants) {
    const account = inScope.get(grant.account.id);
    if (!account || plan.mismatchedRecords.some((m) => m.grant === grant)) continue;
    const revocation = revocationOf.get(grant.requestPath);
    const endMs = Math.min(
      Date.parse(grant.window.end),
      revocation ? Date.parse(revocation.revokedAt) : Number.POSITIVE_INFINITY,
    );
    const endedAt =
      endMs === Date.parse(grant.window.end) ? grant.window.end : revocation!.revokedAt;
    const listed = state.roles.get(account.id) !== undefined;
    const roleThere = liveArns.has(grant.roleArn);
    if (listed && !roleThere && !revocation) {
      const missingAfterMs = Date.parse(grant.grantedAt) + GRANT_CREATION_GRACE_SECONDS * 1000;
      if (now < missingAfterMs) {
        plan.pendingGrants.push({ grant, missingAfter: new Date(missingAfterMs).toISOString() });
      } else if (endMs > now) {
        plan.missingGrants.push({
          requestPath: grant.requestPath,
          grant,
          detail: `git records a grant until ${grant.window.end} but ${grant.roleArn} is not in AWS`,
        });
      } else {
        plan.recordRevocation.push({ grant, endedAt });
      }
    }
    if (endMs <= now && !auditPaths.has(recordPath(grant.requestPath, "audit"))) {
      const dueMs = endMs + state.auditDelaySeconds * 1000;
      const due: DueAudit = {
        grant,
        revocation,
        endedAt,
        dueAt: new Date(dueMs).toISOString(),
      };
      (dueMs <= now ? plan.auditsDue : plan.auditsWaiting).push(due);
    }
  }

  const namesInScope = new Set(state.accounts.map((a) => a.name));
  for (const path of ungrantedRequestPaths(state.paths)) {
    const accountName = state.requestAccounts.get(path);
    if (accountName !== undefined && !namesInScope.has(accountName)) continue;
    plan.missingGrants.push({
      requestPath: path,
      grant: undefined,
      detail: "merged, but no grant record: the app did not grant it (see the PR for why)",
    });
  }

  const byPath = (a: { requestPath: string }, b: { requestPath: string }) =>
    a.requestPath < b.requestPath ? -1 : a.requestPath > b.requestPath ? 1 : 0;
  plan.revoke.sort((a, b) => byPath(a, b) || (a.role.roleArn < b.role.roleArn ? -1 : 1));
  plan.missingGrants.sort(byPath);
  plan.mismatchedRecords.sort((a, b) => byPath(a.grant, b.grant));
  plan.pendingGrants.sort((a, b) => byPath(a.grant, b.grant));
  plan.watch.sort((a, b) => byPath(a.grant, b.grant));
  plan.recordRevocation.sort((a, b) => byPath(a.grant, b.grant));
  plan.auditsDue.sort((a, b) => byPath(a.grant, b.grant));
  plan.auditsWaiting.sort((a, b) => byPath(a.grant, b.grant));
  return plan;
}
