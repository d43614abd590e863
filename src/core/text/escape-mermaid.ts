/**
 * Escaping for Mermaid diagrams (the gantt timelines of the dashboard and the audit summary).
 * Mermaid has no escape that every renderer honours, so a label keeps only characters that
 * are plain text in every diagram: letters, digits, spaces and `_ . , @ / ( ) + = * ' -`.
 * Everything else (`:` and `,` start a task's data, `;` and line breaks end a statement, `#`
 * an entity, `%%` a comment, `-->` or `|` an edge in a flowchart, `<` HTML) becomes a space.
 * Pure.
 */

/** Words that open a statement when a gantt line starts with them. */
const STATEMENT =
  /^(title|section|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|weekday|weekend|click|call|href|inclusiveenddates|topaxis|acctitle|accdescr|displaymode|vert|classdef|class|style|linkstyle|subgraph|end)\b/i;

/**
 * A label that Mermaid shows as text: unsafe characters become spaces, runs of spaces one, and
 * a label that would start with a statement word (`click`, `section`…) gets `· ` before it.
 * Commas are kept: only the text after a task's `:` is split at them.
 */
export function mermaidLabel(text: string): string {
  const label = text
    .replace(/[^\p{L}\p{N} _.,@/()+=*'-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (label === "") return "(none)";
  return STATEMENT.test(label) ? `· ${label}` : label;
}
