import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  kindOfPath,
  listYamlFiles,
  POLICIES_DIRECTORY,
  REQUESTS_DIRECTORY,
  readSourceFile,
  toRepoPath,
} from "../adapters/read-repo-files.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import { requestTwinPath } from "../core/request/record-paths.ts";
import { renderRequestFile } from "../core/request/render-request-file.ts";
import type { AccessRequest } from "../core/request/request-format.ts";
import { validateRequest } from "../core/request/validate-request.ts";
import { hasErrors, type Problem } from "../core/source/problem.ts";
import { painter, paintProblem, paintSeverity } from "./colour.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";
import { requireRepoRoot } from "./require-repo-root.ts";

const help = `Usage: hallpass new --role <role> --account <account> --duration <duration>
                    --reason <text> [--ticket <id>] [--start <time>] [--emergency]
                    [--requester <login>] [--output <path>]

Writes a new access-request file, checked against the repository's policies
before it is written, and prints the git and gh commands that open its pull
request. Never overwrites a file.

Options:
  --role <role>          a role defined in policies/ (for example prod-readonly)
  --account <account>    an account the role allows (for example production)
  --duration <duration>  how long: 2h, 90m, 1d, 1h30m or ISO-8601 (PT2H)
  --reason <text>        why, in words a reviewer can judge
  --ticket <id>          incident or change ticket (required by some roles)
  --start <time>         ISO-8601 time with offset; default: when merged
  --emergency            break-glass request, where the role allows it
  --requester <login>    your GitHub login; default: $HALLPASS_REQUESTER, then
                         \`git config github.user\`
  --output <path>        where to write; default:
                         access-requests/<login>/<date>-<role>-<account>.yaml
  -h, --help             show this help.

Exit codes: 0 written, 1 the request would be invalid or the file exists,
2 usage error.

Examples:
  hallpass new --role prod-readonly --account production --duration 2h \\
    --reason "Investigate elevated p99 latency on the checkout API"
  hallpass new --role db-admin --account production --duration 90m --ticket CHG-4821 \\
    --reason "Fail over the orders database before storage maintenance" --requester bob-acme
  hallpass new --role break-glass-admin --account production --duration 1h --emergency \\
    --ticket INC-311 --reason "Checkout is down: restore the deleted load balancer listener"
`;

/** `hallpass new`: writes a valid request file from flags. */
export const newCommand: Command = {
  name: "new",
  summary: "write a new access-request file from flags, validated before it is written",
  help,
  run: runNew,
};

async function runNew(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: {
      role: { type: "string" },
      account: { type: "string" },
      duration: { type: "string" },
      reason: { type: "string" },
      ticket: { type: "string" },
      start: { type: "string" },
      emergency: { type: "boolean" },
      requester: { type: "string" },
      output: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; every value is given by a flag.`,
    );
  }
  const missing = (["role", "account", "duration", "reason"] as const).filter(
    (name) => values[name] === undefined || values[name].trim() === "",
  );
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}.`);
  }
  const root = requireRepoRoot(io.cwd);
  const requester = await requesterOf(values.requester, io);

  const request: AccessRequest = {
    requester: requester.login,
    role: values.role!.trim(),
    account: values.account!.trim(),
    duration: values.duration!.trim(),
    reason: values.reason!.trim(),
    ...(values.ticket === undefined ? {} : { ticket: values.ticket.trim() }),
    ...(values.start === undefined ? {} : { start: values.start.trim() }),
    ...(values.emergency ? { emergency: true } : {}),
  };
  const now = io.now();
  const path = outputPath(root, request, now, values.output, io);
  const content = render(path, request);

  const policyFiles = listYamlFiles(root, POLICIES_DIRECTORY).map((p) => readSourceFile(root, p));
  const { policies, problems: policyProblems } = loadPolicies(policyFiles);
  if (!policies) {
    for (const problem of policyProblems)
      io.stderr(`${paintProblem(problem, painter(io.colour?.stderr === true))}\n`);
    io.stderr(
      "\nThe repository's policies have errors, so no request can be checked; nothing was written.\n",
    );
    return 1;
  }
  const { problems } = validateRequest({ path, content }, policies, { now });
  if (hasErrors(problems)) {
    io.stderr("The request would not be valid; nothing was written:\n");
    for (const problem of problems) io.stderr(`  ${describeForFlags(problem, requester, io)}\n`);
    return 1;
  }

  mkdirSync(dirname(join(root, path)), { recursive: true });
  try {
    // "wx": fail if the file exists, even if it appeared since the check above.
    writeFileSync(join(root, path), content, { flag: "wx" });
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") {
      io.stderr(
        `${path} already exists; hallpass never overwrites a request. Choose another --output.\n`,
      );
      return 1;
    }
    throw error;
  }

  const branch = `hallpass/${path
    .replace(/^access-requests\//, "")
    .replace(/\.ya?ml$/, "")
    .replace(/[^A-Za-z0-9._/-]/g, "-")}`;
  const title = `Access: ${request.role} in ${request.account} for ${request.duration}${request.emergency ? " (emergency)" : ""}`;
  const shownPath = relative(io.cwd, join(root, path)) || path;
  io.stdout(`Wrote ${shownPath}

Open the pull request:
  git switch -c ${quote(branch)}
  git add ${quote(shownPath)}
  git commit -m ${quote(title)}
  git push -u origin HEAD
  gh pr create --fill
`);
  return 0;
}

/**
 * The validator's advice is written for a request file ('add a "ticket:" line'); whoever ran
 * `new` typed flags, so the same advice is given in flags. Each `file` is the validator's exact
 * phrase (test/cli/new-command.test.ts pins every one), so `validate` keeps its own words.
 */
const FLAG_ADVICE: readonly { field: string; file: RegExp; flag: string }[] = [
  {
    field: "ticket",
    file: /add a "ticket:" line( matching .*)? with the incident or change id/,
    flag: "give --ticket <id> with the incident or change id$1",
  },
  { field: "emergency", file: /remove "emergency: true"/, flag: "drop --emergency" },
  { field: "start", file: /remove start\b/, flag: "drop --start" },
];

/** One problem of the request, named by the flag it came from and advised in flags. */
function describeForFlags(problem: Problem, requester: { source?: string }, io: CliIo): string {
  const flag =
    problem.field === undefined
      ? ""
      : problem.field === "requester" && requester.source !== undefined
        ? `--requester (from ${requester.source}): `
        : `--${problem.field}: `;
  const message = FLAG_ADVICE.filter((advice) => advice.field === problem.field).reduce(
    (text, advice) => text.replace(advice.file, advice.flag),
    problem.message,
  );
  const severity = paintSeverity(problem.severity, painter(io.colour?.stderr === true));
  return `${severity}: ${flag}${message}`;
}

function outputPath(
  root: string,
  request: AccessRequest,
  now: Date,
  output: string | undefined,
  io: CliIo,
): string {
  if (output !== undefined) {
    const repoPath = toRepoPath(root, resolve(io.cwd, output));
    if (repoPath === undefined || kindOfPath(repoPath) !== "request") {
      throw new UsageError(
        `--output must be a .yaml or .yml file under ${REQUESTS_DIRECTORY}/ in the repository, not ${output}.`,
      );
    }
    if (existsSync(join(root, requestTwinPath(repoPath)))) {
      throw new UsageError(
        `${requestTwinPath(repoPath)} already exists and shares its records with ${repoPath} (the extension is not part of a request's name); choose another --output.`,
      );
    }
    return repoPath;
  }
  const date = now.toISOString().slice(0, 10);
  const safe = (text: string) => text.replace(/[^A-Za-z0-9-]/g, "-");
  const base = `${REQUESTS_DIRECTORY}/${safe(request.requester)}/${date}-${safe(request.role)}-${safe(request.account)}`;
  const existing = new Set(listYamlFiles(root, REQUESTS_DIRECTORY));
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${base}.yaml` : `${base}-${n}.yaml`;
    // A `.yml` twin holds the same record paths: the new request could never be granted.
    if (!existing.has(candidate) && !existing.has(requestTwinPath(candidate))) return candidate;
  }
}

/**
 * The requester's login: `--requester`, else $HALLPASS_REQUESTER, else `git config
 * github.user`, with where it came from when it was not the flag (a problem with it names that
 * source, since the person never typed the login).
 */
async function requesterOf(
  flag: string | undefined,
  io: CliIo,
): Promise<{ login: string; source?: string }> {
  const fromEnv = io.env.HALLPASS_REQUESTER;
  const [login, source] =
    flag !== undefined
      ? [flag, undefined]
      : fromEnv !== undefined
        ? [fromEnv, "$HALLPASS_REQUESTER"]
        : [await io.gitConfig("github.user"), "git config github.user"];
  if (login === undefined || login.trim() === "") {
    throw new UsageError(
      "could not tell your GitHub login: pass --requester <login>, or set it once with `git config --global github.user <login>`.",
    );
  }
  return source === undefined ? { login: login.trim() } : { login: login.trim(), source };
}

/** The file's text: the editor schema line, then the fields in the documented order. */
function render(path: string, request: AccessRequest): string {
  const schema = relative(dirname(path), `${REQUESTS_DIRECTORY}/schema.json`) || "schema.json";
  return renderRequestFile(request, { schema });
}

/** Quotes a value for a POSIX shell when it needs it. */
function quote(text: string): string {
  return /^[A-Za-z0-9._/:=@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
