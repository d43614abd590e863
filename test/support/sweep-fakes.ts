export { grantEvent } from "../../src/demo/cloudtrail-stand-in.ts";

import {
  type CloudTrailEvent,
  issuerRoleOf,
  normalizeRoleArn,
} from "../../src/core/audit/cloudtrail-event.ts";
import type { UnreadableEvent } from "../../src/core/audit/summarize-activity.ts";
import type { GrantRecord } from "../../src/core/grant/records.ts";
import {
  type AccountTarget,
  type AwsPort,
  GRANT_TAGS,
  type GrantRole,
  type GrantStore,
  MANAGED_BY,
} from "../../src/ports/aws.ts";
import type {
  AccountEventPage,
  AccountEventQuery,
  CloudTrailPort,
  GrantEventQuery,
} from "../../src/ports/cloudtrail.ts";
import type {
  CheckRunSeen,
  CommentLookup,
  FileToCommit,
  GitHubPort,
  IssueInfo,
  MergedPullRequestRef,
  PullRequestInfo,
} from "../../src/ports/github.ts";
import { type RevokeRequest, revokeGrant } from "../../src/workflows/revoke-grant.ts";
import type { RevokeGrantFn } from "../../src/workflows/sweep/run-sweep.ts";
import { StickyComments } from "./sticky-comments.ts";

/**
 * In-memory GitHub, AWS and CloudTrail for sweep tests and benches: they keep state, count every
 * call, and can be told to fail, so a test can kill a run half-way and rerun it on the same state.
 */

type Failure = { method: string; error: Error; times: number };

class Failures {
  readonly list: Failure[] = [];
  /** When set, every call fails once this many more mutating calls were made: a killed run. */
  killAfter: number | undefined;
  check(method: string, mutating: boolean): void {
    if (this.killAfter !== undefined && mutating) {
      if (this.killAfter <= 0) throw new Error(`killed before ${method}`);
      this.killAfter--;
    }
    const f = this.list.find((x) => x.method === method && x.times > 0);
    if (f) {
      f.times--;
      throw f.error;
    }
  }
}

export class FakeGitHub implements GitHubPort {
  readonly owner = "acme";
  readonly repo = "access";
  readonly branch = "main";
  readonly files = new Map<string, string>();
  readonly commits: { message: string; files: FileToCommit[] }[] = [];
  /** `${issueNumber} ${marker}` -> body. */
  readonly comments = new Map<string, string>();
  readonly issues = new Map<string, { number: number; title: string; body: string }>();
  openPulls: PullRequestInfo[] = [];
  readonly calls = new Map<string, number>();
  readonly failures = new Failures();

  #count(method: string, mutating = false): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    this.failures.check(method, mutating);
  }

  /** Total calls, or calls of one method. */
  count(method?: string): number {
    if (method) return this.calls.get(method) ?? 0;
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  /** Present when made with `batchReads`: counts one call per 100 files, as GraphQL does. */
  getFiles?: (ref: string, paths: readonly string[]) => Promise<Map<string, string | undefined>>;

  constructor(options: { batchReads?: boolean } = {}) {
    if (options.batchReads) {
      this.getFiles = async (_ref, paths) => {
        for (let i = 0; i < paths.length; i += 100) this.#count("getFiles");
        return new Map(paths.map((p) => [p, this.files.get(p)]));
      };
    }
  }

  fail(method: keyof GitHubPort, error: Error, times = 1): this {
    this.failures.list.push({ method, error, times });
    return this;
  }

  async getFile(_ref: string, path: string) {
    this.#count("getFile");
    return this.files.get(path);
  }
  async listFiles(_ref: string, directory: string) {
    this.#count("listFiles");
    const prefix = `${directory.replace(/\/$/, "")}/`;
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
  /** Request path -> the merged pull request that added it (`findMergedPullRequest`). */
  readonly mergedPulls = new Map<string, MergedPullRequestRef>();
  /** Each `findMergedPullRequest` call's branch, path and start commit, in order. */
  readonly mergedPullLookups: [branch: string, path: string, from: string | undefined][] = [];
  async findMergedPullRequest(branch: string, path: string, from?: string) {
    this.#count("findMergedPullRequest");
    this.mergedPullLookups.push([branch, path, from]);
    return this.mergedPulls.get(path);
  }
  async readPullRequest(): Promise<never> {
    throw new Error("not used by the sweep");
  }
  async readPaths(): Promise<never> {
    throw new Error("not used by the sweep");
  }
  async listTeamsMembers(): Promise<never> {
    throw new Error("not used by the sweep");
  }
  async listOpenPullRequests() {
    this.#count("listOpenPullRequests");
    return this.openPulls;
  }
  async upsertCheckRun(): Promise<void> {
    throw new Error("not used by the sweep");
  }
  /** Head SHA -> this app's check run on it (of any name), as `readCheckRun` answers. */
  readonly checkRuns = new Map<string, CheckRunSeen>();
  async readCheckRun(headSha: string) {
    this.#count("readCheckRun");
    return this.checkRuns.get(headSha);
  }
  /** The check runs re-requested, in order. */
  readonly rerequested: number[] = [];
  async rerequestCheckRun(checkRunId: number) {
    this.#count("rerequestCheckRun", true);
    this.rerequested.push(checkRunId);
  }
  readonly #sticky = new StickyComments(this.comments);
  /** Comment lists the Octokit adapter would make for these calls (see StickyComments). */
  get commentLists(): number {
    return this.#sticky.lists;
  }
  async upsertComment(issueNumber: number, marker: string, body: string, lookup?: CommentLookup) {
    this.#count("upsertComment", true);
    return this.#sticky.upsert(issueNumber, marker, body, lookup);
  }
  async findComment(issueNumber: number, marker: string) {
    this.#count("findComment");
    return this.#sticky.find(issueNumber, marker);
  }
  async requestReviewers(): Promise<void> {
    throw new Error("not used by the sweep");
  }
  async upsertIssue(marker: string, title: string, body: string): Promise<IssueInfo> {
    this.#count("upsertIssue", true);
    const existing = this.issues.get(marker);
    const number = existing?.number ?? 1000 + this.issues.size;
    this.issues.set(marker, { number, title, body });
    return { number, url: `https://github.com/acme/access/issues/${number}` };
  }
  async commitFiles(_branch: string, files: FileToCommit[], message: string) {
    this.#count("commitFiles", true);
    const changed = files.filter((f) => this.files.get(f.path) !== f.content);
    if (changed.length === 0) return `sha-${this.commits.length}`;
    for (const f of changed) this.files.set(f.path, f.content);
    this.commits.push({ message, files: changed });
    return `sha-${this.commits.length}`;
  }
  async getDefaultBranch() {
    this.#count("getDefaultBranch");
    return this.branch;
  }
  /** The commit `branch` points at (the sweep reads its state there); its files are `files`. */
  readonly head = "5ee0000000000000000000000000000000000005";
  async getBranchHead(branch: string) {
    this.#count("getBranchHead");
    return branch === this.branch ? this.head : undefined;
  }
  // The sweep opens no pull request: any call is a bug the test should see.
  createBranch = opensNoPullRequest;
  findPullRequestByBranch = opensNoPullRequest;
  createPullRequest = opensNoPullRequest;
}

async function opensNoPullRequest(): Promise<never> {
  throw new Error("the sweep opens no pull request");
}

/** One account's roles in memory, with the GrantStore's idempotent removal semantics. */
export class FakeGrantStore implements GrantStore {
  readonly accountId: string;
  readonly roles = new Map<
    string,
    GrantRole & { inline: Set<string>; managed: Set<string>; docs: Map<string, string> }
  >();
  readonly calls: string[] = [];
  readonly failures: Failures;
  constructor(accountId: string, failures: Failures) {
    this.accountId = accountId;
    this.failures = failures;
  }
  #call(method: string, mutating = false) {
    this.calls.push(method);
    this.failures.check(method, mutating);
  }
  /**
   * Puts a role. Without `role.documents` it holds a boundary and `inline`/`managed` with empty
   * documents (enough for grant records without a digest); with them, exactly those documents.
   */
  addRole(role: GrantRole, inline = ["hallpass-permissions"], managed: string[] = []): void {
    const documents = role.documents;
    this.roles.set(role.roleName, {
      ...role,
      inline: new Set(documents ? Object.keys(documents.inlinePolicies) : inline),
      managed: new Set(documents ? documents.managedPolicyArns : managed),
      docs: new Map(Object.entries(documents?.inlinePolicies ?? {})),
    });
  }
  async ensureRole(): Promise<never> {
    throw new Error("not used by the sweep");
  }
  async getRole(roleName: string) {
    this.#call("getRole");
    return this.roles.get(roleName);
  }
  async listGrantRoles() {
    this.#call("listGrantRoles");
    return [...this.roles.values()].map(({ inline, managed, docs, ...r }) => ({
      ...r,
      documents: {
        trustPolicy: r.documents?.trustPolicy ?? "{}",
        inlinePolicies: Object.fromEntries([...inline].map((n) => [n, docs.get(n) ?? "{}"])),
        managedPolicyArns: [...managed],
        permissionsBoundary: r.documents
          ? r.documents.permissionsBoundary
          : `arn:aws:iam::${this.accountId}:policy/hallpass-boundary`,
        maxSessionDuration: r.documents?.maxSessionDuration ?? 3600,
      },
    }));
  }
  async getRoleQuota() {
    this.#call("getRoleQuota");
    return { roles: this.roles.size, quota: 1000 };
  }
  async putInlinePolicy(roleName: string, policyName: string, document: string) {
    this.#call("putInlinePolicy", true);
    const role = this.roles.get(roleName);
    if (!role) return "absent" as const;
    role.inline.add(policyName);
    role.docs.set(policyName, document);
    return "put" as const;
  }
  async listInlinePolicies(roleName: string) {
    this.#call("listInlinePolicies");
    const role = this.roles.get(roleName);
    return role ? [...role.inline] : undefined;
  }
  async deleteInlinePolicy(roleName: string, policyName: string) {
    this.#call("deleteInlinePolicy", true);
    this.roles.get(roleName)?.docs.delete(policyName);
    return this.roles.get(roleName)?.inline.delete(policyName) ? "removed" : "absent";
  }
  async listAttachedPolicies(roleName: string) {
    this.#call("listAttachedPolicies");
    const role = this.roles.get(roleName);
    return role ? [...role.managed] : undefined;
  }
  async detachManagedPolicy(roleName: string, arn: string) {
    this.#call("detachManagedPolicy", true);
    return this.roles.get(roleName)?.managed.delete(arn) ? "removed" : "absent";
  }
  async deleteRole(roleName: string) {
    this.#call("deleteRole", true);
    return this.roles.delete(roleName) ? "removed" : "absent";
  }
}

export class FakeAws implements AwsPort {
  readonly stores = new Map<string, FakeGrantStore>();
  readonly failures = new Failures();
  /** Account ids whose broker role cannot be assumed. */
  readonly unreachable = new Set<string>();
  store(accountId: string): FakeGrantStore {
    let s = this.stores.get(accountId);
    if (!s) {
      s = new FakeGrantStore(accountId, this.failures);
      this.stores.set(accountId, s);
    }
    return s;
  }
  grantStore(account: AccountTarget): GrantStore {
    if (this.unreachable.has(account.id)) {
      const store = this.store(account.id);
      return {
        ...store,
        accountId: account.id,
        listGrantRoles: async () => {
          throw new Error(`cannot assume the broker role ${account.brokerRole}: AccessDenied`);
        },
      } as unknown as GrantStore;
    }
    return this.store(account.id);
  }
  /** Every call to every store. */
  count(): number {
    return [...this.stores.values()].reduce((n, s) => n + s.calls.length, 0);
  }
  /** Puts the role a grant record describes, tagged the way the app tags it. */
  addGrantRole(
    grant: GrantRecord,
    tags: Record<string, string> = {},
    documents?: GrantRole["documents"],
  ): void {
    this.store(grant.account.id).addRole({
      roleName: grant.roleName,
      roleArn: grant.roleArn,
      path: "/hallpass/",
      createdAt: grant.grantedAt,
      tags: {
        [GRANT_TAGS.managedBy]: MANAGED_BY,
        [GRANT_TAGS.repository]: "acme/access",
        [GRANT_TAGS.request]: grant.requestPath,
        [GRANT_TAGS.pullRequest]: String(grant.pullRequest.number),
        [GRANT_TAGS.requester]: grant.requester,
        [GRANT_TAGS.expiresAt]: grant.window.end,
        ...tags,
      },
      ...(documents ? { documents } : {}),
    });
  }
}

/** CloudTrail in memory: events by role ARN; counts LookupEvents pages as the real one would. */
export class FakeCloudTrail implements CloudTrailPort {
  readonly events = new Map<string, CloudTrailEvent[]>();
  /** LookupEvents calls it stands for: one per 50 events of a query, at least one. */
  requests = 0;
  readonly queries: GrantEventQuery[] = [];
  failNext: Error | undefined;
  /** Thrown by every lookup after its events were given, as a record it cannot read does. */
  failAfterEvents: Error | undefined;
  /** Account-wide queries made, and the pages they read. */
  readonly streams: AccountEventQuery[] = [];
  streamPages = 0;
  /** Throws on this page of the next account-wide stream (1-based). */
  failStreamAtPage: number | undefined;
  /** Present when made with `accountStreams`: see `#accountEventPages`. */
  accountEventPages?: (query: AccountEventQuery) => AsyncIterable<AccountEventPage>;

  /**
   * `accountStreams.backgroundPerSecond`: events of other principals in every region of every
   * account, evenly spaced, which an account-wide stream pages through and drops.
   */
  constructor(options: { accountStreams?: { backgroundPerSecond: number } } = {}) {
    const streams = options.accountStreams;
    if (streams) {
      this.accountEventPages = (query) =>
        this.#accountEventPages(query, streams.backgroundPerSecond);
    }
  }

  async *#accountEventPages(
    query: AccountEventQuery,
    backgroundPerSecond: number,
  ): AsyncIterable<AccountEventPage> {
    this.streams.push(query);
    const from = query.startTime.getTime();
    const to = query.endTime.getTime();
    const issuers = new Set(query.roleArns.map(normalizeRoleArn));
    const items: { ms: number; time: string; event: CloudTrailEvent | undefined }[] = [];
    for (const [arn, list] of this.events) {
      if (!arn.includes(`::${query.account.id}:`)) continue;
      for (const e of list) {
        const ms = Date.parse(e.eventTime);
        if (e.awsRegion === query.region && ms >= from && ms <= to) {
          items.push({ ms, time: e.eventTime, event: e });
        }
      }
    }
    if (backgroundPerSecond > 0) {
      const step = 1000 / backgroundPerSecond;
      for (let ms = to - step; ms >= from; ms -= step) {
        const whole = Math.floor(ms / 1000) * 1000;
        items.push({ ms: whole, time: new Date(whole).toISOString(), event: undefined });
      }
    }
    items.sort((a, b) => b.ms - a.ms);
    let page = 0;
    for (let i = 0; i === 0 || i < items.length; i += 50) {
      page++;
      this.requests++;
      this.streamPages++;
      if (this.failStreamAtPage === page) {
        this.failStreamAtPage = undefined;
        throw new Error("ThrottlingException: Rate exceeded (retries exhausted)");
      }
      const chunk = items.slice(i, i + 50);
      yield {
        events: chunk.flatMap((x) =>
          x.event && issuers.has(issuerRoleOf(x.event) ?? "") ? [x.event] : [],
        ),
        scanned: chunk.length,
        oldest: chunk.at(-1)?.time,
        last: i + 50 >= items.length,
      };
    }
  }

  /**
   * Events LookupEvents lists for a role's session but whose records cannot be read: passed to
   * the query's `onUnreadable`, or thrown (as the adapter does) when it has none.
   */
  readonly unreadable: { roleArn: string; region: string; event: UnreadableEvent }[] = [];

  add(roleArn: string, ...events: CloudTrailEvent[]): void {
    this.events.set(roleArn, [...(this.events.get(roleArn) ?? []), ...events]);
  }
  async *grantEventPages(query: GrantEventQuery): AsyncIterable<readonly CloudTrailEvent[]> {
    this.queries.push(query);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    for (const u of this.unreadable) {
      if (u.region !== query.region || !query.roleArns.includes(u.roleArn)) continue;
      if (!query.onUnreadable) {
        throw new Error(`CloudTrail event ${u.event.eventID} cannot be read: ${u.event.message}`);
      }
      query.onUnreadable(u.event);
    }
    const issuers = new Set(query.roleArns.map(normalizeRoleArn));
    const all = query.roleArns.flatMap((arn) => this.events.get(arn) ?? []);
    const matching = all.filter((e) => {
      const t = Date.parse(e.eventTime);
      return (
        e.awsRegion === query.region &&
        t >= query.startTime.getTime() &&
        t <= query.endTime.getTime() &&
        issuers.has(issuerRoleOf(e) ?? "")
      );
    });
    this.requests += Math.max(1, Math.ceil(matching.length / 50));
    // LookupEvents returns newest first, 50 events a page.
    const newest = [...matching].sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
    for (let i = 0; i < newest.length; i += 50) yield newest.slice(i, i + 50);
    if (this.failAfterEvents) throw this.failAfterEvents;
  }
}

/** The shared revoke routine bound to the fakes, as the action binds it to the real ports. */
export function boundRevokeGrant(aws: FakeAws, github: FakeGitHub) {
  const calls: RevokeRequest[] = [];
  const revoke: RevokeGrantFn = (request, { branch }) => {
    calls.push(request);
    return revokeGrant({ github, aws, actor: "hallpass-action", branch }, request);
  };
  return Object.assign(revoke, { calls });
}
