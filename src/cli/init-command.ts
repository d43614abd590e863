import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  findRepoRoot,
  listYamlFiles,
  POLICIES_DIRECTORY,
  REQUESTS_DIRECTORY,
  readSourceFile,
} from "../adapters/read-repo-files.ts";
import { readRepositoryIssueForm, writeIssueForm } from "../adapters/repository-issue-form.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import { ISSUE_FORM_LABEL, ISSUE_FORM_PATH } from "../core/request/issue-form-fields.ts";
import {
  type OwnRepositoryOptions,
  type OwnRepositoryPlan,
  planOwnRepository,
} from "../core/setup/plan-own-repository.ts";
import { formatProblem, hasErrors } from "../core/source/problem.ts";
import type { CliIo, Command, ExitCode } from "./command.ts";
import { UsageError } from "./command.ts";
import { parseOptions } from "./parse-options.ts";

const help = `Usage: hallpass init --org ORG --account NAME=ID [--account NAME=ID ...]
                     [--region REGION ...] [--identity LOGIN=ARN ...] [--dry-run]

Turns this template, as shipped with its example organisation "acme", into your
organisation's access repository:
  - policies/accounts.yaml: your AWS accounts (broker role hallpass-broker, as
    deploy/account-setup.yaml creates it), in the regions given;
  - policies/identities.yaml: the people given with --identity (none: add them later);
  - policies/roles.yaml and .github/CODEOWNERS: @acme/sre, @acme/dba and
    @acme/security become @ORG/sre, @ORG/dba and @ORG/security; each example role
    keeps those of its accounts you have (all of yours when it has none);
  - .github/workflows/hallpass-sweep.yml: one sweep shard per account;
  - deletes the example requests and their records under access-requests/, and
    .github/workflows/release.yml (it publishes the hallpass action itself).
The new policies are validated first: when they have errors, nothing is written.
Runs once: it refuses a repository whose CODEOWNERS no longer names @acme.

Options:
  --org ORG            your GitHub organisation (its teams own requests and policies).
  --account NAME=ID    an AWS account: the name requests use, its 12-digit id. Repeat.
  --region REGION      a region your accounts use (default us-east-1). Repeat.
  --identity LOGIN=ARN a person who may request access: GitHub login, AWS principal.
  --dry-run            print what would change, change nothing.
  -h, --help           show this help.

Exit codes: 0 done, 1 the new policies would be invalid, 2 usage error.

Example:
  hallpass init --org example-co --account production=123456789012 \\
    --account staging=210987654321 --region eu-west-1 \\
    --identity jane-doe=arn:aws:iam::444455556666:user/jane
`;

/** `hallpass init`: the "make it your own" path from the template (README). */
export const initCommand: Command = {
  name: "init",
  summary: "make this template your organisation's access repository",
  help,
  run: runInit,
};

async function runInit(args: string[], io: CliIo): Promise<ExitCode> {
  const options = readOptions(args);
  const root = findRepoRoot(io.cwd);
  if (root === undefined) {
    throw new UsageError(
      `no access repository found from ${io.cwd} upwards. Run it inside the copy of the template.`,
    );
  }
  const read = (path: string) => readFileSync(join(root, path), "utf8");
  const codeowners = read(".github/CODEOWNERS");
  if (!codeowners.includes("@acme/")) {
    io.stderr(
      'error: .github/CODEOWNERS no longer names the example organisation @acme: this repository is already your own. Edit policies/ and .github/CODEOWNERS by hand (README, "Make it your own").\n',
    );
    return 1;
  }
  const plan = planOwnRepository(
    {
      roles: read("policies/roles.yaml"),
      codeowners,
      sweepWorkflow: read(".github/workflows/hallpass-sweep.yml"),
      requestFiles: filesUnder(root, REQUESTS_DIRECTORY),
    },
    options,
  );
  if (!policiesHold(root, plan, io)) return 1;
  warnAboutHistory(root, plan, io);
  if (!options.dryRun) apply(root, plan);
  report(plan, options, options.dryRun, io);
  if (!options.dryRun && refreshIssueForm(root)) {
    io.stdout(`Wrote ${ISSUE_FORM_PATH} again from the new policies (hallpass form).\n`);
  }
  return 0;
}

function readOptions(args: string[]): OwnRepositoryOptions & { dryRun: boolean } {
  const { values } = parseOptions({
    args,
    options: {
      org: { type: "string" },
      account: { type: "string", multiple: true },
      region: { type: "string", multiple: true },
      identity: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
    },
    strict: true,
  });
  if (!values.org) throw new UsageError("--org is required: your GitHub organisation.");
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/.test(values.org)) {
    throw new UsageError(`--org ${values.org} is not a GitHub organisation name.`);
  }
  const accounts = (values.account ?? []).map((value) => {
    const [name = "", id = ""] = pair(value, "--account", "NAME=ID");
    if (!/^\d{12}$/.test(id))
      throw new UsageError(`--account ${value}: the id must be the 12-digit AWS account id.`);
    return { name, id };
  });
  if (accounts.length === 0) {
    throw new UsageError("--account NAME=ID is required (repeat it for each AWS account).");
  }
  const identities = (values.identity ?? []).map((value) => {
    const [login = "", principal = ""] = pair(value, "--identity", "LOGIN=ARN");
    return { login, principal };
  });
  return {
    org: values.org,
    accounts,
    regions: values.region ?? ["us-east-1"],
    identities,
    dryRun: values["dry-run"] === true,
  };
}

function pair(value: string, flag: string, shape: string): [string, string] {
  const at = value.indexOf("=");
  if (at <= 0 || at === value.length - 1)
    throw new UsageError(`${flag} ${value}: write it as ${shape}.`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/** Every file under `dir`, repository-relative, sorted. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(root.length + 1)
        .replaceAll("\\", "/"),
    )
    .sort();
}

/** Validates the policies as the plan leaves them; prints their errors. Fails closed. */
function policiesHold(root: string, plan: OwnRepositoryPlan, io: CliIo): boolean {
  const files = listYamlFiles(root, POLICIES_DIRECTORY).map((path) =>
    path in plan.write ? { path, content: plan.write[path] as string } : readSourceFile(root, path),
  );
  const { problems } = loadPolicies(files);
  for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
  if (!hasErrors(problems)) return true;
  io.stderr(
    "\nThe policies would be invalid (the lines above are in the files init would write): nothing was changed. Fix the options and run it again.\n",
  );
  return false;
}

/** The examples in git history would read as requests deleted after merge: say so. */
function warnAboutHistory(root: string, plan: OwnRepositoryPlan, io: CliIo): void {
  let tracked = "";
  try {
    tracked = execFileSync(
      "git",
      ["-C", root, "log", "-1", "--format=%h", "--", REQUESTS_DIRECTORY],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    ).trim();
  } catch {
    return; // Not a git repository yet: the recommended path.
  }
  if (tracked === "" || !plan.delete.some((path) => path.startsWith(`${REQUESTS_DIRECTORY}/`)))
    return;
  io.stderr(
    `warning: the example requests are in this repository's git history (${tracked}): \`hallpass history\` will report them as requests deleted after merge. Start your repository's history after init (README, "Make it your own").\n`,
  );
}

function apply(root: string, plan: OwnRepositoryPlan): void {
  for (const [path, text] of Object.entries(plan.write)) writeFileSync(join(root, path), text);
  for (const path of plan.delete) {
    rmSync(join(root, path), { force: true });
    removeEmptyFolders(root, dirname(path));
  }
}

/** The template's issue form, generated again from the policies init wrote; false without one. */
function refreshIssueForm(root: string): boolean {
  const form = readRepositoryIssueForm(root);
  if ("problems" in form || form.current === undefined || !form.stale) return false;
  writeIssueForm(root, form.file);
  return true;
}

function removeEmptyFolders(root: string, dir: string): void {
  for (
    let path = dir;
    path !== REQUESTS_DIRECTORY && path !== "." && path !== ".github";
    path = dirname(path)
  ) {
    try {
      rmdirSync(join(root, path));
    } catch {
      return; // Not empty.
    }
  }
}

function report(
  plan: OwnRepositoryPlan,
  options: OwnRepositoryOptions,
  dryRun: boolean,
  io: CliIo,
): void {
  const verb = (done: string, would: string) => (dryRun ? would : done);
  const teams = ["sre", "dba", "security"].map((team) => `@${options.org}/${team}`).join(", ");
  io.stdout(
    [
      `${verb("Wrote", "Would write")} ${Object.keys(plan.write).join(", ")}.`,
      `${verb("Deleted", "Would delete")} ${plan.delete.length} files of the example organisation and the tool: ${plan.delete.join(", ")}.`,
      "Roles and the accounts they may be granted in (review policies/roles.yaml):",
      ...plan.roleAccounts.map((r) => `  ${r.role}: ${r.accounts.join(", ")}`),
      "",
      "Next:",
      `  1. Create the teams ${teams} with write access (or rename them in policies/roles.yaml and .github/CODEOWNERS).`,
      options.identities.length === 0
        ? "  2. Add the people who may request access to policies/identities.yaml."
        : "  2. Check policies/identities.yaml and policies/settings.yaml (alerts, boundary, audit delay).",
      "  3. npx hallpass validate, then commit this as the first commit of your repository (README).",
      `  4. Create the label ${ISSUE_FORM_LABEL} in the repository: GitHub adds it to issues from the access-request form only when it exists, and the app reads only the issues that carry it.`,
      // The accounts' stacks trust the app's AWS principal, which IAM requires to exist.
      "  5. Deploy, in this order: docs/app.md (the app), docs/aws.md (each account, trusting the app's principal), docs/action.md (the sweep).",
      // App names are unique on GitHub, so the default writer, hallpass[bot], is never yours.
      '  6. Once the app is registered, name its bot (its slug and "[bot]") as settings.recordWriters.app and .action in policies/settings.yaml (docs/app.md).',
      "",
    ].join("\n"),
  );
}
