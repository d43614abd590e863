/**
 * Turns an issue opened from the access-request form into the request's pull request, in the
 * name of the issue's author: the form is read, the request file built and judged by the
 * request validation under the default branch's policies (identity mapped, role eligible,
 * duration within the role's limit), and only a valid request is opened, by
 * `openRequestPullRequest`. Whatever happens is said in the one comment on the issue.
 * Idempotent: the issue's branch is looked up first, so a redelivery or a later edit answers
 * the pull request already opened instead of opening another.
 */

import { checkEligibility } from "../core/approval/check-eligibility.ts";
import {
  buildIssueRequest,
  type FormIssue,
  issueRequestBranch,
} from "../core/request/build-issue-request.ts";
import { ISSUE_BODY, parseIssueForm } from "../core/request/parse-issue-form.ts";
import {
  ISSUE_FORM_MARKER,
  renderFormOpened,
  renderFormProblems,
  renderFormUnchecked,
  renderRequestPullRequest,
} from "../core/request/render-issue-form-reply.ts";
import type { Problem } from "../core/source/problem.ts";
import type { KeyValueCache } from "../ports/cache.ts";
import type { GitHubPort, PullRequestInfo } from "../ports/github.ts";
import { isFailure } from "./evaluate/evaluation-failure.ts";
import { readPolicies } from "./evaluate/read-rules.ts";
import { readTeamMembers } from "./evaluate/read-team-members.ts";
import { openRequestPullRequest } from "./open-request-pull-request.ts";

/** An issue opened from the form: its author becomes the requester. */
export interface FormSubmission extends FormIssue {
  /** The body GitHub rendered from the form (null: none). */
  body: string | null;
}

/** What became of the form. */
export type FormOutcome =
  | { kind: "opened" | "already-opened"; pullRequest: PullRequestInfo }
  | { kind: "problems"; problems: Problem[] }
  | { kind: "unchecked"; reason: string };

/** Handles form `issue` at `now`, and comments the outcome on the issue. */
export async function requestFromIssue(
  github: GitHubPort,
  issue: FormSubmission,
  context: { now: Date; cache?: KeyValueCache },
): Promise<FormOutcome> {
  const outcome = await decideForm(github, issue, context);
  await github.upsertComment(issue.number, ISSUE_FORM_MARKER, replyTo(outcome));
  return outcome;
}

function replyTo(outcome: FormOutcome): string {
  switch (outcome.kind) {
    case "opened":
    case "already-opened":
      return renderFormOpened(outcome.pullRequest, outcome.kind === "opened");
    case "problems":
      return renderFormProblems(outcome.problems);
    case "unchecked":
      return renderFormUnchecked(outcome.reason);
  }
}

async function decideForm(
  github: GitHubPort,
  issue: FormSubmission,
  { now, cache }: { now: Date; cache?: KeyValueCache },
): Promise<FormOutcome> {
  // 1. The pull request an earlier delivery (or edit) opened: the form has become it.
  const existing = await github.findPullRequestByBranch(issueRequestBranch(issue.number));
  if (existing) return { kind: "already-opened", pullRequest: existing };
  // 2. The form's answers.
  const form = parseIssueForm(issue.body);
  if (form.problems.length > 0) return { kind: "problems", problems: form.problems };
  // 3. The policies of the default branch, as the pull request's check will read them.
  const base = await github.getDefaultBranch();
  const sha = await github.getBranchHead(base);
  if (sha === undefined) throw new Error(`The default branch ${base} is missing.`);
  const { policies } = await readPolicies(github, sha, cache);
  if (!policies) {
    return {
      kind: "unchecked",
      reason: `the policies on ${base} have errors (hallpass validate lists them), so no request can be judged; ask their owners to fix them.`,
    };
  }
  // 4. The request file, judged as any request file.
  const built = buildIssueRequest(form, issue, policies, now);
  if (!built.request) return { kind: "problems", problems: built.problems };
  // 5. Whether its author may request the role.
  const { eligible } = built.request.role;
  if (eligible) {
    const teams = await readTeamMembers(
      github,
      { owners: [], approval: { rules: [] }, eligible, base: sha },
      cache,
    );
    if (isFailure(teams)) return { kind: "unchecked", reason: teams.reasons.join(" ") };
    const verdict = checkEligibility(issue.author, eligible, teams.teamMembers);
    if (!verdict.eligible) {
      const line = form.lines.role ?? 1;
      const problem: Problem = {
        file: ISSUE_BODY,
        line,
        column: 1,
        field: "role",
        severity: "error",
        message: verdict.reason,
      };
      return { kind: "problems", problems: [problem] };
    }
  }
  // 6. The pull request, in the author's name.
  const text = renderRequestPullRequest(built.request, issue.number);
  const { pullRequest, opened } = await openRequestPullRequest(
    github,
    { branch: built.branch, file: built.file, ...text },
    { base, baseHead: sha, noPullRequest: true },
  );
  return { kind: opened ? "opened" : "already-opened", pullRequest };
}
