import { retry } from "@octokit/plugin-retry";
import { Octokit } from "@octokit/rest";
import { revokeGrant } from "../workflows/revoke-grant.ts";
import type { SweepDeps } from "../workflows/sweep/run-sweep.ts";
import { cloudTrailClientFactory, createAwsCloudTrail, type Timing } from "./aws-cloudtrail.ts";
import { createAwsIamPort } from "./aws-iam.ts";
import { withMergedPullRequestLookup } from "./find-merged-pull-request.ts";
import { fetchWithTimeouts, type NetworkTimeouts } from "./network-timeouts.ts";
import { createOctokitGitHub, type Octokit as PortOctokit } from "./octokit-github.ts";
import { withGraphQlFileReads } from "./read-files-graphql.ts";
import { notifiersFrom, webhooksFrom } from "./slack-notifier.ts";

/**
 * The real adapters of a sweep, for the action and `hallpass sweep`: Octokit on the given token
 * and API URL (GitHub Enterprise Server: GITHUB_API_URL), the AWS SDK on the environment's
 * credentials (as aws-actions/configure-aws-credentials leaves them) assuming each account's
 * broker role, and the SDK's standard endpoint settings (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_CLOUDTRAIL).
 */
export interface SweepEnvironment {
  /** A token that may commit, comment and manage issues. */
  token: string;
  /** `owner/repo` of the access repository. */
  repository: string;
  /**
   * The hallpass GitHub App's id: only comments and issues this app wrote are edited or taken
   * for hallpass's own; a marker anyone else wrote is ignored.
   */
  appId: number;
  /** REST API root; `https://api.github.com` when undefined. */
  apiUrl: string | undefined;
  /** Where Slack webhook secrets are read from (named by policies). */
  env: Readonly<Record<string, string | undefined>>;
  /** Who the records name as revoker: `hallpass-action`, or the CLI user's login. */
  actor: string;
  /** Injectable time for CloudTrail pacing (tests); real time otherwise. */
  timing?: Timing;
  /** Connect and request timeouts of every GitHub, AWS and Slack call. Default DEFAULT_NETWORK_TIMEOUTS. */
  timeouts?: NetworkTimeouts;
  /** Retries of a failed GitHub request (5xx, timeouts). Default plugin-retry's (3); tests pass 0. */
  githubRetries?: number;
  log?: (line: string) => void;
}

// @octokit/rest brings pagination and the REST methods; retry covers GitHub's 5xx and timeouts.
const SweepOctokit = Octokit.plugin(retry);

/**
 * The GitHub App's id from where a deployment sets it (`source` names that place in the
 * error: the action's `app-id` input, the CLI's `--app-id`), or an error saying what to set.
 */
export function parseAppId(text: string | undefined, source: string): number {
  const value = (text ?? "").trim();
  if (!/^[1-9][0-9]{0,15}$/.test(value)) {
    throw new Error(
      `${source} must be the hallpass GitHub App's numeric id (its settings page, "App ID"; ${value === "" ? "it is empty" : `not "${value}"`}): the sweep edits only comments and issues that app wrote.`,
    );
  }
  return Number(value);
}

/** Builds the sweep's dependencies from the environment. */
export function createSweepDeps(environment: SweepEnvironment): SweepDeps {
  const [owner, repo] = environment.repository.split("/");
  if (!owner || !repo) {
    throw new Error(
      `repository "${environment.repository}" is not owner/repo (GITHUB_REPOSITORY, or --repository for the CLI).`,
    );
  }
  const octokit = new SweepOctokit({
    auth: environment.token,
    baseUrl: (environment.apiUrl ?? "https://api.github.com").replace(/\/$/, ""),
    userAgent: "hallpass-sweep",
    // @octokit/rest's request log prints every failed request (an expected 404 included) with
    // console.error; the sweep reports the failures that matter itself, in its own words.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: () => {} },
    request: { fetch: fetchWithTimeouts(environment.timeouts) },
    ...(environment.githubRetries !== undefined
      ? { retry: { retries: environment.githubRetries } }
      : {}),
  });
  const portOctokit: PortOctokit = octokit;
  const github = withMergedPullRequestLookup(
    withGraphQlFileReads(
      createOctokitGitHub(portOctokit, { owner, repo }, { appId: environment.appId }),
      (query, variables) => octokit.graphql(query, variables),
    ),
    portOctokit,
  );
  const timeouts = environment.timeouts ? { timeouts: environment.timeouts } : {};
  const aws = createAwsIamPort({ brokerSessionName: environment.actor, ...timeouts });
  const cloudtrail = createAwsCloudTrail({
    clientFor: cloudTrailClientFactory({ brokerSessionName: environment.actor, ...timeouts }),
    ...(environment.timing ? { timing: environment.timing } : {}),
  });
  return {
    github,
    aws,
    cloudtrail,
    revokeGrant: (request, { branch }) =>
      revokeGrant({ github, aws, actor: environment.actor, branch }, request),
    notifierFor: notifiersFrom(environment.env, timeouts, (envName) =>
      environment.log?.(
        `policies name ${envName} for Slack alerts, but it is not set: alerts go to PR comments only.`,
      ),
    ),
    webhookFor: webhooksFrom(environment.env, timeouts),
    ...(environment.log ? { log: environment.log } : {}),
  };
}
