import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  isSymbolicLink,
  kindOfPath,
  listYamlFiles,
  POLICIES_DIRECTORY,
  REQUESTS_DIRECTORY,
  readSourceFile,
  toRepoPath,
} from "../adapters/read-repo-files.ts";
import { issueFormOf, staleFormProblem } from "../adapters/repository-issue-form.ts";
import { validateRepository } from "../core/request/validate-repository.ts";
import { hasErrors, type Problem } from "../core/source/problem.ts";
import type { SourceFile } from "../core/source/source-file.ts";
import { countOf } from "../core/text/count-of.ts";
import { painter, paintProblem } from "./colour.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";
import { requireRepoRoot } from "./require-repo-root.ts";

const help = `Usage: hallpass validate [paths...] [--format text|json]

Checks access-request files against the repository's policies, and the policies
themselves: YAML syntax, the schema, then every rule (the role and account exist,
the duration is within the role's limit, the requester has an identity, ...).
Every problem is printed as path:line:column: severity: message.

With no paths, checks every request under access-requests/ and every policy
file under policies/, and that the access-request issue form (when there is
one) is the one the policies generate (\`hallpass form\` rewrites it). Paths
may be files or folders. The policies are always all loaded, because a request
is judged against all of them.

Options:
  --format text|json  text (default): problems on stderr, a summary on stdout.
                      json: one JSON object on stdout with every problem.
  -h, --help          show this help.

Exit codes: 0 valid (warnings allowed), 1 problems found, 2 usage error.

Examples:
  hallpass validate
  hallpass validate access-requests/alice-acme/prod-readonly-latency.yaml
  hallpass validate policies/ --format json
`;

/** `hallpass validate`: the validator on the command line. */
export const validateCommand: Command = {
  name: "validate",
  summary: "check request and policy files, pointing at the line of each problem",
  help,
  run: runValidate,
};

async function runValidate(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: { format: { type: "string", default: "text" } },
    allowPositionals: true,
    strict: true,
  });
  const format = values.format;
  if (format !== "text" && format !== "json") {
    throw new UsageError(`--format must be text or json, not "${format}".`);
  }
  const root = requireRepoRoot(io.cwd);

  const targets = positionals.length === 0 ? allFiles(root) : namedFiles(root, positionals, io);
  const problems: Problem[] = [];
  const read = (paths: string[]): SourceFile[] => {
    const files: SourceFile[] = [];
    for (const path of paths) {
      // A link could point outside the repository, and GitHub shows it as a path, not a file.
      if (isSymbolicLink(join(root, path))) {
        problems.push(fileProblem(path, symbolicLinkMessage));
        continue;
      }
      try {
        files.push(readSourceFile(root, path));
      } catch (error) {
        problems.push(fileProblem(path, `could not be read: ${(error as Error).message}`));
      }
    }
    return files;
  };
  const result = validateRepository(
    { policyFiles: read(targets.policies), requestFiles: read(targets.requests) },
    { now: io.now() },
  );
  problems.push(...result.problems);
  // A committed form the policies no longer generate offers other choices than they allow.
  if (positionals.length === 0 && result.policies) {
    // The policies just validated, not read and loaded a second time.
    const form = issueFormOf(root, result.policies);
    if (form.stale && form.current !== undefined) {
      problems.push(staleFormProblem());
    }
  }
  const failed = hasErrors(problems);

  if (format === "json") {
    io.stdout(
      `${JSON.stringify(
        {
          valid: !failed,
          requests: targets.requests,
          policies: targets.policies,
          problems,
        },
        null,
        2,
      )}\n`,
    );
    return failed ? 1 : 0;
  }

  for (const problem of problems)
    io.stderr(`${paintProblem(problem, painter(io.colour?.stderr === true))}\n`);
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const checked = `${countOf(targets.requests.length, "request")} and ${countOf(targets.policies.length, "policy file")}`;
  if (failed) {
    io.stderr(
      `\n${countOf(errors, "error")}${warnings > 0 ? `, ${countOf(warnings, "warning")}` : ""} in ${checked}.\n`,
    );
    return 1;
  }
  io.stdout(`${checked} valid${warnings > 0 ? ` (${countOf(warnings, "warning")})` : ""}.\n`);
  return 0;
}

interface Targets {
  requests: string[];
  policies: string[];
}

function allFiles(root: string): Targets {
  return {
    requests: listYamlFiles(root, REQUESTS_DIRECTORY),
    policies: listYamlFiles(root, POLICIES_DIRECTORY),
  };
}

function namedFiles(root: string, paths: string[], io: CliIo): Targets {
  const requests = new Set<string>();
  for (const given of paths) {
    const absolute = resolve(io.cwd, given);
    const repoPath = toRepoPath(root, absolute);
    if (!existsSync(absolute)) throw new UsageError(`${given}: no such file or folder.`);
    if (repoPath === undefined) {
      throw new UsageError(`${given} is outside the access repository at ${root}.`);
    }
    if (!isSymbolicLink(absolute) && statSync(absolute).isDirectory()) {
      const inside = listYamlFiles(root, repoPath).filter((p) => kindOfPath(p) !== undefined);
      if (inside.length === 0) throw new UsageError(`${given} holds no request or policy files.`);
      // Policy files need no listing: the policies are always all loaded and checked.
      for (const path of inside) if (kindOfPath(path) === "request") requests.add(path);
      continue;
    }
    const kind = kindOfPath(repoPath);
    if (kind === undefined) {
      throw new UsageError(
        `${given} is not a request or policy file: those are .yaml or .yml files under ${REQUESTS_DIRECTORY}/ or ${POLICIES_DIRECTORY}/.`,
      );
    }
    if (kind === "request") requests.add(repoPath);
  }
  return { requests: [...requests].sort(), policies: listYamlFiles(root, POLICIES_DIRECTORY) };
}

const symbolicLinkMessage =
  "is a symbolic link; hallpass reads only plain files, as a pull request shows them. Commit the file itself.";

function fileProblem(path: string, message: string): Problem {
  return { file: path, line: 1, column: 1, severity: "error", message };
}
