import type { Alert } from "../../core/sweep/evaluate-alerts.ts";
import type { SweepPlan } from "../../core/sweep/plan-sweep.ts";
import type { AccountTarget, AwsPort } from "../../ports/aws.ts";
import type { CloudTrailPort } from "../../ports/cloudtrail.ts";
import type { GitHubPort, IssueInfo, PullRequestInfo } from "../../ports/github.ts";
import type { WebhookFor } from "../../ports/notify.ts";
import type { RevokeRequest } from "../revoke-grant.ts";

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
  /**
   * Resolves a notification channel's webhook variable (`settings.notifications.channels`) to
   * its poster; undefined when unset. Without it, channels are not told (failures say so).
   */
  webhookFor?: WebhookFor;
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

/** A role the run revoked (or whose revocation it recorded). */
export interface SweepRevoked {
  requestPath: string;
  roleArn: string;
  reason: string;
  detail: string;
}

/** An alert the watch raised this run. */
export interface SweepAlert {
  requestPath: string;
  pullRequest: number;
  alert: Alert;
  revoked: boolean;
}

/** An audit summary the run wrote. */
export interface SweepAudit {
  requestPath: string;
  pullRequest: number;
  events: number;
  risky: number;
}

/** CloudTrail reads of the watch: account-wide streams and their pages, lookups by session. */
export interface WatchLookups {
  streams: number;
  streamPages: number;
  grantLookups: number;
}

export interface SweepReport {
  dryRun: boolean;
  now: string;
  branch: string;
  accounts: string[];
  plan: SweepPlan;
  revoked: SweepRevoked[];
  alerts: SweepAlert[];
  audits: SweepAudit[];
  /** Watched grants whose watch waits for a later run (the watch budget ran out). */
  watchDeferred: string[];
  /** Ended grants watched for late-delivered events until their audit is written. */
  watchedEnded: string[];
  /**
   * CloudTrail reads of the watch: account-wide streams started and their pages, and lookups
   * by session name.
   */
  watchLookups: WatchLookups;
  dashboard: IssueInfo | undefined;
  /** Everything that went wrong; the action fails the job when there is any. */
  issues: SweepIssue[];
}

/** Thrown when the sweep cannot start (unreadable policies, unknown shard account). */
export class SweepConfigError extends Error {
  override name = "SweepConfigError";
}

/** An account in scope of the run, as the steps reach it: its broker role and its regions. */
export type SweepTarget = AccountTarget & { regions: string[] };

/**
 * What every step of one run shares: the ports, the branch it reads and writes, the time it
 * plans at, and the accounts in scope by id. Fixed once the state is read.
 */
export interface SweepRun {
  deps: SweepDeps;
  branch: string;
  /** The commit of `branch` the state was read at (`SweepSnapshot.head`). */
  head: string;
  now: Date;
  dryRun: boolean;
  /** Grants looked at in parallel. */
  concurrency: number;
  targets: ReadonlyMap<string, SweepTarget>;
}

/** What a step did that the report lists: the roles it revoked and what went wrong. */
export interface StepOutcome {
  revoked: SweepRevoked[];
  issues: SweepIssue[];
}

/** An error as an issue of `step`: the run goes on, and the job fails at its end. */
export function issueOf(step: SweepIssue["step"], subject: string, error: unknown): SweepIssue {
  return { step, subject, message: (error as Error).message };
}

/** The open pull requests steps 5b and 5c read; undefined when they could not be listed. */
export type OpenPullRequests = () => Promise<PullRequestInfo[] | undefined>;

/**
 * The open pull requests, listed on the first ask and at most once: a failed listing is one
 * issue in `issues`, however many steps ask.
 */
export function listOpenPullRequestsOnce(
  github: GitHubPort,
  issues: SweepIssue[],
): OpenPullRequests {
  let listed: Promise<PullRequestInfo[] | undefined> | undefined;
  return () => {
    listed ??= github.listOpenPullRequests().catch((error: unknown) => {
      issues.push(issueOf("notify", "open pull requests", error));
      return undefined;
    });
    return listed;
  };
}

/**
 * Writes the app's comment with `marker` on pull request `number` unless it is there already:
 * a notice told once, its comment the record that it was. The comments are listed once, and
 * `body` is rendered only when the comment is written. True when it was written; false when it
 * was there, or when the port cannot look (nothing is told without a record of it).
 */
export async function commentOnce(
  github: GitHubPort,
  number: number,
  marker: string,
  body: () => string,
): Promise<boolean> {
  if (!github.findComment) return false;
  const found = await github.findComment(number, marker);
  if (found) return false;
  await github.upsertComment(number, marker, body(), { found });
  return true;
}
