/**
 * The hallpass GitHub App (Probot). The default export is the app function that `npm start`
 * (src/app/server.ts) and the Lambda handler (src/app/lambda.ts) load; tests build their own
 * with `createApp(deps)` and injected dependencies.
 */

import { type ApplicationFunction, ProbotOctokit } from "probot";
import { createAwsIamPort } from "../adapters/aws-iam.ts";
import { type NetworkTimeouts, octokitWithTimeouts } from "../adapters/network-timeouts.ts";
import { createOctokitGitHub, type Octokit } from "../adapters/octokit-github.ts";
import { createSlackNotifier } from "../adapters/slack-notifier.ts";
import type { AwsPort } from "../ports/aws.ts";
import { createMemoryCache, type KeyValueCache } from "../ports/cache.ts";
import type { GitHubPort } from "../ports/github.ts";
import { registerApprovalHandlers } from "./approval-handlers.ts";
import { registerGrantHandlers } from "./grant-handlers.ts";

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
   * How long the handling of a merge may run (ms from the delivery's start): the grant stops at
   * `workMs` and telling its failure at `tellMs`, both inside the host's time limit. Default:
   * `mergeDeadlines` of HALLPASS_TIME_LIMIT_SECONDS.
   */
  mergeDeadlines?: MergeDeadlines;
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
 * Production dependencies, from the environment (APP_ID, HALLPASS_ACCESS_REPOSITORY, AWS_REGION,
 * the Slack webhook variable the policies name) and the system clock.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  // Five minutes bounds how long a team membership change can go unnoticed.
  const cache = createMemoryCache({ maxEntries: 5_000, ttlMs: 5 * 60_000 });
  const appId = env.APP_ID ? Number(env.APP_ID) : undefined;
  const timeLimit = env.HALLPASS_TIME_LIMIT_SECONDS?.trim() || String(DEFAULT_TIME_LIMIT_SECONDS);
  return {
    github: (octokit, repository) =>
      createOctokitGitHub(octokit, repository, {
        cache,
        ...(appId !== undefined && Number.isInteger(appId) ? { appId } : {}),
        ...(env.HALLPASS_ACCESS_REPOSITORY
          ? { accessRepository: env.HALLPASS_ACCESS_REPOSITORY.trim() }
          : {}),
      }),
    now: () => new Date(),
    cache,
    mergeDeadlines: mergeDeadlines(Number(timeLimit), timeLimit),
    ...(appId !== undefined && Number.isInteger(appId) ? { appId } : {}),
    ...(env.HALLPASS_ACCESS_REPOSITORY
      ? { accessRepository: env.HALLPASS_ACCESS_REPOSITORY.trim() }
      : {}),
    // Base credentials from the SDK's default chain; endpoints from its standard settings.
    aws: createAwsIamPort({
      brokerSessionName: "hallpass-app",
      ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    }),
    // Read at each alert, so the variable the current policies name is the one used.
    notifierFor: (envName) => {
      const webhookUrl = env[envName];
      if (!webhookUrl) return undefined;
      const notifier = createSlackNotifier({ webhookUrl });
      return (text) => notifier.notify(text);
    },
  };
}

/**
 * Probot's Octokit with the network timeouts on every request, the installation-token exchange
 * included, for `npm start` and the Lambda (the `Octokit` option of Probot).
 */
export function appOctokit(timeouts?: NetworkTimeouts): typeof ProbotOctokit {
  return ProbotOctokit.defaults(octokitWithTimeouts(timeouts));
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

/** Builds the app function with the given dependencies. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    registerApprovalHandlers(app, deps);
    registerGrantHandlers(app, deps);
  };
}

const hallpass: ApplicationFunction = (app, options) => createApp(defaultDeps())(app, options);

export default hallpass;
