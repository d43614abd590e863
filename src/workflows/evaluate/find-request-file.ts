/**
 * Step 2 of the evaluation: find the one new request file. Anything else in an access pull
 * request would be merged with the grant, so it is refused. No I/O.
 */

import { checkPullRequestContents } from "../../core/request/check-pull-request-contents.ts";
import { markdownCode, markdownText } from "../../core/text/escape-markdown.ts";
import type { ChangedFile } from "../../ports/github.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";

/** `skipped`: the pull request adds no request, hallpass has nothing to judge. */
export type RequestFile = { kind: "found"; requestPath: string } | { kind: "skipped" };

/** The path of the pull request's one new request file; a failure when it has another shape. */
export function findRequestFile(files: ChangedFile[]): RequestFile | EvaluationFailure {
  const contents = checkPullRequestContents(files);
  if (contents.kind === "not-access-request") return { kind: "skipped" };
  if (contents.kind === "invalid") {
    return failure(
      "This pull request must contain exactly one new request file",
      // The message quotes what is wrong with the path (its characters): text, not Markdown.
      contents.reasons.map((r) => `${markdownCode(r.path)} ${markdownText(r.message)}.`),
      contents.reasons.map((r) => ({
        file: r.path,
        line: 1,
        column: 1,
        severity: "error" as const,
        message: r.message,
      })),
    );
  }
  return { kind: "found", requestPath: contents.path };
}
