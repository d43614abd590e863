/**
 * A notice as it is posted: a Slack message (mrkdwn, every value from a request escaped so it
 * shows as itself and pings nobody) or a JSON document for any other receiver. Pure.
 */

import { slackLink, slackText } from "../text/escape-slack.ts";
import type { Notice, NoticeMoment } from "./notice.ts";

/** The headline of each moment, before the request's own words. */
const HEADLINES: Record<NoticeMoment, string> = {
  "awaiting-review": "Access request awaiting review",
  reminder: "Reminder: access request still awaiting review",
  "closed-stale": "Access request closed: nobody reviewed it",
  approved: "Access request approved",
  refused: "Access request refused",
  granted: "Access granted",
  expiring: "Access expiring soon",
  revoked: "Access revoked",
};

/** The emoji shortcode of each moment (Slack only). */
const ICONS: Record<NoticeMoment, string> = {
  "awaiting-review": ":eyes:",
  reminder: ":alarm_clock:",
  "closed-stale": ":wastebasket:",
  approved: ":white_check_mark:",
  refused: ":no_entry:",
  granted: ":unlock:",
  expiring: ":hourglass_flowing_sand:",
  revoked: ":lock:",
};

/** How a notice says what the person has: asking until granted, then holding. */
const VERBS: Partial<Record<NoticeMoment, string>> = {
  granted: "has",
  expiring: "has",
  revoked: "had",
};

/** What the request asks for, in words: "alice asks for db-read in production". */
function asking(notice: Notice): string | undefined {
  if (!notice.requester && !notice.role) return undefined;
  const who = notice.requester ? `@${notice.requester}` : "someone";
  const what = notice.role ? ` ${notice.role}` : " access";
  const where = notice.account ? ` in ${notice.account}` : "";
  const verb = VERBS[notice.moment] ?? "asks for";
  return `${who} ${verb}${what}${where}`;
}

/** The Slack message of a notice: one headline line with the PR link, then its details. */
export function renderSlackNotice(notice: Notice): string {
  const link = slackLink(notice.pullRequest.url, `#${notice.pullRequest.number}`);
  const lines = [`${ICONS[notice.moment]} *${HEADLINES[notice.moment]}*: ${link}`];
  const ask = asking(notice);
  if (ask) lines.push(slackText(ask));
  if (notice.reason) lines.push(`>${slackText(notice.reason)}`);
  if (notice.expiresAt) lines.push(`Until ${slackText(notice.expiresAt)}`);
  if (notice.people && notice.people.length > 0) {
    lines.push(`${peopleLabel(notice.moment)}: ${notice.people.map(slackText).join(", ")}`);
  }
  if (notice.detail) lines.push(slackText(notice.detail));
  return lines.join("\n");
}

function peopleLabel(moment: NoticeMoment): string {
  switch (moment) {
    case "approved":
      return "Approved by";
    case "refused":
      return "Changes requested by";
    case "revoked":
      return "Revoked by";
    default:
      return "Can approve";
  }
}

/** The JSON document of a notice, for receivers other than Slack. Values are as they are. */
export type NoticeDocument = Omit<Notice, "moment"> & {
  /** `hallpass.<moment>`, such as `hallpass.granted`. */
  event: `hallpass.${NoticeMoment}`;
  version: 1;
  /** The headline, plain text. */
  summary: string;
};

/** The notice as a JSON document (plain text; the receiver escapes for where it shows it). */
export function renderNoticeDocument(notice: Notice): NoticeDocument {
  const { moment, ...rest } = notice;
  const ask = asking(notice);
  return {
    event: `hallpass.${moment}`,
    version: 1,
    summary: `${HEADLINES[moment]}: #${notice.pullRequest.number}${ask ? `, ${ask}` : ""}`,
    ...rest,
  };
}
