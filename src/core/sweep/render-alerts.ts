/**
 * What the sweep tells people about a live grant: the alert comment on its pull request, the
 * comments on drift (a role git does not explain, a grant missing in AWS, a merge without a
 * grant) and the Slack message. Every value in them comes from a request, a policy, a record
 * or CloudTrail, and is escaped for where it lands. Pure.
 */

import type { GrantRecord } from "../grant/records.ts";
import { countOf } from "../text/count-of.ts";
import {
  htmlText,
  markdownCode,
  markdownCommentText,
  markdownMention,
  markdownText,
  markdownUrl,
} from "../text/escape-markdown.ts";
import { slackLink, slackText } from "../text/escape-slack.ts";
import type { Alert, FiredAlert } from "./evaluate-alerts.ts";

/** Events listed one by one under each new alert; the record keeps every id. */
const EVENTS_SHOWN = 50;

/** The marker of a grant's alert comment. */
export function alertsMarker(requestPath: string): string {
  return `<!-- hallpass:alerts ${markdownCommentText(requestPath)} -->`;
}

/** The requester and the approvers of a grant, each pinged once. */
function peopleOf(grant: GrantRecord): string {
  return [...new Set([grant.requester, ...grant.approvals.map((a) => a.reviewer)])]
    .map(markdownMention)
    .join(" ");
}

function eventLine(e: Alert["events"][number]): string {
  const failed = e.errorCode ? ` failed (${markdownCode(e.errorCode)})` : "";
  const on = e.resources.length ? ` on ${e.resources.map(markdownCode).join(", ")}` : "";
  return `- ${markdownText(e.eventTime)} ${markdownCode(e.action)} in ${markdownText(e.region)}${failed}${on} (event ${markdownCode(e.eventID)})`;
}

/** The alert comment on a grant's pull request: every alert so far, the new ones in detail. */
export function renderAlertComment(grant: GrantRecord, all: FiredAlert[], fresh: Alert[]): string {
  const lines = [
    alertsMarker(grant.requestPath),
    `### hallpass alert on this grant`,
    "",
    `${peopleOf(grant)}: the activity of this grant matched alert rules in policies/.`,
    "",
    "| When (UTC) | Rule | Severity | Events | Revoked |",
    "|---|---|---|--:|---|",
    ...all.map(
      (a) =>
        `| ${markdownText(a.from.replace("T", " ").replace(/(\.\d+)?Z$/, ""))} | ${markdownText(a.rule)} | ${markdownText(a.severity)} | ${a.eventIds.length} | ${a.revoked ? "yes" : "no"} |`,
    ),
    "",
  ];
  for (const alert of fresh) {
    const count = countOf(alert.events.length, "event");
    lines.push(
      // Inside <details> GitHub renders the summary as HTML, not Markdown.
      `<details><summary>${htmlText(`${alert.rule}: ${count} from ${alert.from}`)}</summary>`,
      "",
      ...(alert.description ? [markdownText(alert.description), ""] : []),
      ...alert.events.slice(0, EVENTS_SHOWN).map(eventLine),
      ...(alert.events.length > EVENTS_SHOWN
        ? [`- … and ${alert.events.length - EVENTS_SHOWN} more`]
        : []),
      "",
      "</details>",
      "",
    );
  }
  return lines.join("\n");
}

/** A Slack alert: `title` in bold, the grant's request linked to its pull request. */
export function renderSlackAlert(
  grant: GrantRecord | undefined,
  title: string,
  detail: string,
): string {
  const where = grant
    ? ` on ${slackLink(grant.pullRequest.url, grant.requestPath)} (${slackText(`@${grant.requester}`)})`
    : "";
  return `:rotating_light: hallpass: *${slackText(title)}*${where}: ${slackText(detail)}`;
}

/** The comment on a grant's pull request when the sweep revoked a role git does not explain. */
export function renderDriftComment(grant: GrantRecord, detail: string, revoked: boolean): string {
  return `${driftMarker(grant.requestPath)}\n### hallpass revoked this grant\n\n${peopleOf(grant)}: ${markdownText(detail)}. ${revoked ? "The role was revoked." : "Revoking it FAILED; see the dashboard."}`;
}

/** The marker of {@link renderDriftComment}. */
export function driftMarker(requestPath: string): string {
  return `<!-- hallpass:drift ${markdownCommentText(requestPath)} -->`;
}

/** The marker of {@link renderMissingGrantComment}. */
export function missingGrantMarker(requestPath: string): string {
  return `<!-- hallpass:missing-grant ${markdownCommentText(requestPath)} -->`;
}

/** The comment on a grant's pull request when its role is gone from AWS but not revoked in git. */
export function renderMissingGrantComment(grant: GrantRecord, detail: string): string {
  return `${missingGrantMarker(grant.requestPath)}\n### hallpass: this grant is missing in AWS\n\n${markdownMention(grant.requester)}: ${markdownText(detail)}. Nobody revoked it in git. An administrator should check CloudTrail for who deleted the role; the dashboard issue lists it until it is resolved.`;
}

/** The marker of {@link renderUngrantedComment}. */
export function ungrantedMarker(requestPath: string): string {
  return `<!-- hallpass:ungranted ${markdownCommentText(requestPath)} -->`;
}

/** The comment on the pull request of a merged request that has no grant record. */
export function renderUngrantedComment(requestPath: string, detail: string): string {
  return [
    ungrantedMarker(requestPath),
    "### hallpass: this request was merged but no access was granted",
    "",
    `${markdownCode(requestPath)} has no grant record in git: ${markdownText(detail)}. If the app refused it, its comment above says why; if the app never handled the merge, nobody has access. A merged request file is never changed: open a new request to ask again.`,
  ].join("\n");
}

/** The alert issue (and Slack message) of a grant the app could not make or had to refuse. */
export interface GrantAlert {
  marker: string;
  title: string;
  body: string;
  slack: string;
}

/**
 * The alert of a pull request's grant: `subject` is the request path (or undefined when the
 * merge had none), `title` what went wrong, `details` Markdown lines hallpass wrote.
 */
export function renderGrantAlert(
  pull: { number: number; url: string },
  subject: string | undefined,
  title: string,
  details: string[],
): GrantAlert {
  const marker = `<!-- hallpass:grant-alert #${pull.number} -->`;
  const about = subject ?? `pull request #${pull.number}`;
  return {
    marker,
    // Issue titles are plain text: nothing in them renders.
    title: `hallpass alert: ${title} (#${pull.number})`,
    body: [
      marker,
      `**${markdownText(title)}** for ${markdownCode(about)}, ${markdownUrl(pull.url) ?? ""}`,
      "",
      ...details.map((d) => `- ${d}`),
    ].join("\n"),
    slack: `hallpass: ${slackText(title)} for ${slackLink(pull.url, about)}`,
  };
}
