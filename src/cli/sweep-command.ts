import {
  checkGitHubAccess,
  describeGitHubError,
  type GitHubAccess,
  GitHubAccessError,
} from "../adapters/check-github-access.ts";
import {
  createSweepDeps,
  parseAppId,
  type SweepEnvironment,
} from "../adapters/create-sweep-deps.ts";
import { parseDuration } from "../core/request/duration.ts";
import { renderSweepSummary } from "../core/sweep/render-sweep-summary.ts";
import { SweepConfigError, type SweepDeps, sweep } from "../workflows/sweep/run-sweep.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";

const help = `Usage: hallpass sweep [--dry-run] [--repository <owner/repo>] [--app-id <id>]
                      [--accounts <names>] [--audit-delay <duration>] [--format text|json]

Runs one sweep of the scheduled action from your machine: revokes expired
grants, revokes and alerts on roles git does not explain or that were changed
by hand, tells the pull requests of merged requests that were never granted,
watches grants' CloudTrail activity, writes the audit summaries that are due,
and rewrites the dashboard issue. With --dry-run it reads and plans, prints
what it would do, and changes nothing in AWS or GitHub (it still reads both).

GitHub: a token in $GITHUB_TOKEN (or $GH_TOKEN) that may commit, comment and
manage issues; $GITHUB_API_URL for GitHub Enterprise Server. AWS: the SDK's
usual credentials (environment, profile, SSO) allowed to assume each account's
broker role (deploy/account-setup.yaml's broker trusts only the app's principal
and that account's hallpass-action role); AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE> are honoured.

Options:
  --dry-run                 plan only; change nothing.
  --repository <owner/repo> the access repository; default: $GITHUB_REPOSITORY,
                            then the GitHub remote "origin" of this checkout.
  --app-id <id>             the hallpass GitHub App's id; default $HALLPASS_APP_ID.
                            Only comments and issues that app wrote are edited or
                            taken for hallpass's own.
  --accounts <names>        comma-separated account names (a shard); default all.
  --audit-delay <duration>  overrides settings.auditDelay ("30m", "PT1H").
  --format text|json        text (default): the summary in Markdown; json: the
                            full report.
  -h, --help                show this help.

Every option is checked before the first network call; then one request checks
that the API answers and the token may read the repository, so a wrong
GITHUB_API_URL, token or repository fails at once, naming it.

Exit codes: 0 done without problems, 1 problems (listed, or GitHub could not be
reached), 2 usage error.

Examples:
  hallpass sweep --dry-run --app-id 123456
  GITHUB_TOKEN=$(gh auth token) HALLPASS_APP_ID=123456 hallpass sweep --accounts production
`;

/**
 * `owner/repo` of a GitHub remote (`https://host/owner/repo(.git)`, `git@host:owner/repo`,
 * `ssh://git@host/owner/repo`), or why not: a local path or `file://` remote names a folder,
 * and its last two folder names are no repository to sweep.
 */
function repositoryOfRemote(url: string): { repository: string } | { problem: string } {
  const remote = `the remote "origin" of this checkout is ${url}`;
  const https =
    /^(?:https?|ssh|git):\/\/(?:[^@/\s]+@)?[^/\s]+\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url);
  const scp = /^(?:[^@/\s]+@)?[^:/\s]+:([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url);
  const match = https ?? scp;
  if (match) return { repository: `${match[1]}/${match[2]}` };
  const local = /^(?:file:|[./~]|[A-Za-z]:[\\/])/.test(url) || !url.includes(":");
  return {
    problem: `${remote}, ${local ? "a local path" : "not a GitHub URL"}, so the repository cannot be inferred: pass --repository owner/repo (or set GITHUB_REPOSITORY).`,
  };
}

/** Everything a sweep run needs, checked before any network call. */
interface SweepOptions {
  token: string;
  repository: string;
  appId: number;
  dryRun: boolean;
  accounts: string[];
  auditDelay: string | undefined;
  format: "text" | "json";
}

/** Reads and checks every option and setting; throws a UsageError naming the first problem. */
async function readSweepOptions(args: string[], io: CliIo): Promise<SweepOptions> {
  const { values } = parseOptions({
    args,
    options: {
      "dry-run": { type: "boolean", default: false },
      repository: { type: "string" },
      "app-id": { type: "string" },
      accounts: { type: "string" },
      "audit-delay": { type: "string" },
      format: { type: "string", default: "text" },
    },
    strict: true,
  });
  const format = values.format;
  if (format !== "text" && format !== "json") {
    throw new UsageError(`--format must be text or json, not "${format}".`);
  }
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) {
    throw new UsageError(
      "no GitHub token: set GITHUB_TOKEN (for example GITHUB_TOKEN=$(gh auth token)).",
    );
  }
  const repository = await readRepository(values.repository, io);
  let appId: number;
  try {
    appId = parseAppId(values["app-id"] ?? io.env.HALLPASS_APP_ID, "--app-id (or HALLPASS_APP_ID)");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const accounts = (values.accounts ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const badAccount = accounts.find((a) => !ACCOUNT_NAME.test(a));
  if (badAccount !== undefined) {
    throw new UsageError(
      `--accounts: "${badAccount}" is not an account name (lower-case letters, digits and hyphens, as in policies/); separate names with commas.`,
    );
  }
  const auditDelay = values["audit-delay"];
  if (auditDelay !== undefined) {
    const parsed = parseDuration(auditDelay);
    if (!parsed.ok) throw new UsageError(`--audit-delay: ${parsed.message}`);
  }
  if (io.env.GITHUB_API_URL !== undefined && !/^https?:\/\/[^/\s]+/.test(io.env.GITHUB_API_URL)) {
    throw new UsageError(
      `GITHUB_API_URL must be an http(s) URL such as https://ghe.example.com/api/v3, not "${io.env.GITHUB_API_URL}".`,
    );
  }
  return { token, repository, appId, dryRun: values["dry-run"], accounts, auditDelay, format };
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]*$/;

async function readRepository(given: string | undefined, io: CliIo): Promise<string> {
  const which = (source: string, value: string) =>
    new UsageError(`${source} must be owner/repo, not "${value}". Pass --repository owner/repo.`);
  if (given !== undefined) {
    if (!OWNER_REPO.test(given)) throw which("--repository", given);
    return given;
  }
  if (io.env.GITHUB_REPOSITORY) {
    if (!OWNER_REPO.test(io.env.GITHUB_REPOSITORY)) {
      throw which("GITHUB_REPOSITORY", io.env.GITHUB_REPOSITORY);
    }
    return io.env.GITHUB_REPOSITORY;
  }
  const remote = await io.gitConfig("remote.origin.url");
  if (remote === undefined) {
    throw new UsageError(
      "which repository? Pass --repository owner/repo (or run inside a checkout of the access repository).",
    );
  }
  const inferred = repositoryOfRemote(remote);
  if ("problem" in inferred) throw new UsageError(inferred.problem);
  return inferred.repository;
}

const OWNER_REPO = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/** Builds the command; tests pass fakes instead of the real adapters. */
export function createSweepCommand(
  makeDeps: (environment: SweepEnvironment) => SweepDeps = createSweepDeps,
  checkAccess: (access: GitHubAccess) => Promise<void> = checkGitHubAccess,
): Command {
  return {
    name: "sweep",
    summary:
      "run the scheduled action's sweep once (revoke, reconcile, watch, audit); --dry-run plans only",
    help,
    async run(args: string[], io: CliIo): Promise<ExitCode> {
      const options = await readSweepOptions(args, io);
      const fail = (message: string): ExitCode => {
        io.stderr(`hallpass sweep: ${message}\n`);
        return 1;
      };
      const { token, repository } = options;
      try {
        await checkAccess({ apiUrl: io.env.GITHUB_API_URL, repository, token });
      } catch (error) {
        if (error instanceof GitHubAccessError) return fail(error.message);
        throw error;
      }
      const deps = makeDeps({
        token,
        repository,
        appId: options.appId,
        apiUrl: io.env.GITHUB_API_URL,
        env: io.env,
        actor: "hallpass-cli",
        log: (line) => io.stderr(`${line}\n`),
      });
      let report: Awaited<ReturnType<typeof sweep>>;
      try {
        report = await sweep(deps, {
          now: io.now(),
          dryRun: options.dryRun,
          ...(options.accounts.length > 0 ? { accounts: options.accounts } : {}),
          ...(options.auditDelay ? { auditDelay: options.auditDelay } : {}),
        });
      } catch (error) {
        if (error instanceof SweepConfigError) return fail(error.message);
        const described = describeGitHubError(error, repository);
        if (described !== undefined) return fail(described);
        throw error;
      }
      io.stdout(
        options.format === "json"
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${renderSweepSummary(report)}\n`,
      );
      return report.issues.length > 0 ? 1 : 0;
    },
  };
}

/** `hallpass sweep`: the scheduled action's work, run once from the command line. */
export const sweepCommand: Command = createSweepCommand();
