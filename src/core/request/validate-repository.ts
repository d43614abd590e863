import { loadPolicies } from "../policy/load-policies.ts";
import type { Policies } from "../policy/policy-format.ts";
import type { Problem } from "../source/problem.ts";
import { sortProblems } from "../source/sort-problems.ts";
import type { SourceFile } from "../source/source-file.ts";
import { parseRequest, type ValidatedRequest, validateRequest } from "./validate-request.ts";

/**
 * Validates request files against the policy files of the same repository, the job of
 * `hallpass validate`. When the policies have errors, requests are still checked for syntax
 * and schema (what can be said without policies), and never reported valid.
 */
export function validateRepository(
  files: { policyFiles: SourceFile[]; requestFiles: SourceFile[] },
  context: { now: Date },
): { policies: Policies | undefined; requests: ValidatedRequest[]; problems: Problem[] } {
  const { policies, problems } = loadPolicies(files.policyFiles);
  const requests: ValidatedRequest[] = [];
  for (const file of files.requestFiles) {
    if (policies) {
      const result = validateRequest(file, policies, context);
      problems.push(...result.problems);
      if (result.value) requests.push(result.value);
    } else {
      problems.push(...parseRequest(file).problems);
    }
  }
  return { policies, requests, problems: sortProblems(problems) };
}
