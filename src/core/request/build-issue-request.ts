/**
 * Turns a submitted access-request form into the request file the app commits in the issue
 * author's name, and judges it with the request validation itself (`validateRequest`), so the
 * form gets the very messages a request file would, each pointed at the form's field.
 */

import type { Policies } from "../policy/policy-format.ts";
import type { Problem } from "../source/problem.ts";
import type { SourceFile } from "../source/source-file.ts";
import { FORM_FIELDS } from "./issue-form-fields.ts";
import { ISSUE_BODY, type ParsedIssueForm } from "./parse-issue-form.ts";
import { renderRequestFile } from "./render-request-file.ts";
import type { AccessRequest } from "./request-format.ts";
import { type ValidatedRequest, validateRequest } from "./validate-request.ts";

/** The issue a form was submitted in: its number and its author, who becomes the requester. */
export interface FormIssue {
  number: number;
  /** The author's login as GitHub gives it. */
  author: string;
}

/** The request file built from a form, and the request when it is valid. */
export interface IssueRequest {
  file: SourceFile & { content: string };
  /** The branch the app commits it on: one per issue, so a redelivery finds its pull request. */
  branch: string;
  /** Undefined when `problems` has an error. */
  request: ValidatedRequest | undefined;
  /** The validation's problems, located at the form's fields in the issue body. */
  problems: Problem[];
}

/** Where the request of issue `issue` lives: under its requester's folder, named by the issue. */
export function issueRequestPath(issue: FormIssue): string {
  return `access-requests/${issue.author}/issue-${issue.number}.yaml`;
}

/** The branch the app opens the request of issue `number` from. */
export function issueRequestBranch(number: number): string {
  return `hallpass/issue-${number}`;
}

/**
 * Builds the request file of `form` (already read without problems) for `issue`'s author, and
 * validates it under `policies` at `now`. A problem of the file is reported at the heading of
 * the field it is about, with the validation's own message.
 */
export function buildIssueRequest(
  form: ParsedIssueForm,
  issue: FormIssue,
  policies: Policies,
  now: Date,
): IssueRequest {
  const path = issueRequestPath(issue);
  const request: Partial<AccessRequest> = { requester: issue.author };
  for (const { field } of FORM_FIELDS) {
    const value = form.fields[field];
    if (value !== undefined) request[field] = value;
  }
  const content = renderRequestFile(request, {
    schema: "../schema.json",
    note: `Written by hallpass from the access-request form of issue #${issue.number}, in its author's name.`,
  });
  const file = { path, content };
  const validated = validateRequest(file, policies, { now });
  const problems = validated.problems.map((p): Problem => {
    const line = (p.field && form.lines[p.field as keyof ParsedIssueForm["lines"]]) || 1;
    return { ...p, file: ISSUE_BODY, line, column: 1 };
  });
  return {
    file,
    branch: issueRequestBranch(issue.number),
    request: validated.value,
    problems,
  };
}
