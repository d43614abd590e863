import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { awsRequestHandler, DEFAULT_NETWORK_TIMEOUTS } from "../adapters/network-timeouts.ts";
import { kindOfPath, toRepoPath } from "../adapters/read-repo-files.ts";
import {
  AWS_CONSOLE_HOME,
  AWS_FEDERATION_ENDPOINT,
  type ConsoleCredentials,
  checkFederationEndpoint,
  consoleEligibility,
  consoleLoginUrl,
  readSigninToken,
  signinTokenUrl,
} from "../core/grant/console-sign-in.ts";
import { type GrantRecord, grantRecordSchema } from "../core/grant/records.ts";
import { formatDuration } from "../core/request/duration.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { errorMessage } from "../core/text/error-message.ts";
import { terminalText } from "../core/text/escape-terminal.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";
import { requireRepoRoot } from "./require-repo-root.ts";

const help = `Usage: hallpass console <request-file> [--destination <console URL>] [--open]

Signs you in to the AWS console with a live grant. Reads the grant record next
to the request file (pull the access repository first), assumes the grant's
role with your usual AWS credentials, the grant's session name and your GitHub
login as source identity (the trust policy requires both), asks AWS's
federation endpoint for a sign-in token, and prints the sign-in link.

The link works once, for 15 minutes, and signs in whoever opens it: treat it as
a password. The role session is STS's default hour (a longer one would make
AWS refuse the link to anyone who signs in through a role), and access ends at
the grant's expiry whatever the session's length; run the command again for
more.

Options:
  --destination <url>   the console page to open (default ${AWS_CONSOLE_HOME}).
  --open                open the link in the browser instead of printing it.
  -h, --help            show this help.

Environment:
  AWS_PROFILE, AWS_REGION and the other AWS SDK settings choose your credentials.
  HALLPASS_FEDERATION_ENDPOINT  another federation endpoint (a regional AWS one,
                        or a loopback stand-in for tests); default
                        ${AWS_FEDERATION_ENDPOINT}.

Exit codes: 0 signed in, 1 no live grant or AWS refused (on stderr), 2 usage error.

Example:
  hallpass console access-requests/alice/db.yaml --open
`;

/** `hallpass console`: a console sign-in link for a live grant. */
export const consoleCommand: Command = {
  name: "console",
  summary: "print (or open) an AWS console sign-in link for a live grant",
  help,
  run: runConsole,
};

async function runConsole(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: { destination: { type: "string" }, open: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError("give exactly one request file: hallpass console <request-file>.");
  }
  const destination = checkDestination(values.destination ?? AWS_CONSOLE_HOME);
  const endpoint = checkFederationEndpoint(
    io.env.HALLPASS_FEDERATION_ENDPOINT ?? AWS_FEDERATION_ENDPOINT,
  );
  if (typeof endpoint === "string")
    throw new UsageError(`HALLPASS_FEDERATION_ENDPOINT: ${endpoint}`);

  // 1. The grant, from git: only a recorded, unrevoked grant inside its window.
  const found = readGrant(positionals[0]!, io);
  if ("error" in found) return failWith(found.error, io);
  const eligible = consoleEligibility(found.grant, found.revoked, io.now());
  if (!eligible.ok) return failWith(eligible.reason, io);

  try {
    // 2. The role session, exactly as the usage comment's command makes it.
    const credentials = await assumeGrantRole(found.grant, io);
    // 3. The sign-in token, then the link.
    const token = await fetchSigninToken(endpoint, credentials);
    const link = consoleLoginUrl(endpoint, token, "hallpass", destination);
    if (values.open === true && io.openUrl) {
      await openWithoutShowing(io.openUrl, link);
      io.stderr(
        `Opened the AWS console as ${found.grant.sessionName} (${found.grant.sourceIdentity}).\n`,
      );
    } else {
      io.stdout(`${link}\n`);
      io.stderr(
        `Sign-in link for ${found.grant.roleArn} (works once, for 15 minutes; treat it as a password). The access ends in ${formatDuration(eligible.secondsLeft)}.\n`,
      );
    }
    return 0;
  } catch (error) {
    return failWith(`${found.grant.requestPath}: ${errorMessage(error)}`, io);
  }
}

/**
 * Opens the link in a browser. The link signs in whoever has it, and an opener's failure names
 * the command it ran, link included (Node's execFile: "Command failed: xdg-open <url>"), so the
 * error said is one of ours, without it.
 */
async function openWithoutShowing(
  openUrl: (url: string) => Promise<void>,
  link: string,
): Promise<void> {
  try {
    await openUrl(link);
  } catch {
    throw new Error(
      "could not open a browser with the sign-in link; run the command again without --open to print it",
    );
  }
}

/** Only AWS console pages: the link must not send a signed-in session somewhere else. */
function checkDestination(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:" || !/(^|\.)console\.aws\.amazon\.com$/.test(url.hostname)) {
    throw new UsageError(
      `--destination must be an AWS console page (https://console.aws.amazon.com/... or https://<region>.console.aws.amazon.com/...), not "${text}".`,
    );
  }
  return url.toString();
}

type FoundGrant = { grant: GrantRecord; revoked: boolean } | { error: string };

function readGrant(given: string, io: CliIo): FoundGrant {
  const root = requireRepoRoot(io.cwd);
  const requestPath = toRepoPath(root, resolve(io.cwd, given));
  if (requestPath === undefined || kindOfPath(requestPath) !== "request") {
    throw new UsageError(
      `${given} is not a request file (a .yaml or .yml file under access-requests/).`,
    );
  }
  if (!existsSync(join(root, requestPath))) {
    throw new UsageError(
      `${given}: no such request file (a typo, or your checkout is behind: git pull).`,
    );
  }
  const grantPath = recordPath(requestPath, "grant");
  if (!existsSync(join(root, grantPath))) {
    return {
      error: `${grantPath}: no grant record. The request is not granted yet, or your checkout is behind: git pull, then try again.`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(root, grantPath), "utf8"));
  } catch (error) {
    return { error: `${grantPath}: not JSON (${errorMessage(error)}).` };
  }
  const grant = grantRecordSchema.safeParse(parsed);
  if (!grant.success) return { error: `${grantPath}: not a grant record.` };
  if (grant.data.requestPath !== requestPath) {
    return { error: `${grantPath}: records ${grant.data.requestPath}, not ${requestPath}.` };
  }
  const revoked = existsSync(join(root, recordPath(requestPath, "revocation")));
  return { grant: grant.data, revoked };
}

/**
 * No DurationSeconds: AWS's federation endpoint refuses credentials from an AssumeRole that set
 * it unless the caller signed in as an IAM user with long-term keys, and most people sign in
 * through a role (IAM Identity Center). STS's default, one hour, works for every caller; the
 * grant role's expiry deny ends the console session at the expiry second whatever its length.
 */
async function assumeGrantRole(grant: GrantRecord, io: CliIo): Promise<ConsoleCredentials> {
  const sts = new STSClient({
    region: io.env.AWS_REGION ?? "us-east-1",
    requestHandler: awsRequestHandler(),
  });
  const answer = await sts.send(
    new AssumeRoleCommand({
      RoleArn: grant.roleArn,
      RoleSessionName: grant.sessionName,
      SourceIdentity: grant.sourceIdentity,
    }),
  );
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error("AssumeRole answered without credentials.");
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
}

async function fetchSigninToken(endpoint: URL, credentials: ConsoleCredentials): Promise<string> {
  const response = await fetch(signinTokenUrl(endpoint, credentials), {
    signal: AbortSignal.timeout(DEFAULT_NETWORK_TIMEOUTS.requestMs),
    redirect: "error",
  });
  if (!response.ok) {
    throw new Error(`the federation endpoint answered ${response.status} to getSigninToken.`);
  }
  const read = readSigninToken(await response.text());
  if ("error" in read) throw new Error(read.error);
  return read.token;
}

function failWith(message: string, io: CliIo): ExitCode {
  // The message may quote a path the user typed or a record names.
  io.stderr(`error: ${terminalText(message)}\n`);
  return 1;
}
