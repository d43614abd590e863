import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  isSymbolicLink,
  kindOfPath,
  listYamlFiles,
  POLICIES_DIRECTORY,
  readSourceFile,
  toRepoPath,
} from "../adapters/read-repo-files.ts";
import { planGrant } from "../core/grant/plan-grant.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import { validateRequest } from "../core/request/validate-request.ts";
import { hasErrors, type Problem } from "../core/source/problem.ts";
import { readIsoTime } from "../core/source/read-iso-time.ts";
import { painter, paintProblem } from "./colour.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";
import { requireRepoRoot } from "./require-repo-root.ts";

/** Stands in for the merge commit before there is one; the role name depends on it. */
const NO_MERGE_COMMIT = "0".repeat(40);

const help = `Usage: hallpass plan <request-file> [--at <ISO time>] [--merge-commit <sha>]
                     [--pull-request <number>] [--repository <owner/repo>]

Prints, as JSON, exactly what granting the request would create in AWS: the
role's name and path, the account, the trust policy, the inline policies (name
to document), the managed policies, the permissions boundary, the tags, the
maximum session length, the expiry, and the session name and source identity
the requester must use. The app grants with the same planner, so this is what
it creates.

Options:
  --at <time>            when the request is merged (ISO-8601 with an offset).
                         The window starts then unless the request names a
                         start. Default: now.
  --merge-commit <sha>   the merge commit. The role and session names derive
                         from it and the request path; without it they are
                         computed for a placeholder commit of zeros.
  --pull-request <n>     the pull request number, for the tags.
  --repository <o/r>     the access repository, for the tags.
  -h, --help             show this help.

Exit codes: 0 planned, 1 the request or policies have problems or the grant
could not be made (printed on stderr), 2 usage error.

Examples:
  hallpass plan access-requests/alice/db.yaml
  hallpass plan access-requests/alice/db.yaml --at 2026-11-27T09:00:00Z
`;

/** `hallpass plan`: the grant planner on the command line. */
export const planCommand: Command = {
  name: "plan",
  summary: "print the IAM role, policies and tags a request would be granted",
  help,
  run: runPlan,
};

async function runPlan(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: {
      at: { type: "string" },
      "merge-commit": { type: "string" },
      "pull-request": { type: "string" },
      repository: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError("give exactly one request file: hallpass plan <request-file>.");
  }
  const at = values.at === undefined ? io.now() : parseTime(values.at);
  const mergeCommit = values["merge-commit"] ?? NO_MERGE_COMMIT;
  if (!/^[0-9a-f]{7,64}$/i.test(mergeCommit)) {
    throw new UsageError(`--merge-commit must be a commit SHA, not "${mergeCommit}".`);
  }
  const pullRequest =
    values["pull-request"] === undefined ? undefined : Number(values["pull-request"]);
  if (pullRequest !== undefined && !(Number.isInteger(pullRequest) && pullRequest > 0)) {
    throw new UsageError(`--pull-request must be a number, not "${values["pull-request"]}".`);
  }

  const root = requireRepoRoot(io.cwd);
  const given = positionals[0]!;
  const absolute = resolve(io.cwd, given);
  const requestPath = toRepoPath(root, absolute);
  if (!existsSync(absolute)) throw new UsageError(`${given}: no such file.`);
  if (requestPath === undefined || kindOfPath(requestPath) !== "request") {
    throw new UsageError(
      `${given} is not a request file (a .yaml or .yml file under access-requests/).`,
    );
  }
  if (isSymbolicLink(absolute)) {
    throw new UsageError(`${given} is a symbolic link; plan the file itself.`);
  }

  const problems: Problem[] = [];
  const loaded = loadPolicies(
    listYamlFiles(root, POLICIES_DIRECTORY).map((path) => readSourceFile(root, path)),
  );
  problems.push(...loaded.problems);
  if (!loaded.policies) return fail(problems, io);

  // As at merge: "start is in the past" is a rule for submitting; the window check decides.
  const validated = validateRequest(readSourceFile(root, requestPath), loaded.policies, {
    now: new Date(0),
  });
  problems.push(...validated.problems);
  if (!validated.value || hasErrors(problems)) return fail(problems, io);

  const planned = planGrant(validated.value, loaded.policies, {
    mergeCommit,
    mergedAt: at,
    now: at,
    ...(pullRequest !== undefined ? { pullRequest } : {}),
    ...(values.repository ? { repository: values.repository } : {}),
  });
  problems.push(...planned.problems);
  if (!planned.plan) return fail(problems, io);
  for (const problem of problems)
    io.stderr(`${paintProblem(problem, painter(io.colour?.stderr === true))}\n`);
  if (mergeCommit === NO_MERGE_COMMIT) {
    io.stderr(
      "note: roleName, sessionName and the merge-commit tag depend on the merge commit; pass --merge-commit to see the real ones.\n",
    );
  }

  const plan = planned.plan;
  const output = {
    roleName: plan.roleName,
    rolePath: plan.rolePath,
    accountId: plan.accountId,
    trustPolicy: JSON.parse(plan.trustPolicy) as unknown,
    inlinePolicies: Object.fromEntries(
      Object.entries(plan.inlinePolicies).map(([name, doc]) => [name, JSON.parse(doc) as unknown]),
    ),
    managedPolicyArns: plan.managedPolicyArns,
    permissionsBoundary: plan.permissionsBoundary,
    tags: plan.tags,
    maxSessionDuration: plan.maxSessionDuration,
    expiresAt: plan.expiresAt,
    sessionName: plan.sessionName,
    sourceIdentity: plan.sourceIdentity,
  };
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  return 0;
}

function parseTime(text: string): Date {
  const reading = readIsoTime(text, { dateOnly: false });
  if (reading.kind === "impossible") {
    throw new UsageError(
      `--at must be a real date and time: "${text}" is not one. Write it like 2026-11-27T09:00:00Z.`,
    );
  }
  if (reading.kind === "not-iso") {
    throw new UsageError(
      `--at must be an ISO-8601 time with an offset (2026-11-27T09:00:00Z), not "${text}".`,
    );
  }
  return reading.time;
}

function fail(problems: Problem[], io: CliIo): ExitCode {
  for (const problem of problems)
    io.stderr(`${paintProblem(problem, painter(io.colour?.stderr === true))}\n`);
  return 1;
}
