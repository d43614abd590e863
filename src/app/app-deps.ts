/**
 * What the app's handlers need from the outside world, and the small rules every handler shares
 * (which repository it acts on, how long a merge may take). Kept apart from index.ts, which
 * registers the handlers, so that the handlers never import the file that imports them.
 */

import type { Octokit } from "../adapters/octokit-github.ts";
import type { ReadActionCatalogue } from "../ports/action-catalogue.ts";
import type { AwsPort } from "../ports/aws.ts";
import type { KeyValueCache } from "../ports/cache.ts";
import type { GitHubPort } from "../ports/github.ts";
import type { WebhookFor } from "../ports/notify.ts";

/**
 * What the handlers need from the outside world. Features add their own member here (the
 * grant handlers add `aws`) and fill it in `defaultDeps`: an additive edit, no handler changes.
 */
export interface AppDeps {
  /** Builds the GitHub port for one repository over an event's installation Octokit. */
  github: (octokit: Octokit, repository: { owner: string; repo: string }) => GitHubPort;
  /** The clock: every decision takes `now` from here, never from `new Date()` in the core. */
  now: () => Date;
  /**
   * Shared across events: policies and CODEOWNERS by base SHA, files by head SHA, team members
   * by base SHA (bounded by the TTL), check run ids by head SHA.
   */
  cache: KeyValueCache;
  /**
   * AWS's published actions and access levels, to show reviewers what a role really allows.
   * Without it the check shows the role's statements as written.
   */
  readActionCatalogue?: ReadActionCatalogue;
  /**
   * AWS, reached through each account's broker role: grant roles are created on merge and
   * deleted on `/hallpass revoke`. Without it the app grants nothing (fail closed).
   */
  aws?: AwsPort;
  /**
   * The access repository, `owner/repo` (HALLPASS_ACCESS_REPOSITORY). When set, events of any
   * other repository the app is installed on are ignored. Grants need it: without it the app
   * grants nothing, since whoever controls a repository controls its `policies/` and
   * CODEOWNERS, and the app would otherwise grant by any installed repository's rules.
   */
  accessRepository?: string;
  /**
   * The GitHub App's id (APP_ID): a re-run is honoured only for this app's own check run, never
   * for another app's check that happens to carry the same name.
   */
  appId?: number;
  /**
   * Resolves the Slack sender of the environment variable named by the policies
   * (`settings.notifications.slackWebhookEnv`), for alerts when a grant is refused or fails;
   * undefined when the variable is not set. The policies name it, the environment holds it.
   */
  notifierFor?: (envName: string) => ((text: string) => Promise<void>) | undefined;
  /**
   * Resolves a notification channel's webhook variable (`settings.notifications.channels`) to
   * its poster, for a request's moments (awaiting review, approved, refused, granted, revoked);
   * undefined when unset. Without it, no channel is told.
   */
  webhookFor?: WebhookFor;
  /**
   * How long the handling of a merge may run (ms from the delivery's start): the grant stops at
   * `workMs` and telling its failure at `tellMs`, both inside the host's time limit. Default:
   * `mergeDeadlines` of HALLPASS_TIME_LIMIT_SECONDS.
   */
  mergeDeadlines?: MergeDeadlines;
  /**
   * Starts a deadline: a signal that aborts with a `DeadlineError(message)` after `ms`.
   * Default: a real timer (`deadlineAfter`). Injected like `now`, so that a test can reach the
   * deadline at a chosen step rather than after a real delay a loaded machine could outlast.
   */
  deadlineAfter?: (ms: number, message: string) => AbortSignal;
}

/** When the merge handling stops working (`workMs`) and stops telling (`tellMs`). */
export interface MergeDeadlines {
  workMs: number;
  tellMs: number;
}

/** The host's limit when HALLPASS_TIME_LIMIT_SECONDS is unset: deploy/lambda.yaml's default. */
export const DEFAULT_TIME_LIMIT_SECONDS = 60;

/**
 * The merge deadlines inside a host limit of `limitSeconds` (the Lambda's Timeout): telling a
 * failure gets the last 15 s (a comment and an alert issue, a few calls each bounded by the
 * request timeout) and the final 5 s are left to start the handler (a cold start) and answer the delivery before the host kills it.
 * Throws on a limit too short to grant and still tell: the handler would be cut off unheard.
 */
export function mergeDeadlines(
  limitSeconds: number,
  written = String(limitSeconds),
): MergeDeadlines {
  if (!Number.isFinite(limitSeconds) || limitSeconds < 30) {
    throw new Error(
      `HALLPASS_TIME_LIMIT_SECONDS is "${written}": set it to the host's time limit in seconds (the Lambda's Timeout), at least 30.`,
    );
  }
  const tellMs = (limitSeconds - 5) * 1000;
  return { workMs: tellMs - 15_000, tellMs };
}

/**
 * Whether an event's repository is one the app acts on: the access repository when one is
 * configured (GitHub compares owner and repository names case-insensitively), else any.
 */
export function isAccessRepository(
  deps: Pick<AppDeps, "accessRepository">,
  repository: { owner: string; repo: string },
): boolean {
  if (deps.accessRepository === undefined) return true;
  return (
    `${repository.owner}/${repository.repo}`.toLowerCase() === deps.accessRepository.toLowerCase()
  );
}

/**
 * Whether the grant handlers are registered (AWS and the access repository configured): then a
 * merged pull request is judged by the grant alone, which re-checks it at the merge commit.
 */
export function grantsOnMerge(deps: Pick<AppDeps, "aws" | "accessRepository">): boolean {
  return Boolean(deps.aws) && Boolean(deps.accessRepository);
}
