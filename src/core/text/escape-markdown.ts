/**
 * Escaping for GitHub-flavoured Markdown: every value from a request, a policy, a record or
 * CloudTrail that lands in a check summary, a PR comment, an issue or a Markdown file goes
 * through one of these, so that it shows as the text it is and can neither add markup (links,
 * images, HTML, table cells, headings, lines) nor ping anyone. Pure.
 *
 * Which one to use depends on where the value lands:
 * - running text and table cells: {@link markdownText};
 * - a code span: {@link markdownCode} (in a table cell: {@link markdownCodeCell});
 * - a login that should be pinged: {@link markdownMention};
 * - a link: {@link markdownLink} (with {@link markdownPathUrl} for a path in the repository);
 * - raw HTML (`<summary>`): {@link htmlText}; an HTML comment (markers): {@link markdownCommentText}.
 */

import { oneLine } from "./one-line.ts";

/** Zero-width space: after `@` it stops GitHub from reading a mention, and shows nothing. */
const ZWSP = "\u200b";

/** `@name` becomes `@<ZWSP>name`: it reads the same and notifies nobody. */
function defuseMentions(text: string): string {
  return text.replace(/@/g, `@${ZWSP}`);
}

/** Every character that can start inline markup, backslash-escaped; mentions defused. */
function inlineText(text: string): string {
  // With `[` `]` and `<` escaped no link, image or autolink can form, so `(`, `)` and `!`
  // stay readable.
  return defuseMentions(oneLine(text).replace(/[\\`*_{}[\]<>|~&]/g, (c) => `\\${c}`));
}

/**
 * Text that shows as itself in a Markdown line or table cell: one line, every character that
 * can start markup backslash-escaped (CommonMark allows that for all ASCII punctuation; GFM
 * tables read `\|` as a pipe inside the cell), block starters at its beginning escaped, and
 * `@mentions` defused.
 */
export function markdownText(text: string): string {
  return (
    inlineText(text)
      // At the start of a line these open a list, a heading or its underline, a numbered list.
      .replace(/^(\s*)([-+=#])/, "$1\\$2")
      .replace(/^(\s*\d+)\./, "$1\\.")
  );
}

/**
 * A code span holding `text` exactly: backslashes do not escape inside code spans, so the fence
 * is one backtick longer than the longest run of backticks in the text (CommonMark), padded
 * with a space when the text starts or ends with a backtick. Not for table cells.
 */
export function markdownCode(text: string): string {
  const body = oneLine(text);
  // reduce, not Math.max(...runs): a long value can hold more runs than a call takes arguments.
  const longest = (body.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(body) && body.trim() !== "" ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** {@link markdownCode} for a table cell: GFM splits cells at `|` even inside code spans. */
export function markdownCodeCell(text: string): string {
  return markdownCode(text).replace(/\|/g, "\\|");
}

/** A GitHub login: 1-39 letters, digits and single hyphens; apps end in `[bot]`. */
const LOGIN = /^[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:\[bot\])?$/;

/**
 * `@login`, which pings that person, when `login` is a GitHub login; anything else is shown
 * as escaped text, so a value that only claims to be a login cannot ping a team or inject text.
 */
export function markdownMention(login: string): string {
  return login.length <= 45 && LOGIN.test(login) ? `@${login}` : markdownText(login);
}

/** A CODEOWNERS-style owner: `@login` or `@org/team-slug`. */
const OWNER = /^@[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:\/[A-Za-z0-9._-]+)?$/;

/**
 * An owner token as written in CODEOWNERS or a rule's `from` (`@login`, `@org/team`), which
 * pings that person or team; anything else is shown as escaped text.
 */
export function markdownOwner(token: string): string {
  return token.length <= 140 && OWNER.test(token) ? token : markdownText(token);
}

/** Percent-encodes one character (UTF-8), including those encodeURIComponent leaves. */
function percent(c: string): string {
  const encoded = encodeURIComponent(c);
  return encoded === c
    ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`
    : encoded;
}

/**
 * A link destination: http(s) URLs and relative ones (`../pull/4`) are kept, with every
 * character that could end the destination, break a table cell or the line percent-encoded;
 * any other scheme (`javascript:`, `data:`) gives undefined.
 */
export function markdownUrl(url: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") return undefined;
  return url.replace(/[\s\p{Cc}()<>\\`"'[\]|{}^]/gu, percent);
}

/** A path in the repository as a relative URL: every segment percent-encoded, `/` kept. */
export function markdownPathUrl(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, percent))
    .join("/");
}

/** `[text](url)`, both escaped; only the text when the URL is not one to link to. */
export function markdownLink(text: string, url: string): string {
  const destination = markdownUrl(url);
  return destination === undefined ? markdownText(text) : `[${inlineText(text)}](${destination})`;
}

/**
 * Text inside raw HTML (GitHub renders no Markdown in `<summary>`): entities for `& < > " '`,
 * one line, mentions defused.
 */
export function htmlText(text: string): string {
  const escaped = oneLine(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
  return defuseMentions(escaped);
}

/**
 * Text inside an HTML comment (the hidden markers that find a comment again): a `>` could
 * close it (`-->`, `--!>`) and let the rest render, so it becomes `&gt;`. Text without `>`
 * or line breaks, which every valid request path is, stays as it is, and so do its markers.
 */
export function markdownCommentText(text: string): string {
  return oneLine(text).replace(/>/g, "&gt;");
}
