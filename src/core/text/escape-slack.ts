/**
 * Escaping for Slack's mrkdwn (the text of an incoming-webhook message). Slack reads `<…>` as
 * a link, a mention or a broadcast (`<!channel>`, `<@U123>`, `<https://x|text>`) and asks for
 * `&`, `<` and `>` to be written `&amp;`, `&lt;` and `&gt;` in any text that is not such markup.
 * Every value from a request, a record or CloudTrail goes through one of these. Pure.
 */

import { oneLine } from "./one-line.ts";

/** Zero-width space: after `@` it stops `@channel` or `@here` from being read as a broadcast. */
const ZWSP = "\u200b";

function controlCharacters(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text that shows as itself: one line, `&`, `<` and `>` escaped, `@mentions` defused. */
export function slackText(text: string): string {
  return controlCharacters(oneLine(text)).replace(/@/g, `@${ZWSP}`);
}

/**
 * `<url|text>`: a link to an http(s) URL whose text shows as itself. In the URL, `|` would end
 * it early and `<`, `>` or a space would end the link, so they are percent-encoded; in the text,
 * `|` becomes `｜` (full-width), which Slack cannot take for the separator. A URL with another
 * scheme gives the text alone.
 */
export function slackLink(url: string, text: string): string {
  const label = slackText(text).replace(/\|/g, "\uff5c");
  if (!/^https?:\/\//i.test(url)) return label;
  const destination = controlCharacters(
    oneLine(url).replace(
      /[\s|<>]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    ),
  );
  return `<${destination}|${label}>`;
}
