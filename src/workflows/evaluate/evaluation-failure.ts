/**
 * How a step of the evaluation says that the pull request cannot be approved as it stands: a
 * title and reasons for the check, and the annotations of the request file when there are any.
 * The evaluation turns it into an `error` evaluation: never green.
 */

import type { Problem } from "../../core/source/problem.ts";

export interface EvaluationFailure {
  failure: true;
  /** One line for the check's title. */
  title: string;
  /** Each a sentence saying what to do. */
  reasons: string[];
  /** The request file's annotations, replacing those found so far when given. */
  problems?: Problem[];
}

/** A failure with `title` and `reasons` (and `problems` when given). */
export function failure(title: string, reasons: string[], problems?: Problem[]): EvaluationFailure {
  return { failure: true, title, reasons, ...(problems ? { problems } : {}) };
}

/** True when a step's answer is a failure rather than its result. */
export function isFailure<T extends object>(
  answer: T | EvaluationFailure,
): answer is EvaluationFailure {
  return "failure" in answer;
}
