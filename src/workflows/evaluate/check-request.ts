/**
 * Step 4 of the evaluation: judge the request file under the policies that count. No I/O.
 */

import { type CommitInput, requesterProblem } from "../../core/approval/check-requester.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import {
  parseRequest,
  type ValidatedRequest,
  validateRequest,
} from "../../core/request/validate-request.ts";
import type { Problem } from "../../core/source/problem.ts";
import { countOf } from "../../core/text/count-of.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { PullRequestInfo } from "../../ports/github.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";
import type { Rules } from "./read-rules.ts";

/**
 * The policies at `rules.base`; a failure when they do not load, with the request file's own
 * shape problems as its annotations (the author still sees what is wrong in their file).
 */
export function checkPolicies(
  pullRequest: PullRequestInfo,
  requestPath: string,
  rules: Pick<Rules, "base" | "policies" | "requestText">,
): Policies | EvaluationFailure {
  if (rules.policies.policies) return rules.policies.policies;
  const shape =
    rules.requestText === null
      ? undefined
      : parseRequest({ path: requestPath, content: rules.requestText });
  return failure(
    "The policies on the base branch are invalid",
    [
      `The policies under policies/ at ${pullRequest.merged ? "the merge commit" : "the base commit"} ${rules.base.slice(0, 7)} have errors (listed below); fix them in their own pull request, then re-run this check.`,
    ],
    shape?.problems ?? [],
  );
}

/** The valid request and its problems (warnings only). */
export interface CheckedRequest {
  request: ValidatedRequest;
  problems: Problem[];
}

/**
 * Validates the request file under `policies` at evaluation time `now`, and checks that its
 * requester opened the pull request, or that the app opened it for them and nobody else wrote
 * one of its `commits` (`requesterProblem`). A failure, with every problem annotated, when it is not
 * there, when its twin holds its name, or when it has errors.
 */
export function checkRequest(
  pullRequest: PullRequestInfo,
  requestPath: string,
  rules: Pick<Rules, "requestText" | "twinPath" | "twinAtBase">,
  policies: Policies,
  now: Date,
  commits: readonly CommitInput[],
): CheckedRequest | EvaluationFailure {
  const { requestText, twinPath } = rules;
  if (requestText === null) {
    return failure("The request file could not be read", [
      `${markdownCode(requestPath)} is not in the head commit ${pullRequest.headSha.slice(0, 7)}.`,
    ]);
  }
  if (rules.twinAtBase) {
    const message = `${markdownCode(twinPath)} already exists on ${markdownCode(pullRequest.baseRef)} and shares every record with this file (${markdownCode(recordPath(requestPath, "grant"))}, ...): the extension is not part of a request's name, so this request could never be granted. Rename this file (for example with a \`-2\` suffix) and push again.`;
    return failure(
      "The request's name is already taken",
      [message],
      [{ file: requestPath, line: 1, column: 1, severity: "error", message }],
    );
  }
  const validated = validateRequest({ path: requestPath, content: requestText }, policies, {
    now,
  });
  const problems: Problem[] = [...validated.problems];
  // Checked even when other fields are wrong, so the author sees every problem at once.
  const shape = parseRequest({ path: requestPath, content: requestText });
  const requester = shape.parsed?.value.requester;
  const mismatch =
    typeof requester === "string"
      ? requesterProblem({
          requester,
          author: pullRequest.author,
          appLogin: policies.settings.recordWriters.app,
          commits,
        })
      : undefined;
  if (mismatch !== undefined) {
    const at = shape.parsed?.locate(["requester"]) ?? { line: 1, column: 1 };
    problems.push({
      file: requestPath,
      ...at,
      field: "requester",
      severity: "error",
      message: mismatch,
    });
  }
  if (!validated.value || problems.some((p) => p.severity === "error")) {
    const count = problems.filter((p) => p.severity === "error").length;
    return failure(
      `The request has ${countOf(count, "problem")}`,
      [`Fix the problems annotated in ${markdownCode(requestPath)} and push again.`],
      problems,
    );
  }
  return { request: validated.value, problems };
}
