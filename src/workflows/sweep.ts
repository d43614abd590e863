import { parse as parseYaml } from "yaml";
import {
  type CloudTrailEvent,
  compactCloudTrailEvent,
  eventTimeMs,
  issuerRoleOf,
  normalizeRoleArn,
} from "../core/audit/cloudtrail-event.ts";
import { riskRulesOf } from "../core/audit/summarize-activity.ts";
import { type ExpectedRole, expectedListedRole } from "../core/grant/check-revocation-target.ts";
import {
  type GrantRecord,
  grantRecordSchema,
  type RevocationRecord,
  revocationRecordSchema,
  type UngrantedRecord,
} from "../core/grant/records.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import type { Policies } from "../core/policy/policy-format.ts";
import { parseDuration } from "../core/request/duration.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { formatProblem } from "../core/source/problem.ts";
import {
  type Alert,
  type AlertsRecord,
  alertsRecordSchema,
  evaluateAlerts,
  type FiredAlert,
  toFiredAlert,
} from "../core/sweep/evaluate-alerts.ts";
import {
  GRANT_CREATION_GRACE_SECONDS,
  grantPathsToRead,
  type LiveGrant,
  type LiveRole,
  type PlannedRevocation,
  planSweep,
  revocationPathsToRead,
  type SweepAccount,
  type SweepPlan,
  ungrantedRequestPaths,
} from "../core/sweep/plan-sweep.ts";
import {
  alertsMarker,
  driftMarker,
  missingGrantMarker,
  renderAlertComment,
  renderDriftComment,
  renderMissingGrantComment,
  renderSlackAlert,
  renderUngrantedComment,
  ungrantedMarker,
} from "../core/sweep/render-alerts.ts";
import {
  type DashboardData,
  dashboardMarker,
  dashboardTitle,
  renderDashboard,
} from "../core/sweep/render-dashboard.ts";
import {
  addSpan,
  commonCoverage,
  type Span,
  spanRead,
  spansToRead,
} from "../core/sweep/watch-coverage.ts";
import type { AccountTarget, AwsPort } from "../ports/aws.ts";
import type { CloudTrailPort } from "../ports/cloudtrail.ts";
import type { GitHubPort, IssueInfo } from "../ports/github.ts";
import type { RevokeRequest } from "./revoke-grant.ts";
import { mapPool, writeAuditSummaries } from "./write-audit-summary.ts";

/**
 * One sweep of the scheduled action (and of `hallpass sweep`):
 *
 * 1. read git (policies, records) and AWS (the `/hallpass/` roles of every account in scope);
 * 2. revoke every expired grant with the shared revoke routine, which records it in git;
 * 3. reconcile: revoke and alert on roles git does not explain, report grants git expects
 *    but AWS lacks;
 * 4. watch live grants' CloudTrail activity and raise alerts by the policies' rules;
 * 5. write the audit summaries that are due;
 * 6. rewrite the dashboard issue;
 * 7. return what it found and did, for the job summary.
 *
 * Every step is planned from what git and AWS hold at the start of the run, so a run that was
 * late, skipped or killed half-way is simply finished by the next one. With `dryRun` it reads
 * and plans, and writes nothing anywhere.
 */

/**
 * The ONE revoke routine (`revokeGrant` of revoke-grant.ts), bound by the shell to its GitHub
 * and AWS ports: deny old sessions, remove the role, commit the record on `branch`.
 */
export type RevokeGrantFn = (
  request: RevokeRequest,
  context: { branch: string },
) => Promise<unknown>;

/** Sends an alert beyond GitHub (Slack), when configured. */
export type NotifyFn = (text: string) => Promise<void>;

export interface SweepDeps {
  github: GitHubPort;
  aws: AwsPort;
  cloudtrail: CloudTrailPort;
  revokeGrant: RevokeGrantFn;
  /** Builds the Slack notifier from the env variable policies name; undefined when unset. */
  notifierFor?: (envName: string) => NotifyFn | undefined;
  log?: (line: string) => void;
  /** Milliseconds since the epoch, for the watch budget only. Default `Date.now`. */
  clock?: () => number;
}

export interface SweepOptions {
  now: Date;
  dryRun: boolean;
  /** Account names to sweep (a shard); all of policies/ when undefined. */
  accounts?: string[];
  /** Overrides `settings.auditDelay`. */
  auditDelay?: string;
  /** Link to this run, shown on the dashboard. */
  runUrl?: string;
  /** Grants looked at in parallel. Default 8. */
  concurrency?: number;
  /**
   * Events one lookup (a person's sessions in one region) may read in a run. The rest waits for
   * the next run, which resumes where this one stopped, so that one grant's volume cannot keep
   * the others unwatched. Default 2,500 (50 pages, 25 s at CloudTrail's 2 calls a second).
   */
  watchLookupMaxEvents?: number;
  /**
   * How long the watch may spend on CloudTrail lookups (2 a second per account and region is
   * slow with many people holding grants). Lookups not started by then wait for a later run,
   * whose order differs, so every grant is watched; a lookup cut by it resumes in the next run
   * where it stopped (the grant's alerts record keeps what was read). Default 180 s.
   */
  watchBudgetMs?: number;
}

export interface SweepIssue {
  step: "read" | "revoke" | "watch" | "audit" | "notify" | "dashboard" | "report";
  subject: string;
  message: string;
}

export interface SweepReport {
  dryRun: boolean;
  now: string;
  branch: string;
  accounts: string[];
  plan: SweepPlan;
  revoked: { requestPath: string; roleArn: string; reason: string; detail: string }[];
  alerts: { requestPath: string; pullRequest: number; alert: Alert; revoked: boolean }[];
  audits: { requestPath: string; pullRequest: number; events: number; risky: number }[];
  /** Watched grants whose watch waits for a later run (the watch budget ran out). */
  watchDeferred: string[];
  /** Ended grants watched for late-delivered events until their audit is written. */
  watchedEnded: string[];
  /**
   * CloudTrail reads of the watch: account-wide streams started and their pages, and lookups
   * by session name.
   */
  watchLookups: { streams: number; streamPages: number; grantLookups: number };
  dashboard: IssueInfo | undefined;
  /** Everything that went wrong; the action fails the job when there is any. */
  issues: SweepIssue[];
}

/** Watched grants that share a session name in one account: one lookup serves them all. */
interface Group {
  target: AccountTarget;
  sessionName: string;
  grants: GrantRecord[];
}

/**
 * What the watch knows of one grant during a run: the events read of it, its alerts, and by
 * region the span of time whose events have been read and judged (from its alerts record, then
 * this run's reads). Judgements of one grant run one at a time, in the order asked.
 */
class WatchState {
  readonly events = new Map<string, CloudTrailEvent>();
  readonly coverage = new Map<string, Span[]>();
  alerts: FiredAlert[];
  /** Alerts raised or a revocation recorded this run. */
  changed = false;
  /** A lookup was cut by the budget: the coverage must be recorded for the next run. */
  cut = false;
  /** A lookup failed: the coverage is not advanced. */
  unread = false;
  /** Telling an alert failed: nothing is recorded, so the next run reads and raises it again. */
  failed = false;
  revokeTried = false;
  #queue: Promise<void> = Promise.resolve();

  readonly grant: GrantRecord;
  readonly live: LiveGrant | undefined;
  readonly path: string;
  readonly record: AlertsRecord;
  readonly #judgeWith: (state: WatchState) => Promise<void>;

  constructor(
    grant: GrantRecord,
    live: LiveGrant | undefined,
    path: string,
    record: AlertsRecord,
    judgeWith: (state: WatchState) => Promise<void>,
  ) {
    this.grant = grant;
    this.live = live;
    this.path = path;
    this.record = record;
    this.#judgeWith = judgeWith;
    this.alerts = record.alerts;
    for (const [region, spans] of Object.entries(record.watched ?? {})) {
      const parsed = spans.map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
      this.coverage.set(region, addSpan(parsed, undefined));
    }
  }

  judge(): Promise<void> {
    const run = () => this.#judgeWith(this);
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  read(region: string, piece: Span | undefined): void {
    this.coverage.set(region, addSpan(this.coverage.get(region) ?? [], piece));
  }

  /** The record to commit, when there is something to record. */
  toRecord(): AlertsRecord | undefined {
    if (this.failed || !(this.changed || this.cut)) return undefined;
    const iso = (ms: number) => new Date(ms).toISOString();
    const watched = this.unread
      ? this.record.watched
      : Object.fromEntries(
          [...this.coverage]
            .filter(([, spans]) => spans.length > 0)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([region, spans]) => [
              region,
              spans.map((span) => ({ from: iso(span.from), to: iso(span.to) })),
            ]),
        );
    return {
      version: 1,
      requestPath: this.record.requestPath,
      roleArn: this.record.roleArn,
      alerts: this.alerts,
      ...(watched && Object.keys(watched).length > 0 ? { watched } : {}),
    };
  }
}

/**
 * Below this many per-grant lookups in an account and region, the watch does not try the
 * account-wide stream: its first page is a probe that a busy account wastes, which is cheap
 * next to four lookups or more and not next to one or two.
 */
const STREAM_MIN_LOOKUPS = 4;

/** Thrown when the sweep cannot start (unreadable policies, unknown shard account). */
export class SweepConfigError extends Error {
  override name = "SweepConfigError";
}

const REQUESTS = "access-requests";

async function readPolicies(github: GitHubPort, branch: string): Promise<Policies> {
  const paths = (await github.listFiles(branch, "policies")).filter((p) => /\.ya?ml$/.test(p));
  const texts = await readTexts(github, branch, paths, 8);
  const files = paths.map((path) => ({ path, content: texts.get(path) ?? "" }));
  const { policies, problems } = loadPolicies(files);
  if (!policies) {
    throw new SweepConfigError(
      `the policies on ${branch} are not valid, so the sweep changes nothing:\n${problems.map(formatProblem).join("\n")}`,
    );
  }
  return policies;
}

function accountsInScope(policies: Policies, names: string[] | undefined) {
  const all = Object.entries(policies.accounts).map(([name, a]) => ({ name, ...a }));
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !Object.hasOwn(policies.accounts, n));
  if (unknown.length > 0) {
    throw new SweepConfigError(
      `accounts input names ${unknown.join(", ")}, which policies/ does not define (known: ${Object.keys(policies.accounts).join(", ")}).`,
    );
  }
  return all.filter((a) => names.includes(a.name));
}

/**
 * The text of many files on `branch`: in batches when the port can (GraphQL), else one request
 * a file, a few at a time.
 */
async function readTexts(
  github: GitHubPort,
  branch: string,
  paths: readonly string[],
  concurrency: number,
): Promise<Map<string, string | undefined>> {
  if (paths.length === 0) return new Map();
  if (github.getFiles) return github.getFiles(branch, paths);
  const texts = new Map<string, string | undefined>();
  await mapPool(paths, concurrency, async (p) => {
    texts.set(p, await github.getFile(branch, p));
  });
  return texts;
}

/** Parses a record; an unreadable one is reported (it is never silently skipped). */
function parseRecord<T>(
  path: string,
  text: string | undefined,
  parse: (value: unknown, path: string) => T,
  issues: SweepIssue[],
): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(JSON.parse(text), path);
  } catch (error) {
    issues.push({
      step: "read",
      subject: path,
      message: `unreadable record (${(error as Error).message.split("\n")[0]}); fix or restore it from git history`,
    });
    return undefined;
  }
}

/**
 * A grant record, which must be its own request's: one at `x.grant.json` claiming request `y`
 * could make the sweep take y's role for x's.
 */
function grantRecordAt(value: unknown, path: string): GrantRecord {
  const record = grantRecordSchema.parse(value);
  if (recordPath(record.requestPath, "grant") !== path) {
    throw new Error(
      `it is the grant record of ${record.requestPath}, not of the request beside it`,
    );
  }
  return record;
}

/** Reads and parses records, keeping those that parse. */
async function readRecords<T>(
  github: GitHubPort,
  branch: string,
  paths: readonly string[],
  parse: (value: unknown, path: string) => T,
  issues: SweepIssue[],
  concurrency: number,
): Promise<Map<string, T>> {
  const texts = await readTexts(github, branch, paths, concurrency);
  const records = new Map<string, T>();
  for (const path of paths) {
    const record = parseRecord(path, texts.get(path), parse, issues);
    if (record !== undefined) records.set(path, record);
  }
  return records;
}

function regionsOf(account: { regions: string[] }): string[] {
  return [...new Set([...account.regions, "us-east-1"])].sort();
}

/** A stable pseudo-random number for a text (FNV-1a), to vary the lookup order by run. */
function orderKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Runs one sweep. Throws only when it cannot start; everything else lands in `issues`. */
export async function sweep(deps: SweepDeps, options: SweepOptions): Promise<SweepReport> {
  const { github, aws, cloudtrail } = deps;
  const log = deps.log ?? (() => {});
  const issues: SweepIssue[] = [];
  const now = options.now;
  const concurrency = options.concurrency ?? 8;

  // 1. Read git and AWS.
  const branch = await github.getDefaultBranch();
  const policies = await readPolicies(github, branch);
  const delayText = options.auditDelay ?? policies.settings.auditDelay;
  const delay = parseDuration(delayText);
  if (!delay.ok) throw new SweepConfigError(`audit delay: ${delay.message}`);
  const accounts = accountsInScope(policies, options.accounts);
  const targets = new Map<string, AccountTarget & { regions: string[] }>(
    accounts.map((a) => [
      a.id,
      { name: a.name, id: a.id, brokerRole: a.brokerRole, regions: a.regions },
    ]),
  );
  const repository = `${github.owner}/${github.repo}`;

  const roles = new Map<string, LiveRole[] | undefined>();
  await Promise.all(
    accounts.map(async (a) => {
      try {
        roles.set(a.id, await aws.grantStore(targets.get(a.id)!).listGrantRoles());
      } catch (error) {
        roles.set(a.id, undefined);
        issues.push({
          step: "read",
          subject: `account ${a.name} (${a.id})`,
          message: (error as Error).message,
        });
      }
    }),
  );
  const paths = await github.listFiles(branch, REQUESTS);
  const allRoles = [...roles.values()].flatMap((r) => r ?? []);
  const grantPaths = grantPathsToRead(paths, allRoles);
  const grants = [
    ...(await readRecords(github, branch, grantPaths, grantRecordAt, issues, concurrency)).values(),
  ];
  const revocations = [
    ...(
      await readRecords(
        github,
        branch,
        revocationPathsToRead(paths, grants),
        (v) => revocationRecordSchema.parse(v),
        issues,
        concurrency,
      )
    ).values(),
  ];
  const requestAccounts = new Map<string, string>();
  const ungranted = ungrantedRequestPaths(paths);
  for (const [p, text] of await readTexts(github, branch, ungranted, concurrency)) {
    try {
      const account = (parseYaml(text ?? "") as { account?: unknown } | null)?.account;
      if (typeof account === "string") requestAccounts.set(p, account);
    } catch {
      // Unparseable: reported as missing by every shard, which is the safe side.
    }
  }

  // 2-3. Plan revocations and drift.
  const plan = planSweep({
    now,
    auditDelaySeconds: delay.seconds,
    repository,
    accounts: accounts.map(
      (a): SweepAccount => ({
        name: a.name,
        id: a.id,
        ...(a.sharedWith ? { sharedWith: a.sharedWith } : {}),
      }),
    ),
    roles,
    paths,
    grants,
    revocations,
    requestAccounts,
  });
  // A grant in an account policies/ no longer defines would be skipped by every shard: its
  // role could not be revoked, watched or audited. Say so rather than ignore it.
  const policyAccountIds = new Set(Object.values(policies.accounts).map((a) => a.id));
  for (const grant of grants) {
    if (policyAccountIds.has(grant.account.id)) continue;
    issues.push({
      step: "read",
      subject: grant.requestPath,
      message: `its grant names account ${grant.account.name} (${grant.account.id}), which policies/ no longer defines, so no sweep revokes, watches or audits it: restore the account in policies/ (its broker role is needed), or revoke ${grant.roleArn} by hand`,
    });
  }
  for (const m of plan.mismatchedRecords) {
    issues.push({ step: "read", subject: m.grant.requestPath, message: m.detail });
  }
  log(
    `plan: ${plan.revoke.length} to revoke, ${plan.recordRevocation.length} to record, ${plan.watch.length} to watch, ${plan.auditsDue.length} audits due, ${plan.missingGrants.length} missing`,
  );
  const report: SweepReport = {
    dryRun: options.dryRun,
    now: now.toISOString(),
    branch,
    accounts: accounts.map((a) => a.name),
    plan,
    revoked: [],
    alerts: [],
    audits: [],
    watchDeferred: [],
    watchedEnded: [],
    watchLookups: { streams: 0, streamPages: 0, grantLookups: 0 },
    dashboard: undefined,
    issues,
  };
  const notify = policies.settings.notifications.slackWebhookEnv
    ? deps.notifierFor?.(policies.settings.notifications.slackWebhookEnv)
    : undefined;
  async function sendSlack(subject: string, text: string) {
    if (!notify || options.dryRun) return;
    try {
      await notify(text);
    } catch (error) {
      issues.push({ step: "notify", subject, message: (error as Error).message });
    }
  }

  const pathSet = new Set(paths);
  const revocationOf = new Map(revocations.map((r) => [r.requestPath, r]));
  const revokedArns = new Set<string>();
  async function revoke(item: {
    account: SweepAccount;
    roleName: string;
    roleArn: string;
    requestPath: string;
    reason: RevocationRecord["reason"];
    detail: string;
    /** What the role must still be (see revoke-grant.ts); a role swapped in is not touched. */
    expected: ExpectedRole;
    /** The listing showed the role gone: only the record is written, no AWS call by name. */
    recordOnly?: boolean;
  }): Promise<boolean> {
    if (options.dryRun) return false;
    try {
      const target = targets.get(item.account.id)!;
      await deps.revokeGrant(
        {
          account: { name: target.name, id: target.id, brokerRole: target.brokerRole },
          roleName: item.roleName,
          roleArn: item.roleArn,
          requestPath: item.requestPath,
          reason: item.reason,
          detail: item.detail,
          expected: item.expected,
          ...(item.recordOnly ? { recordOnly: true } : {}),
          now,
        },
        { branch },
      );
      revokedArns.add(item.roleArn);
      report.revoked.push({
        requestPath: item.requestPath,
        roleArn: item.roleArn,
        reason: item.reason,
        detail: item.detail,
      });
      return true;
    } catch (error) {
      issues.push({ step: "revoke", subject: item.requestPath, message: (error as Error).message });
      return false;
    }
  }

  if (!options.dryRun) {
    // Hand-made or changed roles first: they are the ones nobody approved.
    const ordered = [...plan.revoke].sort((a, b) => Number(b.alert) - Number(a.alert));
    await mapPool(ordered, concurrency, async (item: PlannedRevocation) => {
      // A revocation that stopped half-way is finished under its recorded reason.
      const reason: RevocationRecord["reason"] =
        item.reason === "unfinished"
          ? (revocationOf.get(item.requestPath)?.reason ?? "expired")
          : item.reason;
      const ok = await revoke({
        account: item.account,
        roleName: item.role.roleName,
        roleArn: item.role.roleArn,
        requestPath: item.requestPath,
        reason,
        detail: item.detail,
        expected: expectedListedRole(item.role),
      });
      if (item.alert) {
        await sendSlack(
          item.requestPath,
          renderSlackAlert(
            item.grant,
            "role not explained by git",
            `${item.detail}. ${ok ? "Revoked." : "Revocation FAILED: act now."}`,
          ),
        );
        if (item.grant) {
          await github
            .upsertComment(
              item.grant.pullRequest.number,
              driftMarker(item.grant.requestPath),
              renderDriftComment(item.grant, item.detail, ok),
            )
            .catch((error: Error) =>
              issues.push({ step: "notify", subject: item.requestPath, message: error.message }),
            );
        }
      }
    });
    await mapPool(plan.recordRevocation, concurrency, async ({ grant }) => {
      const target = targets.get(grant.account.id)!;
      await revoke({
        account: { name: target.name, id: target.id },
        roleName: grant.roleName,
        roleArn: grant.roleArn,
        requestPath: grant.requestPath,
        reason: "expired",
        detail: "the role was already gone when the sweep looked; recorded now",
        // Not looked up by name: the listing showed no role of this ARN, and the record's name
        // might be another role's.
        recordOnly: true,
        expected: { tags: {} },
      });
    });
    for (const missing of plan.missingGrants) {
      if (!missing.grant) continue;
      await github
        .upsertComment(
          missing.grant.pullRequest.number,
          missingGrantMarker(missing.requestPath),
          renderMissingGrantComment(missing.grant, missing.detail),
        )
        .catch((error: Error) =>
          issues.push({ step: "notify", subject: missing.requestPath, message: error.message }),
        );
    }
    await tellUngranted(github, branch, plan, now, issues, concurrency);
  }

  // 4. Watch live grants, and ended grants until their audit is written: CloudTrail delivers
  // events minutes late, and what a grant did in its last minutes must raise alerts too.
  const rules = policies.settings.alerts;
  const watched: { grant: GrantRecord; live: LiveGrant | undefined }[] =
    rules.length === 0
      ? []
      : [
          ...plan.watch.map((live) => ({ grant: live.grant, live })),
          ...plan.auditsWaiting
            .filter((a) => targets.has(a.grant.account.id))
            .map((a) => ({ grant: a.grant, live: undefined })),
        ];
  /** Every alert raised so far on each watched grant (from its record, plus this run's). */
  const alertsOf = new Map<string, { grant: GrantRecord; alerts: FiredAlert[] }>();
  const clock = deps.clock ?? Date.now;
  const watchStarted = clock();
  const budget = options.watchBudgetMs ?? 180_000;
  const overBudget = () => clock() - watchStarted > budget;
  const states = await readWatchStates(watched);
  // One lookup per person (session name) and region serves all of that person's live grants
  // in the account: CloudTrail allows only 2 lookups a second per account and region.
  const groups = new Map<string, Group>();
  for (const { grant } of states.values()) {
    const target = targets.get(grant.account.id)!;
    const key = `${target.id}|${grant.sessionName}`;
    const group = groups.get(key) ?? { target, sessionName: grant.sessionName, grants: [] };
    group.grants.push(grant);
    groups.set(key, group);
  }
  // A different order every 5 minutes, so lookups cut by the budget come first another time.
  const slot = Math.floor(now.getTime() / 300_000);
  const regionTasks = new Map<string, { target: AccountTarget; region: string; groups: Group[] }>();
  for (const group of groups.values()) {
    for (const region of regionsOf(targets.get(group.target.id)!)) {
      const key = `${group.target.id}|${region}`;
      const task = regionTasks.get(key) ?? { target: group.target, region, groups: [] };
      task.groups.push(group);
      regionTasks.set(key, task);
    }
  }
  const ordered = <T>(items: T[], key: (item: T) => string) =>
    items
      .map((item) => ({ item, order: orderKey(`${key(item)}|${slot}`) }))
      .sort((x, y) => x.order - y.order)
      .map((x) => x.item);
  const deferred = new Set<WatchState>();
  const account = (t: AccountTarget) => ({ name: t.name, id: t.id, brokerRole: t.brokerRole });
  const startOf = (group: Group) =>
    Math.min(...group.grants.map((g) => Date.parse(g.window.start)));
  const lookupCount = report.watchLookups;
  const stateOf = (grant: GrantRecord) => states.get(normalizeRoleArn(grant.roleArn))!;
  // Events already judged are read again this far back, so that late deliveries and threshold
  // bursts across the edge of what an earlier run read are still seen whole.
  const overlapMs =
    delay.seconds * 1000 +
    Math.max(0, ...rules.map((r) => (r.threshold ? r.threshold.withinMinutes * 60_000 : 0)));
  /** What each group still has to read in a region, newest first (key: group key|region). */
  const spansOf = new Map<string, Span[]>();
  const spanKey = (group: Group, region: string) =>
    `${group.target.id}|${group.sessionName}|${region}`;
  for (const task of regionTasks.values()) {
    for (const group of task.groups) {
      const covered = commonCoverage(
        group.grants.map((g) => stateOf(g).coverage.get(task.region) ?? []),
      );
      const window = { from: startOf(group), to: now.getTime() };
      spansOf.set(spanKey(group, task.region), spansToRead(window, covered, overlapMs));
    }
  }
  const needFrom = (group: Group, region: string) =>
    Math.min(...(spansOf.get(spanKey(group, region)) ?? []).map((s) => s.from));
  const maxLookupEvents = options.watchLookupMaxEvents ?? 2_500;

  await mapPool(
    ordered([...regionTasks.values()], (t) => `${t.target.id}|${t.region}`),
    concurrency,
    async (task) => {
      // Every event later than this was read by the account-wide stream (ms; +Infinity: none).
      const covered = await streamAccount(task, (g) => needFrom(g, task.region));
      if (covered !== Number.POSITIVE_INFINITY) {
        const piece = {
          from: Number.isFinite(covered) ? covered + 1000 : -Infinity,
          to: now.getTime(),
        };
        for (const group of task.groups) {
          const spans = spansOf.get(spanKey(group, task.region)) ?? [];
          if (spans.length === 0) continue;
          const from = Math.max(piece.from, Math.min(...spans.map((s) => s.from)));
          for (const g of group.grants) stateOf(g).read(task.region, { from, to: piece.to });
          // What the stream read needs no lookup: up to its oldest second included, since events
          // of that second may be split across its pages (the overlap is removed by event id).
          spansOf.set(
            spanKey(group, task.region),
            spans
              .map((s) => ({ from: s.from, to: Math.min(s.to, covered + 1000) }))
              .filter((s) => s.from <= s.to),
          );
        }
      }
      const rest = ordered(
        task.groups.filter((g) => (spansOf.get(spanKey(g, task.region)) ?? []).length > 0),
        (g) => g.sessionName,
      );
      await mapPool(rest, Math.min(concurrency, 4), (group) => lookUp(task, group));
    },
  );
  // Owed revocations are retried even when no event came in this run.
  await Promise.all([...states.values()].map((state) => state.judge()));

  /**
   * Reads one group's spans in one region newest first, judging the events a page at a time as
   * they come, and stops at the run's budget or after `maxLookupEvents`: what is left waits for
   * the next run, which resumes where this one stopped (the coverage recorded in git).
   */
  async function lookUp(
    task: { target: AccountTarget; region: string },
    group: Group,
  ): Promise<void> {
    const members = group.grants.map(stateOf);
    if (overBudget()) {
      for (const m of members) deferred.add(m);
      return;
    }
    lookupCount.grantLookups++;
    const spans = spansOf.get(spanKey(group, task.region)) ?? [];
    let read = 0;
    try {
      for (const [i, span] of spans.entries()) {
        if (overBudget() || read >= maxLookupEvents) {
          for (const m of members) m.cut = true; // the rest waits for the next run
          break;
        }
        // The newest span may take half of the events when older ones wait: a holder who keeps
        // calling cannot keep the watch from reaching back to where an earlier run stopped.
        const allowed = i === 0 && spans.length > 1 ? maxLookupEvents / 2 : maxLookupEvents;
        let page: CloudTrailEvent[] = [];
        let oldest: number | undefined;
        let complete = true;
        for await (const e of cloudtrail.grantEvents({
          account: account(task.target),
          region: task.region,
          sessionName: group.sessionName,
          roleArns: group.grants.map((g) => g.roleArn),
          startTime: new Date(span.from),
          endTime: new Date(span.to),
        })) {
          // Only what hallpass reads, not the request and response bodies (tens of KB an event).
          page.push(compactCloudTrailEvent(e));
          oldest = Math.min(oldest ?? Number.POSITIVE_INFINITY, eventTimeMs(e.eventTime));
          if (page.length >= 50) {
            await judgeEvents(page);
            page = [];
          }
          if (++read >= allowed || overBudget()) {
            complete = false;
            break;
          }
        }
        await judgeEvents(page);
        for (const m of members) m.read(task.region, spanRead(span, complete, oldest));
        if (!complete) for (const m of members) m.cut = true;
      }
      if (members.some((m) => m.cut)) for (const m of members) deferred.add(m);
    } catch (error) {
      for (const m of members) {
        m.unread = true;
        issues.push({
          step: "watch",
          subject: m.grant.requestPath,
          message: (error as Error).message,
        });
      }
    }
  }

  /** Hands events to the grants they belong to and judges those grants now. */
  async function judgeEvents(events: readonly CloudTrailEvent[]): Promise<void> {
    const touched = new Set<WatchState>();
    for (const e of events) {
      const state = states.get(issuerRoleOf(e) ?? "");
      if (!state) continue;
      state.events.set(e.eventID, e);
      touched.add(state);
    }
    await Promise.all([...touched].map((state) => state.judge()));
  }

  /**
   * Reads the account's events of a region newest first while that is cheaper than the
   * per-grant lookups it replaces: after each page it estimates the pages still needed from the
   * time the pages read so far covered, and stops as soon as that is more than the lookups of
   * the grants not yet covered (grants that started after the oldest event read need none).
   * In a quiet account one stream serves every grant; in a busy one it costs a page and stops.
   * Each page's events are judged as it comes. Returns the time (ms) after which every event
   * was read, or +Infinity when none was.
   */
  async function streamAccount(
    task: { target: AccountTarget; region: string; groups: Group[] },
    needFrom: (group: Group) => number,
  ): Promise<number> {
    if (!cloudtrail.accountEventPages || task.groups.length < STREAM_MIN_LOOKUPS) {
      return Number.POSITIVE_INFINITY;
    }
    const start = Math.min(...task.groups.map(needFrom));
    const end = now.getTime();
    let oldest = end;
    let read = 0;
    let complete = true;
    if (clock() - watchStarted > budget / 2) return Number.POSITIVE_INFINITY;
    const streamStarted = clock();
    lookupCount.streams++;
    try {
      for await (const page of cloudtrail.accountEventPages({
        account: account(task.target),
        region: task.region,
        roleArns: task.groups.flatMap((g) => g.grants.map((x) => x.roleArn)),
        startTime: new Date(start),
        endTime: now,
      })) {
        read++;
        lookupCount.streamPages++;
        // Judged now: a stream cut or failed later loses nothing already read (the lookups
        // read it again, and what was raised is not raised twice).
        await judgeEvents(page.events);
        if (page.oldest !== undefined) oldest = Math.min(oldest, Date.parse(page.oldest));
        const uncovered = task.groups.filter((g) => needFrom(g) <= oldest).length;
        const coveredMs = end - oldest;
        const remaining =
          coveredMs > 0
            ? Math.ceil((read * (oldest - start)) / coveredMs)
            : Number.POSITIVE_INFINITY;
        if (page.last) break;
        // A stream that will not finish within the budget stops at half of it: it reads newest
        // first, so if it took the whole budget the grants that started first would never be
        // watched; the per-grant lookups left for them go in an order that changes every run.
        const elapsed = clock() - watchStarted;
        const finishes = elapsed + ((clock() - streamStarted) / read) * remaining <= budget;
        if ((!finishes && elapsed > budget / 2) || remaining > uncovered) {
          complete = false;
          break;
        }
      }
    } catch {
      // Not a loss: every grant is looked up on its own instead.
      return Number.POSITIVE_INFINITY;
    }
    return complete ? Number.NEGATIVE_INFINITY : oldest;
  }
  await writeAlertRecords();

  /** Reads the alerts records of the watched grants; an unreadable one is reported, not watched. */
  async function readWatchStates(
    list: { grant: GrantRecord; live: LiveGrant | undefined }[],
  ): Promise<Map<string, WatchState>> {
    const texts = await readTexts(
      github,
      branch,
      list.map((w) => recordPath(w.grant.requestPath, "alerts")).filter((p) => pathSet.has(p)),
      concurrency,
    );
    const out = new Map<string, WatchState>();
    for (const { grant, live } of list) {
      if (!live) report.watchedEnded.push(grant.requestPath);
      const path = recordPath(grant.requestPath, "alerts");
      let record: AlertsRecord = {
        version: 1,
        requestPath: grant.requestPath,
        roleArn: grant.roleArn,
        alerts: [],
      };
      if (pathSet.has(path)) {
        const read = parseRecord(path, texts.get(path), (v) => alertsRecordSchema.parse(v), issues);
        if (!read) continue; // unreadable: reported; do not re-alert everything
        record = read;
      }
      alertsOf.set(grant.requestPath, { grant, alerts: record.alerts });
      out.set(normalizeRoleArn(grant.roleArn), new WatchState(grant, live, path, record, judgeOne));
    }
    return out;
  }

  /**
   * Judges one grant on every event read of it so far: raises the alerts not raised before,
   * revokes when a rule says so (or an earlier alert's revocation is owed), tells the PR and
   * Slack. Told before recorded: a run killed in between tells again, never not at all.
   */
  async function judgeOne(state: WatchState): Promise<void> {
    const { grant, live } = state;
    if (state.failed) return;
    const fresh = evaluateAlerts(rules, [...state.events.values()], state.alerts);
    const revokingRules = new Set(rules.filter((r) => r.revoke).map((r) => r.name));
    // An earlier alert whose rule revokes but whose revocation failed is retried every run
    // (an ended grant has nothing left to revoke: its role is gone or in plan.revoke).
    const owed =
      live && !state.revokeTried
        ? state.alerts.filter((a) => revokingRules.has(a.rule) && !a.revoked)
        : [];
    if (fresh.length === 0 && owed.length === 0) return;
    let revoked = false;
    const because = [...fresh.filter((a) => a.revoke), ...owed].map((a) => a.rule);
    if (live && because.length > 0 && !options.dryRun && !state.revokeTried) {
      state.revokeTried = true;
      revoked = await revoke({
        account: live.account,
        roleName: live.role.roleName,
        roleArn: live.role.roleArn,
        requestPath: grant.requestPath,
        reason: "alert",
        detail: `alert ${[...new Set(because)].join(", ")} revokes at once`,
        expected: expectedListedRole(live.role),
      });
    }
    const all = [
      ...state.alerts.map((a) =>
        revoked && revokingRules.has(a.rule) ? { ...a, revoked: true } : a,
      ),
      ...fresh.map((a) => toFiredAlert(a, revoked && a.revoke)),
    ];
    for (const alert of fresh) {
      report.alerts.push({
        requestPath: grant.requestPath,
        pullRequest: grant.pullRequest.number,
        alert,
        revoked: revoked && alert.revoke,
      });
    }
    if (fresh.length > 0 && !options.dryRun) {
      try {
        await github.upsertComment(
          grant.pullRequest.number,
          alertsMarker(grant.requestPath),
          renderAlertComment(grant, all, fresh),
        );
      } catch (error) {
        issues.push({
          step: "notify",
          subject: grant.requestPath,
          message: (error as Error).message,
        });
        state.failed = true; // not recorded, and read again by the next run, which raises it again
        return;
      }
      for (const alert of fresh) {
        await sendSlack(
          grant.requestPath,
          renderSlackAlert(
            grant,
            `${alert.rule} (${alert.severity})`,
            `${alert.events.length} event(s) from ${alert.from}: ${[...new Set(alert.events.map((e) => e.action))].slice(0, 5).join(", ")}${revoked && alert.revoke ? ". The grant was revoked." : ""}`,
          ),
        );
      }
    }
    state.alerts = all;
    state.changed = fresh.length > 0 || revoked || state.changed;
    alertsOf.set(grant.requestPath, { grant, alerts: all });
  }

  /** Commits the alerts records that changed: new alerts, or a watch cut by the budget. */
  async function writeAlertRecords(): Promise<void> {
    for (const state of deferred) report.watchDeferred.push(state.grant.requestPath);
    const records = [...states.values()].flatMap((state) => {
      const record = state.toRecord();
      return record ? [{ path: state.path, record }] : [];
    });
    if (records.length === 0 || options.dryRun) return;
    records.sort((a, b) => (a.path < b.path ? -1 : 1));
    try {
      await github.commitFiles(
        branch,
        records.map((r) => ({
          path: r.path,
          content: `${JSON.stringify(r.record, null, 2)}\n`,
        })),
        `hallpass: alerts on ${records.length} watched grant${records.length === 1 ? "" : "s"}\n\n${records.map((r) => `- ${r.record.requestPath}`).join("\n")}`,
      );
    } catch (error) {
      issues.push({ step: "watch", subject: "alerts records", message: (error as Error).message });
    }
  }

  // 5. Audit summaries.
  if (!options.dryRun && plan.auditsDue.length > 0) {
    const jobs = plan.auditsDue.flatMap((due) => {
      const target = targets.get(due.grant.account.id);
      if (!target) return [];
      return [
        {
          due,
          account: { name: target.name, id: target.id, brokerRole: target.brokerRole },
          regions: target.regions,
        },
      ];
    });
    try {
      const outcome = await writeAuditSummaries({ github, cloudtrail }, jobs, {
        branch,
        auditDelaySeconds: delay.seconds,
        riskRules: riskRulesOf(rules),
        concurrency,
      });
      for (const w of outcome.written) {
        report.audits.push({
          requestPath: w.requestPath,
          pullRequest: w.pullRequest,
          events: w.summary.totals.events,
          risky: w.summary.riskyEvents.length,
        });
      }
      for (const f of outcome.failed)
        issues.push({ step: "audit", subject: f.requestPath, message: f.message });
    } catch (error) {
      issues.push({ step: "audit", subject: "audit commit", message: (error as Error).message });
    }
  }

  // 6. Dashboard.
  if (!options.dryRun) {
    try {
      const waiting = (await github.listOpenPullRequests()).map((p) => ({
        number: p.number,
        title: p.title,
        author: p.author,
        url: p.url,
        draft: p.draft,
      }));
      const data = dashboardData(report, options, waiting, alertsOf, revokedArns);
      report.dashboard = await github.upsertIssue(
        dashboardMarker(data.shard),
        dashboardTitle(data.shard),
        renderDashboard(data),
      );
    } catch (error) {
      issues.push({
        step: "dashboard",
        subject: "dashboard issue",
        message: (error as Error).message,
      });
    }
  }
  return report;
}

/**
 * Tells the PR of each merged request without a grant record, and records that it did
 * (`<stem>.ungranted.json`), so the next runs neither ask GitHub again nor comment again. A
 * request merged less than the creation grace ago is left for later (the app may still be
 * granting it); one that no merged PR added is left on the dashboard, where a person must look.
 * Comment first, record second: a run killed in between comments again (same comment, edited
 * in place), never not at all.
 */
async function tellUngranted(
  github: GitHubPort,
  branch: string,
  plan: SweepPlan,
  now: Date,
  issues: SweepIssue[],
  concurrency: number,
): Promise<void> {
  const find = github.findMergedPullRequest?.bind(github);
  if (!find) return;
  const records: UngrantedRecord[] = [];
  await mapPool(
    plan.missingGrants.filter((m) => m.grant === undefined),
    concurrency,
    async (missing) => {
      try {
        const pull = await find(branch, missing.requestPath);
        if (!pull) {
          missing.withoutPullRequest = true;
          missing.detail = `${missing.detail}; no merged pull request added this file (pushed to ${branch} directly?)`;
          return;
        }
        if (now.getTime() < Date.parse(pull.mergedAt) + GRANT_CREATION_GRACE_SECONDS * 1000) {
          return; // the app may still be granting it
        }
        await github.upsertComment(
          pull.number,
          ungrantedMarker(missing.requestPath),
          renderUngrantedComment(
            missing.requestPath,
            `merged in #${pull.number} at ${pull.mergedAt}`,
          ),
        );
        records.push({
          version: 1,
          requestPath: missing.requestPath,
          pullRequest: {
            number: pull.number,
            url: pull.url,
            mergeCommit: pull.mergeCommitSha,
            mergedAt: pull.mergedAt,
          },
          reportedAt: now.toISOString(),
          detail: missing.detail,
        });
      } catch (error) {
        issues.push({
          step: "notify",
          subject: missing.requestPath,
          message: `telling the PR of a merged request without a grant failed: ${(error as Error).message}`,
        });
      }
    },
  );
  if (records.length === 0) return;
  records.sort((a, b) => (a.requestPath < b.requestPath ? -1 : 1));
  try {
    await github.commitFiles(
      branch,
      records.map((r) => ({
        path: recordPath(r.requestPath, "ungranted"),
        content: `${JSON.stringify(r, null, 2)}\n`,
      })),
      `hallpass: ${records.length} merged request${records.length === 1 ? "" : "s"} without a grant, told on the PR\n\n${records.map((r) => `- ${r.requestPath} (#${r.pullRequest.number})`).join("\n")}`,
    );
  } catch (error) {
    issues.push({
      step: "notify",
      subject: "ungranted records",
      message: (error as Error).message,
    });
  }
}

function dashboardData(
  report: SweepReport,
  options: SweepOptions,
  waiting: DashboardData["waiting"],
  alertsOf: Map<string, { grant: GrantRecord; alerts: FiredAlert[] }>,
  revokedArns: Set<string>,
): DashboardData {
  const plan = report.plan;
  return {
    now: options.now,
    shard: options.accounts && options.accounts.length > 0 ? options.accounts : undefined,
    dryRun: report.dryRun,
    runUrl: options.runUrl,
    live: plan.watch
      .filter((w) => !revokedArns.has(w.grant.roleArn))
      .map((w) => ({
        requestPath: w.grant.requestPath,
        requester: w.grant.requester,
        role: w.grant.role,
        account: w.grant.account.name,
        pullRequest: w.grant.pullRequest.number,
        start: w.grant.window.start,
        end: w.grant.window.end,
        alerts: alertsOf.get(w.grant.requestPath)?.alerts.length ?? 0,
      })),
    waiting,
    // Alerts of the grants still watched: from their records, this run's included.
    alerts: [...alertsOf.values()].flatMap(({ grant, alerts }) =>
      alerts.map((a) => ({
        requestPath: grant.requestPath,
        pullRequest: grant.pullRequest.number,
        rule: a.rule,
        severity: a.severity,
        from: a.from,
        events: a.eventIds.length,
        revoked: a.revoked,
      })),
    ),
    revocations: report.revoked.map((r) => ({
      requestPath: r.requestPath,
      reason: r.reason,
      detail: r.detail,
    })),
    audits: [
      ...report.audits.map((a) => ({
        requestPath: a.requestPath,
        pullRequest: a.pullRequest,
        state: "written" as const,
        at: report.now,
      })),
      ...plan.auditsWaiting.map((a) => ({
        requestPath: a.grant.requestPath,
        pullRequest: a.grant.pullRequest.number,
        state: "waiting" as const,
        at: a.dueAt,
      })),
    ],
    attention: [
      ...plan.revoke
        .filter((r) => r.alert)
        .map((r) => ({
          title: `Role not explained by git in ${r.account.name}`,
          detail: r.detail,
        })),
      ...plan.missingGrants
        .filter((m) => m.grant !== undefined)
        .map((m) => ({ title: `Missing grant: ${m.requestPath}`, detail: m.detail })),
      ...plan.missingGrants
        .filter((m) => m.withoutPullRequest)
        .map((m) => ({
          title: `Request without a pull request: ${m.requestPath}`,
          detail: m.detail,
        })),
      ...plan.mismatchedRecords.map((m) => ({
        title: `Grant record names another request's role in ${m.account.name}`,
        detail: m.detail,
      })),
      ...plan.foreignRoles.map((f) => ({
        title: `Role of another repository in ${f.account.name}`,
        detail: `${f.role.roleArn} is tagged for ${f.repository}, which accounts.${f.account.name}.sharedWith allows; left alone`,
      })),
      ...plan.unreachableAccounts.map((a) => ({
        title: `Account ${a.name} unreachable`,
        detail: `its roles could not be listed; nothing was concluded about its grants`,
      })),
      ...report.issues.map((i) => ({ title: `${i.step}: ${i.subject}`, detail: i.message })),
    ],
    ungranted: plan.missingGrants.filter((m) => m.grant === undefined).map((m) => m.requestPath),
  };
}
