/**
 * The types the grant on merge and its steps share: what the grant is given, what it answers,
 * and how a step says that the grant stops here.
 */

import type { PullRequestInfo } from "../../core/approval/pull-request.ts";
import type { IamLimits } from "../../core/grant/plan-grant.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import type { AwsPort } from "../../ports/aws.ts";
import type { GitHubPort } from "../../ports/github.ts";
import type { WebhookFor } from "../../ports/notify.ts";

export interface GrantDeps {
  github: GitHubPort;
  aws: AwsPort;
  /**
   * Resolves the Slack sender of the environment variable that the policies name in
   * `settings.notifications.slackWebhookEnv`; undefined when that variable is not set. Alerts
   * go beyond GitHub only when the policies of the evaluation name one (never by default).
   */
  notifierFor?: (envName: string) => ((text: string) => Promise<void>) | undefined;
  /** The channels' webhooks (`settings.notifications.channels`): told when access is granted. */
  webhookFor?: WebhookFor;
  /** Where a notification that could not be sent is said (the app's log). */
  warn?: (message: string) => void;
  /** Recorded as the revoker of rollbacks and replaced grants. Default `hallpass-app`. */
  actor?: string;
}

export interface GrantOptions {
  now: Date;
  limits?: IamLimits;
  /**
   * Aborts when the grant must stop to leave time for saying why within the host's limit (the
   * app derives it from the Lambda's Timeout). From then on no GitHub or AWS call of the grant
   * starts, and the grant fails the way any unexpected error does: said on the PR, alerted,
   * thrown so that a redelivery finishes it. Its abort reason is the message shown.
   */
  deadline?: AbortSignal;
  /** Aborts when telling a failure must stop waiting (just before the host's limit). */
  tellDeadline?: AbortSignal;
  /**
   * The merge commit the merge event names: the re-check reads its rules along with the pull
   * request, and uses them only when the pull request read has that very merge commit.
   */
  rulesAt?: string;
}

export type GrantOutcome =
  /** The grant exists and is recorded (`created`: this run created the role). */
  | { status: "granted"; record: GrantRecord; created: boolean; replaced?: string }
  /** Not an access request, or not merged: nothing to do. */
  | { status: "skipped"; reason: string }
  /** The grant was revoked already: a late redelivery must not bring it back. */
  | { status: "revoked"; reason: string }
  /** Refused before AWS was changed (approvals, window, sizes, quota, name conflict). */
  | { status: "refused"; reason: string }
  /** AWS or GitHub failed half-way; the grant was rolled back (or the alert says it was not). */
  | { status: "failed"; reason: string; rolledBack: boolean };

/** What an alert needs: the sender to Slack is known once the policies are loaded. */
export interface AlertDeps extends GrantDeps {
  notify?: (text: string) => Promise<void>;
}

/** The merged pull request as the grant steps see it: merged, with its merge commit and time. */
export type MergedPull = PullRequestInfo & { mergeCommitSha: string; mergedAt: string };

/**
 * How a step says that the grant stops here, as data the `tell` step turns into a comment, an
 * alert and the outcome:
 * - `refused`: before AWS was changed; recorded in git as a refusal, said, alerted;
 * - `failed`: GitHub or AWS failed; said and alerted under `heading` (default "Access NOT
 *   granted"), `reason` is the outcome's;
 * - `finished`: nothing to say (a revoked or ended grant): the outcome as it is.
 */
export type GrantStop =
  | { stop: "refused"; title: string; details: string[] }
  | {
      stop: "failed";
      title: string;
      details: string[];
      reason: string;
      rolledBack: boolean;
      heading?: string;
    }
  | { stop: "finished"; outcome: GrantOutcome };

/** True when a step's answer is a stop rather than its result. */
export function isStop<T extends object>(answer: T | GrantStop): answer is GrantStop {
  return "stop" in answer;
}
