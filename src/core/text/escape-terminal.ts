/**
 * Escaping for a terminal: untrusted text (a command-line argument echoed in an error, a message
 * that quotes one) printed raw could move the cursor, clear the screen, forge a hyperlink
 * (OSC 8) or a line that seems to come from hallpass, or show itself reversed (bidirectional
 * controls, "Trojan Source"). Escaped, it shows as what was typed. Pure.
 */

/** C0, DEL and C1 controls, line and paragraph separators, bidirectional controls and marks. */
const UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every character that a terminal would act on written as an escape (`\n`, `\r`,
 * `\t`, otherwise `\u001b`), so it stays on one line and shows as itself. Other text, including
 * every printable non-ASCII letter, is unchanged.
 */
export function terminalText(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
