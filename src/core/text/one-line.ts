/**
 * A value on one line, for any rendering that reads a line break as structure (a Markdown
 * block, a table row, a Slack message's next line). Pure.
 */

/**
 * Line breaks and tabs become a space; other control characters go (they show as nothing or
 * garbage, never as text anyone wrote on purpose), and so do bidirectional overrides and
 * isolates, which would show the text around them in another order than it is read ("Trojan
 * Source"): without them, it reads as it is.
 */
export function oneLine(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\t\v\f]+/g, " ")
    .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, "");
}
