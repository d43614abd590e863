/**
 * The result of evaluating an access pull request: plain data, produced by the
 * `evaluatePullRequest` workflow, rendered by `renderCheck`, and re-checked by the grant
 * workflow at merge. Nothing here is written anywhere by itself.
 */

import type { ApprovalRecord } from "../grant/records.ts";
import type { Owner } from "../policy/codeowners.ts";
import type { Policies } from "../policy/policy-format.ts";
import type { ValidatedRequest } from "../request/validate-request.ts";
import type { Problem } from "../source/problem.ts";
import type { Decision, DecisionStatus } from "./decide-approval.ts";
import type { PullRequestInfo } from "./pull-request.ts";

export interface PullRequestEvaluation {
  /**
   * `skipped`: not an access request. `pending`: valid, waiting for approvals. `approved`:
   * every rule holds. `disapproved`: an eligible owner requested changes. `error`: the PR, the
   * request, the policies or CODEOWNERS are wrong, or GitHub could not be read: never green.
   */
  status: DecisionStatus;
  /** One line for the check's title. */
  title: string;
  /** Why it is not approved (empty when approved), each a sentence saying what to do. */
  reasons: string[];
  pullRequest: PullRequestInfo;
  /** The request file's path when the PR contains exactly one new request. */
  requestPath: string | undefined;
  /** The validated request, when valid. */
  request: ValidatedRequest | undefined;
  /** The policies at the base commit, when they loaded. */
  policies: Policies | undefined;
  /** The approval decision, when the request and its owners could be evaluated. */
  decision: Decision | undefined;
  /** The approvals that counted (empty unless a decision was made). */
  approvals: ApprovalRecord[];
  /** Problems in the request file: the check's annotations. */
  problems: Problem[];
  /** Problems elsewhere (policies, CODEOWNERS at the base commit): listed in the summary. */
  baseProblems: Problem[];
  /**
   * Set when the evaluation stopped because GitHub could not be read (the message): a retry may
   * decide otherwise, so nobody is told that the approvals do not hold.
   */
  apiError?: string;
  /**
   * The commit policies and CODEOWNERS were read at: the PR's base commit, or its merge commit
   * once merged. Undefined when the evaluation stopped before reading them.
   */
  rulesSha?: string;
  /**
   * Why the role's rule without review (`autoApproval`, `extension.withoutApproval`) does not
   * approve this request, when the role has one: shown on the check.
   */
  autoApprovalNote?: string;
  /**
   * What the app's check said on the head when the pull request was read, when it was read
   * along (null: there was none yet); absent otherwise.
   */
  previousCheck?: { conclusion: string | null; title: string } | null;
  /** The CODEOWNERS rule that owns the request file, when one does. */
  owners: { file: string; line: number; pattern: string; owners: Owner[] } | undefined;
}
