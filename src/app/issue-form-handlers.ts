/**
 * The access-request form: an issue opened from it (it carries the form's label) becomes the
 * request's pull request, opened by the app in the name of the issue's author. The handler
 * only filters: the issue must be the access repository's, open, labelled by the form and
 * written by a person, and an edit counts only when the author made it (a maintainer can edit
 * anyone's issue, and must not change what someone asks for in their name).
 */

import type { Context, Probot } from "probot";
import { ISSUE_FORM_LABEL } from "../core/request/issue-form-fields.ts";
import { requestFromIssue } from "../workflows/request-from-issue.ts";
import { type AppDeps, isAccessRepository } from "./app-deps.ts";
import { checkEventShape, issueEventShape } from "./event-shapes.ts";

export function registerIssueFormHandlers(app: Probot, deps: AppDeps): void {
  app.on(["issues.opened", "issues.edited"], (context) => onFormIssue(deps, context));
}

async function onFormIssue(deps: AppDeps, context: Context): Promise<void> {
  const payload = checkEventShape(context, issueEventShape);
  if (!payload || !isAccessRepository(deps, context.repo())) return;
  const { issue, sender } = payload;
  const form = issue.labels.some((label) => label.name === ISSUE_FORM_LABEL);
  if (!form || issue.pull_request !== undefined || issue.state !== "open") return;
  const author = issue.user.login;
  if (issue.user.type !== "User" || sender.login.toLowerCase() !== author.toLowerCase()) {
    context.log.info(
      { issue: issue.number, author, sender: sender.login },
      "hallpass: an access-request form counts only as its author's own, written by a person; ignored",
    );
    return;
  }
  const github = deps.github(context.octokit, context.repo());
  await requestFromIssue(
    github,
    { number: issue.number, author, body: issue.body ?? null },
    { now: deps.now(), cache: deps.cache },
  );
}
