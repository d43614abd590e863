/**
 * A problem found in a file, located so that editors, check-run annotations, `core.error`
 * and the CLI's stderr can all point at it. Validation collects every problem of a file
 * instead of stopping at the first.
 */

import { terminalText } from "../text/escape-terminal.ts";

export interface Problem {
  /** Repository-relative path of the file, with forward slashes. */
  file: string;
  /** 1-based line; 1 when the problem is about the whole file. */
  line: number;
  /** 1-based column; 1 when the problem is about the whole file or line. */
  column: number;
  /** The field the problem is about, dotted (`roles.db-admin.maxDuration`), when there is one. */
  field?: string;
  severity: "error" | "warning";
  /** What is wrong and what to do about it, in one or two sentences. */
  message: string;
}

/** Renders a problem as `path:line:column: severity: message`, the form editors link. */
export function formatProblem(problem: Problem): string {
  const where = problemLocation(problem);
  const field = problem.field ? ` (${problem.field})` : "";
  return `${where}: ${problem.severity}: ${oneLine(problem.message)}${oneLine(field)}`;
}

/**
 * `path:line:column` of a problem. A file's name comes from whoever added the file (a pull
 * request), and the YAML reader refuses control characters in content, never in names: they
 * are escaped here, so a name cannot move the cursor or forge a line on a terminal.
 */
export function problemLocation(problem: Problem): string {
  return `${terminalText(problem.file)}:${problem.line}:${problem.column}`;
}

/**
 * Line breaks quoted from a file (a block scalar's value) written as escapes: one problem stays
 * one line, so an editor links it and a value cannot pose as another problem's line.
 */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]/g, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** True when any problem is an error (warnings never block). */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}
