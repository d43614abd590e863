/**
 * Escaping for Slack's mrkdwn (the text of an incoming-webhook message). Slack reads `<…>` as
 * a link, a mention or a broadcast (`<!channel>`, `<@U123>`, `<https://x|text>`) and asks for
 * `&`, `<` and `>` to be written `&amp;`, `&lt;` and `&gt;` in any text that is not such markup.
 * It has no escape for its emphasis (`*bold*`, `_italic_`, `~strike~`, `` `code` ``): those
 * markers in a value are shown as look-alike characters, and a `>` that starts it cannot quote
 * its line. Every value from a request, a record or CloudTrail goes through one of these. Pure.
 */

import { oneLine } from "./one-line.ts";

/** Zero-width space: after `@` it stops `@channel` or `@here` from being read as a broadcast. */
const ZWSP = "\u200b";

function controlCharacters(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Look-alikes of Slack's emphasis and code markers (the full-width forms included, which Slack
 * also formats). Slack has no escape for them, and a zero-width space beside a marker makes it
 * a word boundary, which formats rather than stops it.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  "*": "\u2217",
  _: "\u02cd",
  "~": "\u223c",
  "`": "\u02cb",
  "\uff0a": "\ufe61",
  "\uff3f": "\u2e0f",
  "\uff40": "\u02cb",
  "\uff5e": "\u223c",
};

/** Every marker `LOOK_ALIKES` replaces, as one pattern (the list is written once). */
const MARKERS = new RegExp(
  `[${Object.keys(LOOK_ALIKES)
    .map((m) => `\\u${m.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .join("")}]`,
  "g",
);

const WORD_CHARACTER = /[A-Za-z0-9]/;

/**
 * `text` with every marker that could open or close emphasis or code replaced by its
 * look-alike. A `*`, `_` or `~` between two letters or digits stays: Slack formats a marker only
 * at a word boundary, so role names and paths (`db_read`) keep their underscores. Backticks
 * always go: a code span needs no boundary.
 */
function defuseEmphasis(text: string): string {
  return text.replace(MARKERS, (marker, at: number) => {
    const insideWord =
      marker !== "`" &&
      WORD_CHARACTER.test(text[at - 1] ?? "") &&
      WORD_CHARACTER.test(text[at + 1] ?? "");
    return insideWord ? marker : (LOOK_ALIKES[marker] ?? marker);
  });
}

/** Soft hyphen: invisible (shown only where a word breaks across lines), yet a character. */
const SOFT_HYPHEN = "\u00ad";

/**
 * `text` with a soft hyphen before a `>` or `＞` that starts it (after spaces). Slack quotes a
 * line that starts with either, and the escaped `&gt;` too: the entity does not stop it (the
 * soft hyphen is what jsx-slack's `<Escape>` puts there, checked in Slack's Block Kit Builder).
 * A value is one line, so the start is the one place it can begin a line of a message.
 */
function defuseQuote(text: string): string {
  return text.replace(/^(\s*)([>\uff1e])/, `$1${SOFT_HYPHEN}$2`);
}

/**
 * Text that shows as itself: one line, `&`, `<` and `>` escaped, `@mentions` defused,
 * emphasis and code markers shown as look-alikes (`*urgent*` is not bold), and no block quote
 * opened by a leading `>`.
 */
export function slackText(text: string): string {
  return controlCharacters(defuseQuote(defuseEmphasis(oneLine(text)))).replace(/@/g, `@${ZWSP}`);
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
