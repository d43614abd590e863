import type { Problem } from "./problem.ts";

/** Problems in reading order: by file, then line, then column; stable for equal positions. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}
