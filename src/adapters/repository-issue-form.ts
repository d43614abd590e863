/**
 * The access-request issue form of a local repository: what `policies/` would generate, and
 * what the repository holds, for `hallpass form`, `hallpass validate` and `npm run generate`.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadPolicies } from "../core/policy/load-policies.ts";
import type { Policies } from "../core/policy/policy-format.ts";
import { ISSUE_FORM_PATH } from "../core/request/issue-form-fields.ts";
import { renderIssueForm } from "../core/request/render-issue-form.ts";
import type { GeneratedFile } from "../core/request/render-json-schemas.ts";
import type { Problem } from "../core/source/problem.ts";
import { listYamlFiles, POLICIES_DIRECTORY, readSourceFile } from "./read-repo-files.ts";

/** The form the policies of `root` generate, and the one committed (undefined: none). */
export type RepositoryIssueForm =
  | { file: GeneratedFile; current: string | undefined; stale: boolean }
  | { problems: Problem[] };

/** Reads `root`'s policies and renders their form; the policies' problems when they do not load. */
export function readRepositoryIssueForm(root: string): RepositoryIssueForm {
  const sources = listYamlFiles(root, POLICIES_DIRECTORY).map((path) => readSourceFile(root, path));
  const { policies, problems } = loadPolicies(sources);
  if (!policies) return { problems };
  return issueFormOf(root, policies);
}

/** The form `policies` generate, beside the one `root` holds: for policies already loaded. */
export function issueFormOf(
  root: string,
  policies: Policies,
): { file: GeneratedFile; current: string | undefined; stale: boolean } {
  const file = renderIssueForm(policies);
  let current: string | undefined;
  try {
    current = readFileSync(join(root, ISSUE_FORM_PATH), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { file, current, stale: current !== file.content };
}

/** Writes the generated form into `root`, making its folder when needed. */
export function writeIssueForm(root: string, file: GeneratedFile): void {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}

/** The problem of a committed form its policies no longer generate, for `hallpass validate`. */
export function staleFormProblem(): Problem {
  return {
    file: ISSUE_FORM_PATH,
    line: 1,
    column: 1,
    severity: "error",
    message:
      "the access-request form is stale: policies/ changed since it was generated, so its dropdowns offer other roles, accounts or durations than the policies. Run `hallpass form` and commit the result.",
  };
}
