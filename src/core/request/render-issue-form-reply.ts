/**
 * What the app writes for a submitted access-request form: the one comment on the issue (what
 * to fix, or where the request is now), and the pull request it opens in the author's name.
 * Every value from the form is escaped for Markdown: the form is the author's text.
 */

import type { Problem } from "../source/problem.ts";
import { countOf } from "../text/count-of.ts";
import { markdownCode, markdownMention, markdownText } from "../text/escape-markdown.ts";
import { FORM_FIELDS } from "./issue-form-fields.ts";
import type { ValidatedRequest } from "./validate-request.ts";

/** The hidden marker of the app's one comment on a form's issue. */
export const ISSUE_FORM_MARKER = "<!-- hallpass:issue-form -->";

/** The comment listing what to fix in the form, each problem at its field and line. */
export function renderFormProblems(problems: readonly Problem[]): string {
  const lines = problems.map((p) => {
    const label =
      FORM_FIELDS.find((f) => f.field === p.field)?.label ??
      (p.field === "requester" ? "Requester (you)" : "The form");
    return `- **${label}** (line ${p.line}): ${markdownText(p.message)}`;
  });
  const count = problems.length;
  return [
    `hallpass cannot turn this form into an access request yet: ${countOf(count, "problem")} to fix.`,
    "",
    ...lines,
    "",
    "Edit the issue (its first comment) to fix them: hallpass reads the form again on every edit of yours.",
  ].join("\n");
}

/** The comment when a team the role's `eligible` list names could not be read. */
export function renderFormUnchecked(reason: string): string {
  return [
    `hallpass could not check who may request this role, so it opened no request: ${markdownText(reason)}`,
    "",
    "Edit the issue to try again once the app can read the team, or open the request yourself.",
  ].join("\n");
}

/** The comment pointing at the pull request the form became. */
export function renderFormOpened(pull: { number: number; url: string }, opened: boolean): string {
  return [
    `${opened ? "Opened" : "This form's request is"} pull request #${pull.number} (${pull.url}) with you as the requester. The code owners are asked to review it there; you cannot approve it yourself. This issue closes when it is merged.`,
    "",
    `Editing this issue no longer changes the request: to ask for something else, close #${pull.number} and open a new issue from the form.`,
  ].join("\n");
}

/** The pull request's title, body and commit message for the request of issue `issueNumber`. */
export function renderRequestPullRequest(
  request: ValidatedRequest,
  issueNumber: number,
): { title: string; body: string; commitMessage: string } {
  const { requester, role, account, duration } = request.request;
  const what = `${role} in ${account} for ${duration}`;
  return {
    title: `Access request: ${what} (${requester})`,
    commitMessage: `Access request of @${requester}: ${what}\n\nWritten by hallpass from the access-request form of issue #${issueNumber}.`,
    body: [
      `hallpass opened this request for ${markdownMention(requester)} from their access-request form in #${issueNumber}: ${markdownCode(what)}.`,
      "",
      `${markdownMention(requester)} is the requester, as if they had opened it: they cannot approve it, and the \`hallpass/approval\` check applies the role's rules as for any request. Only hallpass and ${markdownMention(requester)} may push to this branch: anyone else's commit makes the check fail.`,
      "",
      `Closes #${issueNumber}`,
    ].join("\n"),
  };
}
