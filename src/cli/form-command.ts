import { readRepositoryIssueForm, writeIssueForm } from "../adapters/repository-issue-form.ts";
import { ISSUE_FORM_PATH } from "../core/request/issue-form-fields.ts";
import { painter, paintProblem } from "./colour.ts";
import type { CliIo, Command, ExitCode } from "./command.ts";
import { parseOptions } from "./parse-options.ts";
import { requireRepoRoot } from "./require-repo-root.ts";

const help = `Usage: hallpass form [--check]

Writes the access-request issue form, ${ISSUE_FORM_PATH}, from policies/:
its role, account and duration dropdowns list what the policies define. Run it
after every change of policies/ and commit the result; the app turns each issue
opened from the form into an access-request pull request (docs/app.md).

Options:
  --check     write nothing; exit 1 when the form is missing or stale.
  -h, --help  show this help.

Exit codes: 0 written or current, 1 stale (--check) or invalid policies, 2 usage error.

Examples:
  hallpass form
  hallpass form --check
`;

/** \`hallpass form\`: the issue form generated from the policies. */
export const formCommand: Command = {
  name: "form",
  summary: "write the access-request issue form from policies/ (--check: fail when stale)",
  help,
  run: runForm,
};

async function runForm(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions({
    args,
    options: { check: { type: "boolean", default: false } },
    allowPositionals: false,
    strict: true,
  });
  const root = requireRepoRoot(io.cwd);
  const form = readRepositoryIssueForm(root);
  if ("problems" in form) {
    const paint = painter(io.colour?.stderr === true);
    for (const problem of form.problems) io.stderr(`${paintProblem(problem, paint)}\n`);
    io.stderr("\nThe policies have errors, so no form was generated: fix them first.\n");
    return 1;
  }
  if (!form.stale) {
    io.stdout(`${ISSUE_FORM_PATH} is up to date.\n`);
    return 0;
  }
  if (values.check) {
    io.stderr(
      `${ISSUE_FORM_PATH} is ${form.current === undefined ? "missing" : "stale"}: run \`hallpass form\` and commit the result.\n`,
    );
    return 1;
  }
  writeIssueForm(root, form.file);
  io.stdout(`wrote ${ISSUE_FORM_PATH}\n`);
  return 0;
}
