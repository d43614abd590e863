/**
 * The grant's last step, and the one every stop ends in: say what happened on the pull request
 * and, when a person must know, in the alert issue (and Slack when the policies name it).
 */

import type { GrantPlan } from "../../core/grant/plan-grant.ts";
import { GRANT_COMMENT_MARKER, renderUsageComment } from "../../core/grant/render-usage-comment.ts";
import type { ValidatedRequest } from "../../core/request/validate-request.ts";
import { renderGrantAlert } from "../../core/sweep/render-alerts.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import { markdownCode, markdownText } from "../../core/text/escape-markdown.ts";
import type { AccountTarget } from "../../ports/aws.ts";
import { raceDeadline } from "../deadline.ts";
import type { AlertDeps, GrantOutcome, GrantStop, MergedPull } from "./grant-types.ts";
import { recordRefusal } from "./record-refusal.ts";
import type { Replacement } from "./replace-extended.ts";

/** Hidden marker of the comment that says a grant stopped on an unexpected error. */
export const GRANT_ERROR_MARKER = "<!-- hallpass:grant-error -->";

/** Where a stop is told: the merged pull request and its request file, when it has one. */
export interface TellContext {
  pull: MergedPull;
  requestPath: string | undefined;
  now: Date;
}

/** Tells a stop and returns the grant's outcome for it. */
export async function tellStop(
  deps: AlertDeps,
  context: TellContext,
  stop: GrantStop,
): Promise<GrantOutcome> {
  if (stop.stop === "finished") return stop.outcome;
  if (stop.stop === "refused") return tellRefusal(deps, context, stop);
  const { pull } = context;
  const requestPath = context.requestPath ?? `pull request #${pull.number}`;
  await tell(deps, pull, requestPath, stop.title, stop.details, stop.heading);
  return { status: "failed", reason: stop.reason, rolledBack: stop.rolledBack };
}

/**
 * A refusal: recorded first, so that git holds why even if the comment or the alert then fails
 * (the delivery fails and a redelivery finds the same record). Its failure only adds a line:
 * whatever happens to the record, nothing is granted.
 */
async function tellRefusal(
  deps: AlertDeps,
  context: TellContext,
  refusal: { title: string; details: string[] },
): Promise<GrantOutcome> {
  const { pull, requestPath } = context;
  const { title, details } = refusal;
  const recorded = requestPath
    ? await recordRefusal(deps.github, pull, requestPath, refusal, context.now)
    : undefined;
  const told = [...details];
  if (recorded?.status === "recorded") {
    told.push(`This refusal is recorded in ${markdownCode(recorded.path)}.`);
  } else if (recorded?.status === "failed") {
    told.push(
      `This refusal could not be recorded in ${markdownCode(recorded.path)}: ${recorded.error}. Nothing was granted. Until a redelivery of the merge event records it, this comment and the alert are its only record; the scheduled sweep records the merge without a grant (without this reason) on its next run.`,
    );
  }
  const body = [
    GRANT_COMMENT_MARKER,
    `### No access granted: ${markdownText(title)}`,
    "",
    ...told.map((d) => `- ${d}`),
    "",
    "hallpass grants only what is approved and fits IAM. Fix the cause, then open a new request (a merged request file is never changed).",
  ].join("\n");
  await deps.github.upsertComment(pull.number, GRANT_COMMENT_MARKER, `${body}\n`);
  await alert(deps, pull.number, pull.url, requestPath, title, told);
  const reason = `${title}: ${details.join(" ")}`;
  return recorded?.status === "failed"
    ? { status: "refused", reason: `${reason} (not recorded in git: ${recorded.error})` }
    : { status: "refused", reason };
}

/** Tells the requester how to use the grant, and alerts when the extended grant stayed. */
export async function tellGranted(
  deps: AlertDeps,
  context: TellContext & { requestPath: string },
  granted: {
    plan: GrantPlan;
    roleArn: string;
    request: ValidatedRequest;
    account: AccountTarget;
    replaced: Replacement;
  },
): Promise<void> {
  const { pull, requestPath } = context;
  const { replaced } = granted;
  await deps.github.upsertComment(
    pull.number,
    GRANT_COMMENT_MARKER,
    renderUsageComment({
      plan: granted.plan,
      roleArn: granted.roleArn,
      principal: granted.request.identity.awsPrincipal,
      roleName: granted.request.request.role,
      accountName: granted.account.name,
      now: context.now,
      ...(replaced.revoked ? { replaced: replaced.path } : {}),
    }),
  );
  if (replaced.problem) {
    await alert(deps, pull.number, pull.url, requestPath, "the extended grant was not revoked", [
      replaced.problem,
    ]);
  }
}

/**
 * An unexpected failure (or the deadline): said on the PR and alerted, each bounded by
 * `tellDeadline` and each allowed to fail, since GitHub itself may be what failed.
 */
export async function tellUnexpected(
  deps: AlertDeps,
  pullNumber: number,
  error: unknown,
  tellDeadline: AbortSignal | undefined,
): Promise<void> {
  const details = [
    `${errorMessage(error)}.`,
    "Any role created is recorded in git first, and its own policies end it at its expiry. Redeliver the merge event (or ask an administrator to) to finish or refuse the grant.",
  ];
  try {
    await raceDeadline(
      deps.github.upsertComment(
        pullNumber,
        GRANT_ERROR_MARKER,
        `${GRANT_ERROR_MARKER}\n### The grant could not be completed\n\n${details.map((d) => `- ${d}`).join("\n")}\n`,
      ),
      tellDeadline,
    );
  } catch {
    // GitHub itself may be what failed; the alert below and the failed delivery remain.
  }
  try {
    await raceDeadline(
      alert(
        deps,
        pullNumber,
        `pull request #${pullNumber}`,
        undefined,
        "the grant could not be completed",
        details,
      ),
      tellDeadline,
    );
  } catch {
    // Same: the error thrown on by the caller is logged and the delivery shows as failed.
  }
}

/** A failure after merge: said on the PR and raised as an alert. */
export async function tell(
  deps: AlertDeps,
  pull: { number: number; url: string },
  requestPath: string,
  title: string,
  details: string[],
  heading = "Access NOT granted",
): Promise<void> {
  const body = [
    GRANT_COMMENT_MARKER,
    `### ${heading}: ${markdownText(title)}`,
    "",
    ...details.map((d) => `- ${d}`),
  ].join("\n");
  await deps.github.upsertComment(pull.number, GRANT_COMMENT_MARKER, `${body}\n`);
  await alert(deps, pull.number, pull.url, requestPath, title, details);
}

/** Opens (or updates) the alert issue of a pull request's grant and notifies Slack. */
export async function alert(
  deps: AlertDeps,
  pullNumber: number,
  pullUrl: string,
  requestPath: string | undefined,
  title: string,
  details: string[],
): Promise<void> {
  const alert = renderGrantAlert({ number: pullNumber, url: pullUrl }, requestPath, title, details);
  await deps.github.upsertIssue(alert.marker, alert.title, alert.body, ["hallpass-alert"]);
  if (deps.notify) {
    try {
      await deps.notify(alert.slack);
    } catch {
      // The issue above is the alert of record; a Slack outage must not hide it.
    }
  }
}
