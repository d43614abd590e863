import {
  createSweepDeps,
  parseAppId,
  type SweepEnvironment,
} from "../adapters/create-sweep-deps.ts";
import { renderSweepSummary } from "../core/render-sweep-summary.ts";
import { SweepConfigError, type SweepDeps, sweep } from "../workflows/sweep.ts";
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

Exit codes: 0 done without problems, 1 problems (listed), 2 usage error.

Examples:
  hallpass sweep --dry-run --app-id 123456
  GITHUB_TOKEN=$(gh auth token) HALLPASS_APP_ID=123456 hallpass sweep --accounts production
`;

/** Parses `owner/repo` out of a GitHub remote URL (https or ssh). */
function repositoryOfRemote(url: string | undefined): string | undefined {
  const match = /[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/.exec(url ?? "");
  return match?.[1];
}

/** Builds the command; tests pass fakes instead of the real adapters. */
export function createSweepCommand(
  makeDeps: (environment: SweepEnvironment) => SweepDeps = createSweepDeps,
): Command {
  return {
    name: "sweep",
    summary:
      "run the scheduled action's sweep once (revoke, reconcile, watch, audit); --dry-run plans only",
    help,
    async run(args: string[], io: CliIo): Promise<ExitCode> {
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
      if (values.format !== "text" && values.format !== "json") {
        throw new UsageError(`--format must be text or json, not "${values.format}".`);
      }
      const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
      if (!token) {
        throw new UsageError(
          "no GitHub token: set GITHUB_TOKEN (for example GITHUB_TOKEN=$(gh auth token)).",
        );
      }
      const repository =
        values.repository ??
        io.env.GITHUB_REPOSITORY ??
        repositoryOfRemote(await io.gitConfig("remote.origin.url"));
      if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
        throw new UsageError(
          "which repository? Pass --repository owner/repo (or run inside a checkout of the access repository).",
        );
      }
      let appId: number;
      try {
        appId = parseAppId(
          values["app-id"] ?? io.env.HALLPASS_APP_ID,
          "--app-id (or HALLPASS_APP_ID)",
        );
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const deps = makeDeps({
        token,
        repository,
        appId,
        apiUrl: io.env.GITHUB_API_URL,
        env: io.env,
        actor: "hallpass-cli",
        log: (line) => io.stderr(`${line}\n`),
      });
      const accounts = (values.accounts ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean);
      let report: Awaited<ReturnType<typeof sweep>>;
      try {
        report = await sweep(deps, {
          now: io.now(),
          dryRun: values["dry-run"],
          ...(accounts.length > 0 ? { accounts } : {}),
          ...(values["audit-delay"] ? { auditDelay: values["audit-delay"] } : {}),
        });
      } catch (error) {
        if (error instanceof SweepConfigError) {
          io.stderr(`hallpass sweep: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
      io.stdout(
        values.format === "json"
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${renderSweepSummary(report)}\n`,
      );
      return report.issues.length > 0 ? 1 : 0;
    },
  };
}

/** `hallpass sweep`: the scheduled action's work, run once from the command line. */
export const sweepCommand: Command = createSweepCommand();
