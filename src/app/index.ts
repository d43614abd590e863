/**
 * The hallpass GitHub App (Probot). The default export is the app function that `npm start`
 * (src/app/server.ts) and the Lambda handler (src/app/lambda.ts) load; tests build their own
 * with `createApp(deps)` and injected dependencies.
 */

import { type ApplicationFunction, ProbotOctokit } from "probot";
import { createAwsIamPort } from "../adapters/aws-iam.ts";
import { readIamActionCatalogue } from "../adapters/iam-action-catalogue.ts";
import { type NetworkTimeouts, octokitWithTimeouts } from "../adapters/network-timeouts.ts";
import { createOctokitGitHub } from "../adapters/octokit-github.ts";
import { notifiersFrom, webhooksFrom } from "../adapters/slack-notifier.ts";
import { unspacedGraphQlReads } from "../adapters/unspaced-graphql-reads.ts";
import { createMemoryCache } from "../ports/cache.ts";
import { type AppDeps, DEFAULT_TIME_LIMIT_SECONDS, mergeDeadlines } from "./app-deps.ts";
import { registerApprovalHandlers } from "./approval-handlers.ts";
import { registerGrantHandlers } from "./grant-handlers.ts";
import { registerIssueFormHandlers } from "./issue-form-handlers.ts";

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
        // The Probot Octokit of an event: queries skip the write spacing (see the adapter).
        graphqlReads: unspacedGraphQlReads(octokit as ProbotOctokit),
        ...(appId !== undefined && Number.isInteger(appId) ? { appId } : {}),
        ...(env.HALLPASS_ACCESS_REPOSITORY
          ? { accessRepository: env.HALLPASS_ACCESS_REPOSITORY.trim() }
          : {}),
      }),
    now: () => new Date(),
    cache,
    readActionCatalogue: readIamActionCatalogue,
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
    notifierFor: notifiersFrom(env),
    // The channels' webhooks: variables of the environment, or keys of the app's secret.
    webhookFor: webhooksFrom(env),
  };
}

/**
 * Probot's Octokit with the network timeouts on every request, the installation-token exchange
 * included, for `npm start` and the Lambda (the `Octokit` option of Probot).
 */
export function appOctokit(timeouts?: NetworkTimeouts): typeof ProbotOctokit {
  return ProbotOctokit.defaults(octokitWithTimeouts(timeouts));
}

/** Builds the app function with the given dependencies. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    registerApprovalHandlers(app, deps);
    registerGrantHandlers(app, deps);
    registerIssueFormHandlers(app, deps);
  };
}

export {
  type AppDeps,
  DEFAULT_TIME_LIMIT_SECONDS,
  isAccessRepository,
  type MergeDeadlines,
  mergeDeadlines,
} from "./app-deps.ts";

const hallpass: ApplicationFunction = (app, options) => createApp(defaultDeps())(app, options);

export default hallpass;
