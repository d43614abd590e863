/**
 * Reads the body GitHub renders from a submitted access-request form: one `### <label>`
 * heading per field, then the answer, and `_No response_` for an optional field left empty.
 * The body is the issue author's text (they can also write or edit it by hand), so it is read
 * as untrusted: every problem is located at its line of the body and said in words the author
 * can act on, and nothing here decides more than what each field says.
 */

import type { Problem } from "../source/problem.ts";
import { FORM_FIELDS, type FormField, NO_RESPONSE } from "./issue-form-fields.ts";

/** What problems of an issue body name as their file. */
export const ISSUE_BODY = "issue body";

/** Largest body read: a form's answers are a few lines (GitHub allows 65,536 characters). */
export const MAX_ISSUE_BODY_LENGTH = 64 * 1024;

/** The form's answers, where each heading is, and what is wrong with them. */
export interface ParsedIssueForm {
  /** Each field's answer, trimmed; absent when the section is missing or left empty. */
  fields: Partial<Record<FormField, string>>;
  /** The line of each field's heading in the body (1-based), to point at later problems. */
  lines: Partial<Record<FormField, number>>;
  problems: Problem[];
}

/**
 * The text of a `### Label` line, without GitHub's optional closing `#`s, or undefined when the
 * line is no such heading. Read by hand, in one pass: the body is the author's, and the obvious
 * pattern (`^ {0,3}###[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`) backtracks quadratically on a long
 * line of spaces (5 s of CPU for 60,000 characters).
 */
function headingText(line: string): string | undefined {
  let start = 0;
  while (start < 3 && line[start] === " ") start++;
  const gap = line[start + 3];
  if (!line.startsWith("###", start) || (gap !== " " && gap !== "\t")) return undefined;
  const text = line.slice(start + 4).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  const closed =
    end < text.length && (end === 0 || text[end - 1] === " " || text[end - 1] === "\t");
  return closed ? text.slice(0, end).trim() : text;
}

/** Reads the form's answers from an issue body (null: an issue opened without one). */
export function parseIssueForm(body: string | null | undefined): ParsedIssueForm {
  const result: ParsedIssueForm = { fields: {}, lines: {}, problems: [] };
  const problem = (line: number, message: string, field?: FormField) =>
    result.problems.push({
      file: ISSUE_BODY,
      line,
      column: 1,
      ...(field ? { field } : {}),
      severity: "error",
      message,
    });
  if (body === null || body === undefined || body.trim() === "") {
    problem(1, "the issue has no body: open it from the access-request form.");
    return result;
  }
  if (body.length > MAX_ISSUE_BODY_LENGTH) {
    problem(
      1,
      `the issue body is ${body.length} characters long, more than the ${MAX_ISSUE_BODY_LENGTH} a form's answers need: shorten the reason.`,
    );
    return result;
  }
  const sections = readSections(body.split(/\r\n|\r|\n/), problem);
  for (const { field, label, required } of FORM_FIELDS) {
    const section = sections.get(field);
    if (!section) {
      problem(
        1,
        `the "${label}" section is missing: open the issue from the access-request form, or add a "### ${label}" line followed by the answer.`,
        field,
      );
      continue;
    }
    result.lines[field] = section.line;
    const value = section.text.join("\n").trim();
    if (value === "" || value === NO_RESPONSE) {
      if (required) problem(section.line, `"${label}" has no answer: give one.`, field);
      continue;
    }
    if (field !== "reason" && value.includes("\n")) {
      problem(section.line, `"${label}" must be one line: keep only the answer.`, field);
      continue;
    }
    result.fields[field] = value;
  }
  return result;
}

interface Section {
  line: number;
  text: string[];
}

/**
 * The body's sections by field. A heading that is not a field's label is part of the answer it
 * stands in (a reason may hold headings); text before the first field is the form's own.
 */
function readSections(
  lines: string[],
  problem: (line: number, message: string, field?: FormField) => void,
): Map<FormField, Section> {
  const sections = new Map<FormField, Section>();
  let current: Section | undefined;
  lines.forEach((text, index) => {
    const heading = headingText(text)?.toLowerCase();
    const field = FORM_FIELDS.find((f) => f.label.toLowerCase() === heading);
    if (!field) {
      current?.text.push(text);
      return;
    }
    const line = index + 1;
    if (sections.has(field.field)) {
      problem(
        line,
        `"${field.label}" appears twice (lines ${sections.get(field.field)!.line} and ${line}): keep one "### ${field.label}" section.`,
        field.field,
      );
      current = undefined;
      return;
    }
    current = { line, text: [] };
    sections.set(field.field, current);
  });
  return sections;
}
