import { generateKeyPairSync } from "node:crypto";
import { Probot } from "probot";
import { createApp } from "../../src/app/index.ts";
import { CHECK_NAME } from "../../src/core/approval/render-check.ts";
import { type GrantRecord, grantRecordSchema } from "../../src/core/grant/records.ts";
import { type RecordKind, recordPath } from "../../src/core/request/record-paths.ts";
import {
  type AccountTarget,
  type AwsPort,
  GRANT_TAGS,
  type GrantStore,
  MANAGED_BY,
} from "../../src/ports/aws.ts";
import { createMemoryCache } from "../../src/ports/cache.ts";
import type { CloudTrailPort } from "../../src/ports/cloudtrail.ts";
import type { GitHubPort, Review } from "../../src/ports/github.ts";
import { EXTEND_REPLY_MARKER } from "../../src/workflows/extend-grant.ts";
import { revokeGrant } from "../../src/workflows/revoke-grant.ts";
import { sweep } from "../../src/workflows/sweep/run-sweep.ts";
import { APP_ID, examplePayload, OWNER, REPO_NAME } from "../app/harness.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { FakeCloudTrail, grantEvent } from "../support/sweep-fakes.ts";
import type { MainCommit } from "./git-mirror.ts";
import { GitHubWithHistory } from "./github-with-history.ts";

/**
 * An in-process world for generated lifecycles: GitHub (test/support/fake-github.ts, with each
 * branch's commits for `findMergedPullRequest`: github-with-history.ts), IAM
 * (fake-grant-store.ts) and CloudTrail (sweep-fakes.ts) models behind the real ports, the real
 * Probot app (its handlers receive webhook payloads built from @octokit/webhooks-examples) and
 * the real sweep. Each delivery or sweep is one "process": its calls go through a proxy that can
 * fail the n-th call, or make it never answer, which kills the process there (the host's time
 * limit), as a Lambda or a job killed mid-way would be. A killed process makes no further call.
 * The pull requests the app opens (`/hallpass extend`) join the world's as GitHub would show them.
 */

/** People of the generated world. sre approves prod-readonly; alice is in sre and requests. */
export const PEOPLE = ["alice", "bob", "carol", "sam", "sue", "dan", "eve"] as const;
export type Person = (typeof PEOPLE)[number];
/**
 * The app's bot (the example policies' default `settings.recordWriters.app`): it opens a request
 * in its requester's name when they submit the issue form, with one commit GitHub signs.
 */
export const APP_BOT = "hallpass[bot]" as const;
/** The teams at the start of every lifecycle; `team` steps change them. */
const TEAMS: Record<string, readonly string[]> = {
  "acme/sre": ["sam", "sue", "alice"],
  "acme/dba": ["dan"],
};
export type Team = "acme/sre" | "acme/dba";
/** How long the app trusts a team's members it read (its cache's TTL, as in src/app/index.ts). */
export const TEAM_CACHE_MS = 5 * 60_000;
/** The role's longest window, and its break-glass one (the world's roles.yaml). */
export const MAX_HOURS = { normal: 8, emergency: 1 } as const;

/** The one commit of the `release` branch. */
const RELEASE_SHA = `7e1ea5e${"0".repeat(33)}`;

/** Base-branch rules the generated policy changes choose from. */
export const POLICY_VARIANTS: readonly {
  count: number;
  owners: string;
  breakGlass: boolean;
  /** `autoApproval.maxDuration` in hours: a request this short needs no review. */
  autoHours?: number;
  /** `approval.maxAge` in hours: an older approval does not count (break-glass: no limit). */
  maxAgeHours?: number;
  /** `extension.withoutApproval` in hours: one extension this short of a live grant is free. */
  extensionHours?: number;
}[] = [
  { count: 1, owners: "@acme/sre @acme/dba", breakGlass: true },
  { count: 2, owners: "@acme/sre", breakGlass: true, extensionHours: 2 },
  { count: 1, owners: "@acme/dba", breakGlass: false, extensionHours: 8 },
  {
    count: 1,
    owners: "@acme/sre @acme/dba",
    breakGlass: true,
    autoHours: 1,
    maxAgeHours: 2,
    extensionHours: 1,
  },
];

export type FaultKind =
  | "throttled"
  | "server-error"
  | "access-denied"
  | "conflict"
  | "reset"
  | "hang";

/** One thing that happens in the world. Plain data, so a shrunk sequence prints readably. */
export type Step =
  | {
      kind: "open";
      author: "alice" | "bob" | typeof APP_BOT;
      requester: "alice" | "bob";
      hours: 1 | 2 | 8;
      /** Break-glass (`emergency: true`): the role's reduced rule, a post-incident review. */
      emergency?: boolean;
      /** `extends:` the request of this earlier pull request (nth, as `pr`). */
      extends?: number;
    }
  | { kind: "team"; team: Team; who: Person; join: boolean }
  /**
   * A request opened by its requester, delivered, approved by sam then sue (each delivered) and
   * merged if the check is green; the merge's webhook delivered at once, or left pending like
   * any other.
   */
  | {
      kind: "approved-request";
      requester: "alice" | "bob";
      hours: 1 | 2 | 8;
      emergency?: boolean;
      /** `extends:` the requester's own nth latest request. */
      extends?: number;
      deliverMerge?: boolean;
      /** Minutes between the last approval and the merge (the check is not written again). */
      waitMinutes?: number;
    }
  | { kind: "push"; pr: number; by: Person }
  | { kind: "retarget"; pr: number; to: "main" | "release" }
  | {
      kind: "review";
      pr: number;
      by: Person;
      state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
    }
  | { kind: "dismiss"; pr: number; nth: number }
  | { kind: "policy"; variant: number }
  | { kind: "merge"; pr: number; admin: boolean }
  | { kind: "revoke-command"; pr: number; by: Person }
  /**
   * `/hallpass extend <hours>h` commented on the nth granted pull request (the nth of all when
   * none is), by its requester or (`by`) someone else. `flow`: the comment is delivered at once,
   * then the extension pull request the app opened (its `opened` event); `approve`: sam then sue
   * approve it (each delivered); then it is merged if its check is green, the merge delivered.
   */
  | { kind: "extend"; pr: number; hours: 1 | 2 | 8; by?: Person; flow?: "merge" | "approve" }
  | { kind: "deliver"; nth: number }
  | { kind: "lose"; nth: number }
  | { kind: "redeliver"; nth: number }
  | { kind: "clock"; minutes: number }
  | { kind: "sweep" }
  | { kind: "use"; nth: number }
  | { kind: "hand-role" }
  | { kind: "hand-change"; nth: number }
  | { kind: "fault"; target: FaultTarget; call: number; fault: FaultKind };

/** Where a fault can strike: GitHub, IAM, CloudTrail, or the notification channel's webhook. */
export type FaultTarget = "github" | "aws" | "cloudtrail" | "channel";

/**
 * The world's notification channel: every moment, as JSON (settings.notifications), with the
 * sweep's reminder, closing of stale requests and expiry warning on.
 */
const NOTIFICATIONS = `  notifications:
    channels:
      watchers: { webhookEnv: HALLPASS_WATCHERS_WEBHOOK, format: json }
    notify: [watchers]
    remindAfter: 2h
    closeAfter: 1d
    expiryWarning: 15m
`;

export interface OpenedPull {
  number: number;
  author: Person | typeof APP_BOT;
  requester: Person;
  path: string;
  head: string;
  pushes: number;
  hours: number;
  emergency: boolean;
  /** The request path this one `extends:`. */
  extends?: string;
  /** Whether the oracle approved at the moment of the merge (undefined: not merged). */
  approvedAtMerge?: boolean;
  policyAtMerge?: number;
  /** What the oracle judged at the merge, to judge it again under other team members. */
  atMerge?: Judged;
  /** Steps applied when it merged (team changes after it are compared with this). */
  mergedAtStep?: number;
  /** For a pull request the app opened on `/hallpass extend`: the command's comment. */
  command?: ExtendCommandSeen;
}

/** A `/hallpass extend` comment as the world made it. */
export interface ExtendCommandSeen {
  commentId: number;
  /** The pull request commented on. */
  pull: number;
  by: Person;
}

/**
 * What the world saw when the app opened an extension pull request, for the invariants: the
 * command, and the original's grant as main recorded it then.
 */
export interface ExtensionOpened {
  pull: OpenedPull;
  command: ExtendCommandSeen;
  /** The original's grant record on main, and whether main recorded its revocation. */
  record: GrantRecord | undefined;
  revoked: boolean;
  at: number;
  step: number;
}

/** What the approval oracle reads besides the pull request, which a merge freezes. */
interface Judged {
  reviews: Review[];
  variant: number;
  /** Whether the rules' `extension.withoutApproval` admitted it at the merge (`freeExtension`). */
  free?: boolean;
}

interface Delivery {
  name: string;
  payload: Record<string, unknown>;
}

interface PendingFault {
  target: FaultTarget;
  call: number;
  fault: FaultKind;
}

/** What one process run saw: its calls, whether a fault fired, whether it was killed. */
class Run {
  calls = 0;
  /** `target.method` of every call, in order: a fault-free run's list is the fault table's. */
  readonly names: string[] = [];
  faulted = false;
  killed = false;
  readonly fault: PendingFault | undefined;
  readonly dead: Promise<"killed">;
  #kill!: () => void;
  constructor(fault: PendingFault | undefined) {
    this.fault = fault;
    this.dead = new Promise((resolve) => {
      this.#kill = () => resolve("killed");
    });
  }
  kill(): void {
    this.killed = true;
    this.#kill();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

/** Webhook examples moved to the access repository, by `name.action`: each event copies one. */
const TEMPLATES = new Map<string, Payload>();

const NEVER = new Promise<never>(() => {});

/**
 * A copy of a webhook template that the world's edits cannot reach back into: the objects they
 * write to are copied, the rest (repository, sender, ...) shared. A whole structuredClone per
 * event was the largest cost of a lifecycle.
 */
function copyForEdit(template: Payload): Payload {
  const out: Payload = { ...template };
  const edited = {
    pull_request: ["head", "base", "user"],
    issue: ["pull_request"],
    comment: ["user"],
  };
  for (const [key, nested] of Object.entries(edited)) {
    if (!out[key]) continue;
    out[key] = { ...out[key] };
    for (const inner of nested) if (out[key][inner]) out[key][inner] = { ...out[key][inner] };
  }
  return out;
}

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function faultError(fault: FaultKind, method: string): Error {
  // Only the error thrown is built: an Error captures a stack, which is not free.
  switch (fault) {
    case "throttled":
      return Object.assign(new Error(`Throttling: Rate exceeded (${method})`), {
        name: "ThrottlingException",
        status: 429,
      });
    case "server-error":
      return Object.assign(new Error(`Internal error (${method})`), { status: 502 });
    case "access-denied":
      return Object.assign(new Error(`AccessDenied: not authorized (${method})`), {
        name: "AccessDenied",
        status: 403,
      });
    case "conflict":
      return Object.assign(new Error(`Conflict: concurrent modification (${method})`), {
        name: "ConcurrentModificationException",
        status: 409,
      });
    case "reset":
      return Object.assign(new Error(`read ECONNRESET (${method})`), { code: "ECONNRESET" });
    case "hang":
      return new Error("never thrown");
  }
}

/** `port` with every method call counted by `run`, the planned fault injected, a kill honoured. */
function through<T extends object>(
  port: T,
  run: Run,
  target: PendingFault["target"],
  wrapResult?: (value: unknown) => unknown,
): T {
  return new Proxy(port, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (run.killed) return NEVER;
        run.calls += 1;
        run.names.push(`${target}.${String(key)}`);
        const fault = run.fault;
        if (fault && fault.target === target && fault.call === run.calls && !run.faulted) {
          run.faulted = true;
          if (fault.fault === "hang") {
            run.kill();
            return NEVER;
          }
          throw faultError(fault.fault, String(key));
        }
        const result = value.apply(object, args);
        return wrapResult ? wrapResult(result) : result;
      };
    },
  });
}

/**
 * CloudTrail's streams, per grant and account-wide (when the model has it), with the fault at
 * their first read.
 */
function cloudTrailThrough(port: CloudTrailPort, run: Run): CloudTrailPort {
  const faulty = <T>(name: string, inner: AsyncIterable<T>): AsyncIterable<T> => ({
    async *[Symbol.asyncIterator]() {
      if (run.killed) await NEVER;
      run.calls += 1;
      run.names.push(`cloudtrail.${name}`);
      const fault = run.fault;
      if (fault && fault.target === "cloudtrail" && fault.call <= run.calls && !run.faulted) {
        run.faulted = true;
        if (fault.fault === "hang") {
          run.kill();
          await NEVER;
        }
        throw faultError(fault.fault, "LookupEvents");
      }
      yield* inner;
    },
  });
  const stream = port.accountEventPages?.bind(port);
  return {
    grantEventPages: (query) => faulty("grantEventPages", port.grantEventPages(query)),
    ...(stream ? { accountEventPages: (query) => faulty("accountEventPages", stream(query)) } : {}),
  };
}

/** A role made or changed by hand, outside hallpass. */
interface HandMark {
  roleName: string;
  /** The role was made by hand (else: a grant role changed by hand). */
  made: boolean;
}

export class LifecycleWorld {
  readonly github = new GitHubWithHistory(OWNER, REPO_NAME);
  readonly aws = new FakeAwsAccounts();
  readonly cloudtrail: FakeCloudTrail;
  now = new Date("2026-11-26T09:00:00Z");
  readonly pulls: OpenedPull[] = [];
  policyVariant = 0;
  #baseCommits = 0;
  #merges = 0;
  #reviewIds = 1;
  #events = 0;
  readonly pending: Delivery[] = [];
  readonly delivered: Delivery[] = [];
  #fault: PendingFault | undefined;
  /** Roles made or changed by hand since the last complete sweep. */
  readonly hand: HandMark[] = [];
  /** Names of grant roles that were removed (none may come back). */
  readonly removed = new Set<string>();
  /** Role names ever created by hallpass, by request path. */
  readonly created = new Map<string, Set<string>>();
  /** Check runs written in the last step, by head SHA. */
  written: { sha: string; conclusion: string | undefined }[] = [];
  /** The last step was a sweep that ran to its end without a fault. */
  completeSweep = false;
  /**
   * Pull requests whose merge the app was told of by a delivery that ran to its end without a
   * fault: the app granted each, or recorded why not (a lost or failed delivery leaves no record).
   */
  readonly mergesHeard = new Set<number>();
  #app: Probot | undefined;
  readonly log: string[] = [];
  /** What the channel was told: each notice's event (`hallpass.granted`) and pull request. */
  readonly notices: { event: string; pull: number }[] = [];

  /** The channel's webhook as one process reaches it: through its proxy, so it can fail. */
  #webhookFor(run: () => Run) {
    const channel = {
      post: async (body: unknown) => {
        const notice = body as { event: string; pullRequest: { number: number } };
        this.notices.push({ event: notice.event, pull: notice.pullRequest.number });
      },
    };
    return () => {
      const webhook = through(channel, run(), "channel");
      return (body: unknown) => webhook.post(body);
    };
  }
  /** What happened, by kind: faults that fired, processes killed, hand changes, sweeps. */
  readonly stats: Record<string, number> = {};
  #count(what: string): void {
    this.stats[what] = (this.stats[what] ?? 0) + 1;
  }

  /** Team members over time: each entry holds from `at` (ms) until the next. */
  readonly teamHistory: { at: number; step: number; teams: Map<string, string[]> }[] = [];
  /** Steps applied so far. */
  steps = 0;

  /**
   * The default branch commit by commit (`journal`), for `hallpass verify` on a git mirror
   * (git-mirror.ts): every change of main's tree, by whom and when.
   */
  readonly mainLog: MainCommit[] = [];
  #journal: boolean;
  #logMain(author: string, message: string, stands?: string): void {
    if (!this.#journal) return;
    const tree = new Map(this.github.trees.get("main"));
    this.mainLog.push({ author, at: this.now, message, tree, ...(stands ? { stands } : {}) });
  }

  /**
   * `accountStreams`: CloudTrail also answers the account-wide stream (LookupEvents without a
   * lookup attribute), which the sweep's watch reads when four grants or more share an account.
   * `journal`: keep `mainLog`. Records are committed in the app's name (the action's login is
   * the same by default: settings.recordWriters).
   */
  constructor(options: { accountStreams?: boolean; journal?: boolean } = {}) {
    this.#journal = options.journal === true;
    if (this.#journal) {
      const commit = this.github.commitFiles.bind(this.github);
      this.github.commitFiles = async (branch, files, message, hint) => {
        const before = this.github.commits.length;
        const id = await commit(branch, files, message, hint);
        if (branch === "main" && this.github.commits.length > before) {
          this.#logMain(APP_BOT, message);
        }
        return id;
      };
    }
    this.cloudtrail = new FakeCloudTrail(
      options.accountStreams ? { accountStreams: { backgroundPerSecond: 0 } } : {},
    );
    this.github.setFiles("main", {
      ...examplePolicyFiles,
      "policies/settings.yaml": `${examplePolicyFiles["policies/settings.yaml"]}${NOTIFICATIONS}`,
      ...this.#policyFiles(0),
    });
    for (const [team, members] of Object.entries(TEAMS)) this.github.teams.set(team, [...members]);
    this.teamHistory.push({ at: -Infinity, step: 0, teams: structuredClone(this.github.teams) });
    this.aws.clock = () => this.now;
    // Another branch, whose rules a request must never be judged by (nor granted under).
    this.github.copyTree("main", "release").copyTree("main", RELEASE_SHA);
    const paths = [...this.github.trees.get("main")!.keys()];
    this.github.logCommit("main", this.#snapshotBase(), paths);
    this.github.logCommit("release", RELEASE_SHA, paths);
    this.#logMain("sue", "The access repository: policies and CODEOWNERS");
  }

  #policyFiles(variant: number): Record<string, string> {
    const rules = POLICY_VARIANTS[variant]!;
    // Break-glass: any one code owner of the request, for an hour at most.
    const breakGlass = `    breakGlass:\n      allowed: ${rules.breakGlass}\n      maxDuration: ${MAX_HOURS.emergency}h\n      approval:\n        rules:\n          - count: 1\n`;
    const maxAge = rules.maxAgeHours ? `      maxAge: ${rules.maxAgeHours}h\n` : "";
    const auto = rules.autoHours
      ? `    autoApproval:\n      maxDuration: ${rules.autoHours}h\n`
      : "";
    const extension = rules.extensionHours
      ? `    extension:\n      withoutApproval: ${rules.extensionHours}h\n`
      : "";
    return {
      "policies/roles.yaml": examplePolicyFiles["policies/roles.yaml"].replace(
        '        - count: 1\n          from: ["@acme/sre"]\n',
        `        - count: ${rules.count}\n          from: ["@acme/sre"]\n${maxAge}${auto}${extension}${breakGlass}`,
      ),
      ".github/CODEOWNERS": `access-requests/ ${rules.owners}\n`,
    };
  }

  /** A commit of main's current tree; open pull requests are now based on it. */
  #snapshotBase(): string {
    const sha = `ba5e${String(++this.#baseCommits).padStart(36, "0")}`;
    this.github.copyTree("main", sha);
    for (const pull of this.github.pulls.values()) {
      if (pull.state === "open" && pull.baseRef === "main") pull.baseSha = sha;
    }
    this.currentBase = sha;
    return sha;
  }
  currentBase = "";

  get iso(): string {
    return this.now.toISOString().replace(".000Z", "Z");
  }

  /** Applies one step; resolves when the world is at rest again. */
  async apply(step: Step): Promise<void> {
    this.written = [];
    this.completeSweep = false;
    this.steps += 1;
    switch (step.kind) {
      case "open":
        return this.#open(step);
      case "team":
        return this.#team(step.team, step.who, step.join);
      case "approved-request":
        return this.#approvedRequest(step);
      case "push":
        return this.#push(step.pr, step.by);
      case "retarget":
        return this.#retarget(step.pr, step.to);
      case "review":
        return this.#review(step.pr, step.by, step.state);
      case "dismiss":
        return this.#dismiss(step.pr, step.nth);
      case "policy":
        return this.#policy(step.variant);
      case "merge":
        return this.#merge(step.pr, step.admin);
      case "revoke-command":
        return this.#revokeCommand(step.pr, step.by);
      case "extend":
        return this.#extendCommand(step);
      case "deliver":
        return this.#deliver(step.nth, false);
      case "lose":
        if (this.pending.length > 0) this.pending.splice(step.nth % this.pending.length, 1);
        return;
      case "redeliver":
        return this.#deliver(step.nth, true);
      case "clock":
        this.now = new Date(this.now.getTime() + step.minutes * 60_000);
        return;
      case "sweep":
        return this.#sweep();
      case "use":
        return this.#use(step.nth);
      case "hand-role":
        return this.#handRole();
      case "hand-change":
        return this.#handChange(step.nth);
      case "fault":
        this.#fault = { target: step.target, call: step.call, fault: step.fault };
        return;
    }
  }

  pull(nth: number): OpenedPull | undefined {
    return this.pulls.length === 0 ? undefined : this.pulls[nth % this.pulls.length];
  }

  #emit(name: string, action: string, edit: (payload: Payload) => void): void {
    const key = `${name}.${action}`;
    let template = TEMPLATES.get(key);
    if (!template) {
      template = examplePayload(name, action);
      TEMPLATES.set(key, template);
    }
    const payload = copyForEdit(template);
    payload.action = action;
    edit(payload);
    this.pending.push({ name, payload });
  }

  #pullPayload(payload: Payload, pull: OpenedPull): void {
    const info = this.github.pulls.get(pull.number)!;
    payload.number = pull.number;
    Object.assign(payload.pull_request, {
      number: pull.number,
      draft: false,
      merged: info.merged,
      updated_at: this.iso,
    });
    payload.pull_request.head.sha = info.headSha;
    payload.pull_request.base.sha = info.baseSha;
    payload.pull_request.user.login = pull.author;
  }

  #open(step: Extract<Step, { kind: "open" }>, extended = this.#extended(step.extends)): void {
    const { author, requester, hours } = step;
    const emergency = step.emergency === true;
    const number = this.pulls.length + 1;
    const path = `access-requests/${requester}-${number}.yaml`;
    const head = `bead${String(number).padStart(4, "0")}${"0".repeat(32)}`;
    const yaml = [
      `requester: ${requester}\nrole: prod-readonly\naccount: production\nduration: ${hours}h\nreason: "Investigate elevated p99 latency on the checkout API since the deploy."\n`,
      emergency ? "emergency: true\n" : "",
      extended ? `extends: ${extended}\n` : "",
    ].join("");
    this.github.copyTree("main", head).setFiles(head, { [path]: yaml });
    this.github.pulls.set(number, {
      number,
      url: `https://github.com/${OWNER}/${REPO_NAME}/pull/${number}`,
      state: "open",
      draft: false,
      author,
      title: `Access for ${requester}`,
      // The sweep's reminders and stale-closing count from here.
      createdAt: this.iso,
      headSha: head,
      baseSha: this.currentBase,
      baseRef: "main",
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      mergedBy: null,
    });
    this.github.pullFiles.set(number, [{ path, status: "added" }]);
    this.github.pullCommits.set(number, [
      author === APP_BOT
        ? { sha: head, authorLogin: author, committerLogin: "web-flow", signedByGitHub: true }
        : { sha: head, authorLogin: author, committerLogin: author },
    ]);
    this.github.reviews.set(number, []);
    this.github.baseChanges.set(number, []);
    const pull: OpenedPull = {
      number,
      author,
      requester,
      path,
      head,
      pushes: 0,
      hours,
      emergency,
      ...(extended ? { extends: extended } : {}),
    };
    this.pulls.push(pull);
    this.#adopted.add(number);
    this.#emit("pull_request", "opened", (p) => this.#pullPayload(p, pull));
  }

  #push(nth: number, by: Person): void {
    const pull = this.pull(nth);
    const info = pull && this.github.pulls.get(pull.number);
    if (!pull || !info || info.state !== "open") return;
    pull.pushes += 1;
    const head = `bead${String(pull.number).padStart(4, "0")}${String(pull.pushes).padStart(32, "0")}`;
    this.github.copyTree(info.headSha, head);
    info.headSha = head;
    pull.head = head;
    this.github.pullCommits.get(pull.number)!.push({
      sha: head,
      authorLogin: by,
      committerLogin: by,
    });
    this.#emit("pull_request", "synchronize", (p) => this.#pullPayload(p, pull));
  }

  /** The PR's base branch changes (to `release` or back to `main`): GitHub lists the change. */
  #retarget(nth: number, to: "main" | "release"): void {
    const pull = this.pull(nth);
    const info = pull && this.github.pulls.get(pull.number);
    if (!pull || !info || info.state !== "open") return;
    const from = info.baseRef;
    info.baseRef = to;
    info.baseSha = to === "main" ? this.currentBase : RELEASE_SHA;
    this.github.baseChanges.get(pull.number)!.push({ at: this.iso });
    this.#emit("pull_request", "synchronize", (p) => {
      this.#pullPayload(p, pull);
      p.action = "edited";
      p.changes = { base: { ref: { from }, sha: { from: "0".repeat(40) } } };
    });
  }

  #review(nth: number, by: Person, state: Review["state"]): void {
    const pull = this.pull(nth);
    const info = pull && this.github.pulls.get(pull.number);
    if (!pull || !info) return;
    this.github.reviews.get(pull.number)!.push({
      id: this.#reviewIds++,
      user: by,
      state,
      commitId: info.headSha,
      submittedAt: this.iso,
      authorAssociation: "MEMBER",
    } as Review);
    this.#emit("pull_request_review", "submitted", (p) => this.#pullPayload(p, pull));
  }

  #dismiss(nth: number, which: number): void {
    const pull = this.pull(nth);
    if (!pull) return;
    const opinions = this.github.reviews
      .get(pull.number)!
      .filter((r) => r.state === "APPROVED" || r.state === "CHANGES_REQUESTED");
    const review = opinions[which % Math.max(1, opinions.length)];
    if (!review) return;
    const dismissals = this.github.reviewDismissals.get(pull.number) ?? [];
    dismissals.push({ reviewId: review.id, state: review.state, at: this.iso });
    this.github.reviewDismissals.set(pull.number, dismissals);
    review.state = "DISMISSED";
    this.#emit("pull_request_review", "dismissed", (p) => this.#pullPayload(p, pull));
  }

  /** The request path of the nth pull request, for `extends:`. */
  #extended(nth: number | undefined): string | undefined {
    return nth === undefined ? undefined : this.pull(nth)?.path;
  }

  async #approvedRequest(step: Extract<Step, { kind: "approved-request" }>): Promise<void> {
    const { requester, extends: which, deliverMerge, waitMinutes, kind: _, ...rest } = step;
    // An approved request extends one of its requester's own, latest first: the chain of one
    // person's grants (an extension of someone else's request comes from `open` steps).
    const own = this.pulls.filter((p) => p.requester === requester).reverse();
    const extended = which === undefined ? undefined : own[which % Math.max(1, own.length)]?.path;
    this.#open({ kind: "open", author: requester, requester, ...rest }, extended);
    const nth = this.pulls.length - 1;
    await this.#deliver(this.pending.length - 1, false);
    for (const by of ["sam", "sue"] as const) {
      this.#review(nth, by, "APPROVED");
      await this.#deliver(this.pending.length - 1, false);
    }
    const before = this.pending.length;
    if (waitMinutes) this.now = new Date(this.now.getTime() + waitMinutes * 60_000);
    this.#merge(nth, false);
    if (deliverMerge && this.pending.length > before) {
      await this.#deliver(this.pending.length - 1, false);
    }
  }

  /** Someone joins or leaves a team: GitHub sends the access repository no event for it. */
  #team(team: Team, who: Person, join: boolean): void {
    const members = this.github.teams.get(team)!;
    const has = members.includes(who);
    if (join === has) return;
    this.github.teams.set(team, join ? [...members, who] : members.filter((m) => m !== who));
    this.teamHistory.push({
      at: this.now.getTime(),
      step: this.steps,
      teams: structuredClone(this.github.teams),
    });
    this.#count(`team members ${join ? "joined" : "left"}`);
  }

  #policy(variant: number): void {
    this.policyVariant = variant % POLICY_VARIANTS.length;
    const files = this.#policyFiles(this.policyVariant);
    this.github.setFiles("main", files);
    this.github.logCommit("main", this.#snapshotBase(), Object.keys(files));
    this.#logMain("sue", `The rules of variant ${this.policyVariant}`);
  }

  #merge(nth: number, admin: boolean): void {
    const pull = this.pull(nth);
    const info = pull && this.github.pulls.get(pull.number);
    if (!pull || !info || info.state !== "open") return;
    const check = this.github.checkRuns.get(`${info.headSha} ${CHECK_NAME}`);
    // Branch protection: only an admin merges past a check that is not green.
    if (!admin && check?.conclusion !== "success") return;
    pull.atMerge = {
      reviews: structuredClone(this.github.reviews.get(pull.number)!),
      variant: this.policyVariant,
      // The re-check reads the rules and records at the merge commit: main as it is now.
      free: this.freeExtension(
        pull,
        this.github.trees.get("main")!,
        this.now.getTime(),
        this.policyVariant,
      ),
    };
    pull.approvedAtMerge = this.approves(pull);
    pull.mergedAtStep = this.steps;
    this.#count(`merges into ${info.baseRef}${admin ? " by an admin" : ""}`);
    pull.policyAtMerge = this.policyVariant;
    const yaml = this.github.trees.get(info.headSha)!.get(pull.path)!;
    this.github.setFiles(info.baseRef, { [pull.path]: yaml });
    const mergeSha = `3e76${String(++this.#merges).padStart(36, "0")}`;
    this.github.copyTree(info.baseRef, mergeSha);
    // A squash merge: one commit on the base, the pull request's merge commit.
    this.github.logCommit(info.baseRef, mergeSha, [pull.path]);
    if (info.baseRef === "main") {
      this.#snapshotBase();
      this.#logMain(admin ? "sue" : pull.requester, `Merge pull request #${pull.number}`, mergeSha);
    }
    Object.assign(info, {
      state: "closed",
      merged: true,
      mergeCommitSha: mergeSha,
      mergedAt: this.iso,
      mergedBy: admin ? "sue" : pull.requester,
    });
    this.#emit("pull_request", "closed", (p) => this.#pullPayload(p, pull));
    // Reviews after the merge never count; they start a second later.
    this.now = new Date(this.now.getTime() + 1000);
  }

  #revokeCommand(nth: number, by: Person): void {
    const pull = this.pull(nth);
    if (!pull) return;
    this.#emit("issue_comment", "created", (p) => {
      p.issue.number = pull.number;
      p.issue.pull_request = {
        url: `https://api.github.com/repos/acme/access/pulls/${pull.number}`,
      };
      p.comment.body = "/hallpass revoke";
      p.comment.user.login = by;
      p.comment.user.type = "User";
    });
  }

  /** Comment ids of `/hallpass extend` (a redelivery repeats its payload, so its id). */
  #comments = 7000;
  /** Extension pull requests the app opened, in order (the invariants read the last step's). */
  readonly extensionsOpened: ExtensionOpened[] = [];

  async #extendCommand(step: Extract<Step, { kind: "extend" }>): Promise<void> {
    const records = this.grantRecords();
    const granted = this.pulls.filter((p) => records.has(p.path));
    // Before any grant, now and then on a pull request that has none (refused).
    const pull =
      granted.length > 0
        ? granted[step.pr % granted.length]
        : step.pr === 0
          ? this.pull(step.pr)
          : undefined;
    if (!pull) return;
    const command: ExtendCommandSeen = {
      commentId: ++this.#comments,
      pull: pull.number,
      by: step.by ?? pull.requester,
    };
    this.#commands.set(command.commentId, command);
    this.#emit("issue_comment", "created", (p) => {
      p.issue.number = pull.number;
      p.issue.pull_request = {
        url: `https://api.github.com/repos/acme/access/pulls/${pull.number}`,
      };
      p.comment.id = command.commentId;
      p.comment.body = `/hallpass extend ${step.hours}h`;
      p.comment.user.login = command.by;
      p.comment.user.type = "User";
    });
    if (!step.flow) return;
    const opened = this.pulls.length;
    await this.#deliver(this.pending.length - 1, false);
    const extension = this.pulls[opened];
    if (!extension) return;
    // Its `opened` event, the check, then the merge once green (or nothing: it waits).
    await this.#deliver(this.pending.length - 1, false);
    if (step.flow === "approve") {
      for (const by of ["sam", "sue"] as const) {
        this.#review(opened, by, "APPROVED");
        await this.#deliver(this.pending.length - 1, false);
      }
    }
    const before = this.pending.length;
    this.#merge(opened, false);
    if (this.pending.length > before) await this.#deliver(this.pending.length - 1, false);
  }
  readonly #commands = new Map<number, ExtendCommandSeen>();

  /**
   * The pull requests the app opened in the last run (`/hallpass extend`): GitHub fills in what
   * the model's `createPullRequest` leaves out (a head commit, the app's one signed commit, its
   * changed file, the base commit), and sends `pull_request.opened`.
   */
  #adoptAppPulls(): void {
    for (const [number, info] of this.github.pulls) {
      if (this.#adopted.has(number)) continue;
      this.#adopted.add(number);
      const branch = info.headSha;
      const match = /^hallpass\/extend-(\d+)-(\d+)$/.exec(branch);
      const command = match ? this.#commands.get(Number(match[2])) : undefined;
      const tree = this.github.trees.get(branch);
      const path = [...(tree?.keys() ?? [])].find((p) =>
        p.endsWith(`/extend-${match?.[1]}-${match?.[2]}.yaml`),
      );
      if (!command || !tree || !path)
        throw new Error(`the app opened #${number} from ${branch}, which no extend command names`);
      const yaml = tree.get(path)!;
      const field = (name: string) => new RegExp(`^${name}: (.+)$`, "m").exec(yaml)?.[1];
      const head = `bead${String(number).padStart(4, "0")}${"0".repeat(32)}`;
      this.github.copyTree(branch, head);
      // Opened from the default branch's head: a base commit that holds every record so far.
      Object.assign(info, { headSha: head, baseSha: this.#snapshotBase(), createdAt: this.iso });
      this.github.pullFiles.set(number, [{ path, status: "added" }]);
      this.github.pullCommits.set(number, [
        { sha: head, authorLogin: APP_BOT, committerLogin: "web-flow", signedByGitHub: true },
      ]);
      this.github.reviews.set(number, []);
      this.github.baseChanges.set(number, []);
      const extended = field("extends");
      const pull: OpenedPull = {
        number,
        author: APP_BOT,
        requester: field("requester") as Person,
        path,
        head,
        pushes: 0,
        hours: Number(/^(\d+)h$/.exec(field("duration") ?? "")?.[1] ?? Number.NaN),
        emergency: false,
        ...(extended ? { extends: extended } : {}),
        command,
      };
      this.pulls.push(pull);
      const original = this.pulls.find((p) => p.number === command.pull);
      this.extensionsOpened.push({
        pull,
        command,
        record: original && this.grantRecords().get(original.path),
        revoked:
          original !== undefined && this.recordOnMain(original.path, "revocation") !== undefined,
        at: this.now.getTime(),
        step: this.steps,
      });
      this.#count("extension pull requests opened");
      this.#emit("pull_request", "opened", (p) => this.#pullPayload(p, pull));
    }
  }
  readonly #adopted = new Set<number>();

  /** What the app answered a `/hallpass extend` on `pull` (its sticky reply), by outcome. */
  #countExtendReply(pull: number): void {
    const reply = this.github.comment(pull, EXTEND_REPLY_MARKER) ?? "";
    const outcomes: [string, string][] = [
      ["opened the extension request", "opened"],
      ["only the requester", "refused: not the requester"],
      ["revoked", "refused: revoked"],
      ["it ended at", "refused: ended"],
      ["not merged", "refused: not merged"],
      ["is recorded", "refused: not granted"],
      ["would not be a valid request", "refused: invalid"],
    ];
    const outcome = outcomes.find(([text]) => reply.includes(text))?.[1] ?? "no reply";
    this.#count(`extend commands: ${outcome}`);
  }

  /**
   * Whether the pull request is an extension the rules' `extension.withoutApproval` admits
   * without review, judged on `tree` (the rules' commit) at `at` (ms), computed independently
   * of src/ from the documented rule: the rule's limit, not break-glass; the extended request's
   * grant recorded, the same requester's, not revoked, its window open; no extension without
   * approval along the chain of \`extends:\` in the grant records; the extension beside the
   * extended request or in its requester's folder, and no other request or grant record there
   * extending the same grant.
   */
  freeExtension(
    pull: OpenedPull,
    tree: ReadonlyMap<string, string>,
    at: number,
    variant: number,
  ): boolean {
    const limit = POLICY_VARIANTS[variant]!.extensionHours;
    const extended = pull.extends;
    if (limit === undefined || extended === undefined || pull.emergency || pull.hours > limit) {
      return false;
    }
    const recordOf = (path: string) => {
      const text = tree.get(recordPath(path, "grant"));
      const record = text === undefined ? undefined : grantRecordSchema.parse(JSON.parse(text));
      return record?.requestPath === path ? record : undefined;
    };
    const record = recordOf(extended);
    if (!record || record.requester.toLowerCase() !== pull.requester.toLowerCase()) return false;
    if (tree.has(recordPath(extended, "revocation")) || !(at < Date.parse(record.window.end))) {
      return false;
    }
    // The chain: every grant behind it recorded, none of them an extension without approval.
    const seen = new Set<string>();
    for (let link: GrantRecord | undefined = record; ; ) {
      if (link.autoApproval?.kind === "extension") return false;
      if (link.extends === undefined) break;
      if (seen.has(link.extends) || seen.size >= 20) return false;
      seen.add(link.extends);
      link = recordOf(link.extends);
      if (!link) return false;
    }
    const folderOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
    const folders = new Set([folderOf(extended), `access-requests/${record.requester}/`]);
    if (!folders.has(folderOf(pull.path))) return false;
    const stem = pull.path.replace(/\.yaml$/, "");
    for (const [path, text] of tree) {
      if (!folders.has(folderOf(path)) || path === pull.path || path === `${stem}.grant.json`) {
        continue;
      }
      const named = path.endsWith(".grant.json")
        ? (JSON.parse(text) as { extends?: string }).extends
        : path.endsWith(".yaml")
          ? /^extends: (.+)$/m.exec(text)?.[1]
          : undefined;
      if (named === extended) return false;
    }
    return true;
  }

  /**
   * Whether the approvals on the pull request satisfy the base branch's rule, computed
   * independently of src/ (necessary conditions): the requester opened it, for main; at least
   * `count` people in the rule's team who own the file by CODEOWNERS (for break-glass, where the
   * rules allow it and for an hour at most: one code owner), not the requester, the author or a
   * committer, whose latest opinion is an approval on the current head given after the latest
   * base change; no owner who may review asking for changes. A merged pull request is judged on
   * its reviews and rules at the merge; `teams` are the members now unless given.
   */
  approves(pull: OpenedPull, teams: ReadonlyMap<string, string[]> = this.github.teams): boolean {
    const info = this.github.pulls.get(pull.number)!;
    const judged: Judged = pull.atMerge ?? {
      reviews: this.github.reviews.get(pull.number)!,
      variant: this.policyVariant,
    };
    const rules = POLICY_VARIANTS[judged.variant]!;
    const owners = new Set(
      rules.owners.split(" ").flatMap((team) => teams.get(team.slice(1)) ?? []),
    );
    const excluded = new Set<string>([pull.requester, pull.author]);
    for (const c of this.github.pullCommits.get(pull.number)!) {
      if (c.authorLogin) excluded.add(c.authorLogin);
      if (c.committerLogin) excluded.add(c.committerLogin);
    }
    const changes = this.github.baseChanges.get(pull.number)!.map((c) => Date.parse(c.at));
    const lastChange = changes.length > 0 ? Math.max(...changes) : -Infinity;
    const latest = new Map<string, Review>();
    for (const r of judged.reviews) {
      if (r.state === "APPROVED" || r.state === "CHANGES_REQUESTED" || r.state === "DISMISSED") {
        latest.set(r.user, r);
      }
    }
    const sre = teams.get("acme/sre") ?? [];
    // An approval counts while younger than the rule's maxAge at the decision (the merge, once
    // merged); break-glass has no limit here.
    const decidedAt = Date.parse(info.mergedAt ?? this.iso);
    const maxAge = pull.emergency ? undefined : rules.maxAgeHours;
    const young = (r: Review) =>
      maxAge === undefined || decidedAt < Date.parse(r.submittedAt) + maxAge * 3_600_000;
    let approvals = 0;
    let blocked = false;
    for (const [who, r] of latest) {
      // A change request from an owner who may review blocks, whatever commit it was on.
      if (r.state === "CHANGES_REQUESTED" && owners.has(who) && !excluded.has(who)) blocked = true;
      if (
        r.state === "APPROVED" &&
        r.commitId === info.headSha &&
        Date.parse(r.submittedAt) > lastChange &&
        owners.has(who) &&
        (pull.emergency || sre.includes(who)) &&
        !excluded.has(who)
      ) {
        if (young(r)) approvals += 1;
        else this.#count("approvals judged aged out");
      }
    }
    const valid = !pull.emergency || (rules.breakGlass && pull.hours <= MAX_HOURS.emergency);
    // A request in someone else's name is never valid, nor one for another branch than main.
    // The app's own PR stands in its requester's name while only it and they wrote commits.
    const commits = this.github.pullCommits.get(pull.number)!;
    const inOwnName =
      pull.requester === pull.author ||
      (pull.author === APP_BOT &&
        commits.every(
          (c) =>
            (c.authorLogin === APP_BOT && c.signedByGitHub === true) ||
            (c.authorLogin === pull.requester && c.committerLogin === pull.requester),
        ));
    // Auto-approval: a short request that is neither break-glass nor an extension; or an
    // extension the rules admit without review, judged at the base the check reads.
    const auto =
      (rules.autoHours !== undefined &&
        !pull.emergency &&
        pull.extends === undefined &&
        pull.hours <= rules.autoHours) ||
      (judged.free ??
        this.freeExtension(
          pull,
          this.github.trees.get(info.baseSha) ?? new Map(),
          decidedAt,
          judged.variant,
        ));
    return (
      valid &&
      inOwnName &&
      info.baseRef === "main" &&
      !blocked &&
      (auto || approvals >= (pull.emergency ? 1 : rules.count))
    );
  }

  /** Team members at `at` (ms). */
  teamsAt(at: number): Map<string, string[]> {
    return this.teamHistory.findLast((entry) => entry.at <= at)!.teams;
  }

  /**
   * The app as one warm process (a Lambda container) with the model's ports behind the current
   * run's proxies; a new one after a kill, as the host starts a fresh container.
   */
  #process(run: Run): Probot {
    this.#run = run;
    if (this.#app) return this.#app;
    const probot = new Probot({ appId: APP_ID, privateKey, logLevel: "fatal" });
    const aws: AwsPort = {
      grantStore: (account) => through(this.#grantStore(account), this.#run, "aws"),
    };
    void probot.load(
      createApp({
        github: () => through(this.github as GitHubPort, this.#run, "github"),
        now: () => this.now,
        // The world's clock, so that team members read more than the TTL ago are read again.
        cache: createMemoryCache({
          maxEntries: 100,
          ttlMs: TEAM_CACHE_MS,
          now: () => this.now.getTime(),
        }),
        aws,
        webhookFor: this.#webhookFor(() => this.#run),
        appId: APP_ID,
        accessRepository: `${OWNER}/${REPO_NAME}`,
        // The host's limit is modelled by the kill: no timer may decide an outcome.
        mergeDeadlines: { workMs: 3_600_000, tellMs: 3_600_000 },
      }),
    );
    this.#app = probot;
    return probot;
  }
  #run = new Run(undefined);

  /**
   * The IAM model's store for one account: it lists only that account's roles, as IAM does (the
   * model holds every account's roles together; both accounts of the policies are swept).
   */
  #grantStore(account: AccountTarget): GrantStore & object {
    const store = this.aws.grantStore(account);
    return {
      ...store,
      listGrantRoles: async () =>
        (await store.listGrantRoles()).filter((role) => role.roleArn.includes(`::${account.id}:`)),
    };
  }

  #takeFault(): Run {
    const run = new Run(this.#fault);
    this.#fault = undefined;
    return run;
  }

  /** `target.method` of every port call the last delivery or sweep made, in order. */
  lastCalls: readonly string[] = [];

  async #runProcess(run: Run, work: () => Promise<unknown>): Promise<void> {
    this.lastCalls = run.names;
    const before = new Map(this.github.checkRuns);
    try {
      await Promise.race([work(), run.dead]);
    } catch (error) {
      this.log.push(`run failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (run.killed) this.#count("processes killed (no answer)");
    else if (run.faulted) this.#count(`calls failed (${run.fault?.target})`);
    for (const [key, output] of this.github.checkRuns) {
      if (before.get(key) !== output) {
        this.written.push({ sha: key.split(" ")[0]!, conclusion: output.conclusion });
      }
    }
  }

  async #deliver(nth: number, again: boolean): Promise<void> {
    const list = again ? this.delivered : this.pending;
    if (list.length === 0) return;
    const index = nth % list.length;
    const delivery = list[index]!;
    if (!again) {
      this.pending.splice(index, 1);
      this.delivered.push(delivery);
    }
    const run = this.#takeFault();
    const probot = this.#process(run);
    await this.#runProcess(run, () =>
      probot.receive({
        id: `delivery-${++this.#events}`,
        name: delivery.name,
        payload: delivery.payload,
      } as Parameters<Probot["receive"]>[0]),
    );
    if (run.killed) this.#app = undefined;
    const { action, pull_request: pull } = delivery.payload as Payload;
    const merge = delivery.name === "pull_request" && action === "closed" && pull.merged === true;
    if (merge && !run.faulted && !run.killed) this.mergesHeard.add(pull.number as number);
    this.#adoptAppPulls();
    const { comment, issue } = delivery.payload as Payload;
    if (delivery.name === "issue_comment" && comment.body.includes("extend")) {
      this.#countExtendReply(issue.number);
    }
  }

  async #sweep(): Promise<void> {
    const run = this.#takeFault();
    const github = through(this.github as GitHubPort, run, "github");
    const aws: AwsPort = {
      grantStore: (account) => through(this.#grantStore(account), run, "aws"),
    };
    let finished = false;
    await this.#runProcess(run, async () => {
      await sweep(
        {
          github,
          aws,
          cloudtrail: cloudTrailThrough(this.cloudtrail, run),
          webhookFor: this.#webhookFor(() => run),
          revokeGrant: (request, { branch }) =>
            revokeGrant({ github, aws, actor: "hallpass-action", branch }, request),
          clock: () => 0,
        },
        { now: this.now, dryRun: false, concurrency: 1 },
      );
      finished = true;
    });
    this.completeSweep = finished && !run.faulted;
    if (this.completeSweep) this.#count("complete sweeps");
    if (this.completeSweep) this.hand.length = 0;
  }

  /** The grant records on main, by request path. */
  grantRecords(): Map<string, GrantRecord> {
    const records = new Map<string, GrantRecord>();
    for (const [path, text] of this.github.trees.get("main")!) {
      if (!path.endsWith(".grant.json")) continue;
      let record = this.#parsedRecords.get(text);
      if (!record) {
        record = grantRecordSchema.parse(JSON.parse(text));
        this.#parsedRecords.set(text, record);
      }
      records.set(record.requestPath, record);
    }
    return records;
  }
  /** Grant records parsed before, by their text (invariants read them after every step). */
  readonly #parsedRecords = new Map<string, GrantRecord>();

  /** A session of the holder of a live grant role calls AWS: CloudTrail records it. */
  #use(nth: number): void {
    const records = [...this.grantRecords().values()].filter(
      (r) => this.aws.roles.has(r.roleName) && Date.parse(r.window.end) > this.now.getTime(),
    );
    const record = records[nth % Math.max(1, records.length)];
    if (!record) return;
    this.cloudtrail.add(
      record.roleArn,
      grantEvent(record, {
        id: `event-${++this.#events}`,
        time: this.iso,
        action: nth % 2 === 0 ? "rds:DescribeDBInstances" : "iam:CreateUser",
        readOnly: nth % 2 === 0,
      }),
    );
  }

  /** Someone with IAM rights makes a role under /hallpass/ that poses as a grant. */
  #handRole(): void {
    const name = `hallpass-by-hand-${++this.#events}`;
    this.aws.roles.set(name, {
      roleName: name,
      roleArn: `arn:aws:iam::123456789012:role/hallpass/${name}`,
      path: "/hallpass/",
      createdAt: this.iso,
      tags: { [GRANT_TAGS.managedBy]: MANAGED_BY },
      trustPolicy: "{}",
      permissionsBoundary: undefined,
      inline: new Map([
        [
          "by-hand",
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
          }),
        ],
      ]),
      managed: new Set(),
    });
    this.hand.push({ roleName: name, made: true });
    this.#count("roles made by hand");
  }

  /**
   * Someone with IAM rights changes a role: adds an Allow without a time bound, or (odd `nth`)
   * rewrites every inline policy to allow everything, dropping the deny after expiry.
   */
  #handChange(nth: number): void {
    const roles = [...this.aws.roles.values()];
    const role = roles[nth % Math.max(1, roles.length)];
    if (!role) return;
    const allow = (action: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: action, Resource: "*" }],
      });
    this.#count("roles changed by hand");
    if (nth % 2 === 0) role.inline.set("by-hand", allow("s3:*"));
    else for (const name of role.inline.keys()) role.inline.set(name, allow("*"));
    this.hand.push({ roleName: role.roleName, made: false });
  }

  /** Path of a record kind beside a request. */
  recordOnMain(requestPath: string, kind: RecordKind): string | undefined {
    return this.github.trees.get("main")!.get(recordPath(requestPath, kind));
  }
}
