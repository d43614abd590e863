/**
 * CODEOWNERS with GitHub's semantics, not gitignore's and not any npm parser's:
 *
 * - The file is read from the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`
 *   that exists (at the pull request's base commit: a PR must not pick its own owners).
 * - A line is `pattern owner...`; `#` starts a comment (a whole line, or after whitespace).
 *   The last matching line wins. A matching line with no owners leaves the path unowned.
 * - A pattern without a slash (other than a trailing one) matches at any depth; any other
 *   slash anchors it at the root. A trailing slash matches a directory and everything in it.
 *   `*` and `?` never cross a `/`; `**` spans directories at the start (`**\/logs`), in the
 *   middle (`a/**\/b`) and at the end (`a/**`). `docs/*` matches direct children only.
 * - Negation (`!`) and character ranges (`[ ]`) are not supported by GitHub: such lines are
 *   invalid, and GitHub skips invalid lines, so we do too (and report them).
 * - Paths are case-sensitive; owners (`@login`, `@org/team`, `user@example.com`) are not.
 */

import type { Problem } from "../source/problem.ts";

/** Where GitHub looks for CODEOWNERS, in order: the first file that exists is used. */
export const CODEOWNERS_LOCATIONS = [
  ".github/CODEOWNERS",
  "CODEOWNERS",
  "docs/CODEOWNERS",
] as const;

/** An owner as written in CODEOWNERS. Logins and team slugs are lower-cased (case-insensitive). */
export type Owner =
  | { kind: "user"; login: string; text: string }
  | { kind: "team"; org: string; slug: string; text: string }
  | { kind: "email"; email: string; text: string };

/** One valid CODEOWNERS line. */
export interface CodeownersRule {
  pattern: string;
  owners: Owner[];
  /** 1-based line number in the file, for messages. */
  line: number;
  /** Full-path matcher compiled from the pattern. */
  regex: RegExp;
}

export interface Codeowners {
  /** Repository path of the file the rules came from. */
  path: string;
  rules: CodeownersRule[];
  /** Lines GitHub would skip, with the reason. */
  problems: Problem[];
}

/** The owners of one path: the rule that won, or undefined when no rule matches. */
export interface OwnersMatch {
  owners: Owner[];
  rule: CodeownersRule;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM_SLUG = /^[A-Za-z0-9._-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Parses an owner token, or returns why it is not one. */
export function parseOwner(text: string): Owner | string {
  if (text.startsWith("@")) {
    const body = text.slice(1);
    const slash = body.indexOf("/");
    if (slash === -1) {
      return LOGIN.test(body)
        ? { kind: "user", login: body.toLowerCase(), text }
        : `"${text}" is not a valid user`;
    }
    const org = body.slice(0, slash);
    const slug = body.slice(slash + 1);
    return LOGIN.test(org) && TEAM_SLUG.test(slug)
      ? { kind: "team", org: org.toLowerCase(), slug: slug.toLowerCase(), text }
      : `"${text}" is not a valid team (write @org/team-slug)`;
  }
  return EMAIL.test(text)
    ? { kind: "email", email: text.toLowerCase(), text }
    : `"${text}" is not an owner: write @login, @org/team-slug or an email address`;
}

/** Splits a line into whitespace-separated tokens, honouring `\ ` escapes; stops at a comment. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      current += ch + line[i + 1]!;
      inToken = true;
      i++;
    } else if (ch === " " || ch === "\t") {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else if (ch === "#" && !inToken) {
      break;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates one path segment's glob (`*`, `?`, `\x`) to a regex fragment. */
function segmentToRegex(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === "\\" && i + 1 < segment.length) {
      out += escapeRegex(segment[i + 1]!);
      i++;
    } else if (ch === "*") {
      // Consecutive asterisks inside a segment are ordinary asterisks (gitignore rule).
      while (segment[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (ch === "?") {
      out += "[^/]";
    } else {
      out += escapeRegex(ch);
    }
  }
  return out;
}

/**
 * Compiles a CODEOWNERS pattern into a regex over a full repository path (no leading slash),
 * or returns why GitHub would reject it.
 */
export function compilePattern(pattern: string): RegExp | string {
  if (pattern.startsWith("!")) return "negation (!) is not supported in CODEOWNERS";
  if (pattern.startsWith("\\#")) return "escaping a leading # is not supported in CODEOWNERS";
  if (/(^|[^\\])\[/.test(pattern)) return "character ranges ([ ]) are not supported in CODEOWNERS";
  let body = pattern;
  const directoryOnly = body.endsWith("/");
  if (directoryOnly) body = body.slice(0, -1);
  const anchored = body.includes("/");
  if (body.startsWith("/")) body = body.slice(1);
  if (body === "") return "the pattern matches no path";
  const segments = body.split("/");
  if (segments.some((s) => s === "")) return "the pattern has an empty path segment (//)";

  let re = anchored ? "^" : "^(?:.*/)?";
  const last = segments.length - 1;
  segments.forEach((segment, i) => {
    if (segment === "**") {
      if (i === 0 && i === last) re += ".+";
      else if (i === 0) re += "(?:.*/)?";
      else if (i === last) re += "/.+";
      else re += "/(?:.*/)?";
      return;
    }
    if (i > 0 && segments[i - 1] !== "**") re += "/";
    re += segmentToRegex(segment);
  });
  const lastSegment = segments[last]!;
  if (lastSegment === "**") re += "$";
  else if (directoryOnly) re += "/.+$";
  // GitHub: `docs/*` owns only the direct children of docs/, unlike gitignore.
  else if (lastSegment === "*" && anchored) re += "$";
  else re += "(?:/.+)?$";
  return new RegExp(re);
}

/** GitHub does not load a CODEOWNERS file of 3 MB or more: nothing is owned then. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

/** Parses CODEOWNERS text. Invalid lines are skipped, as GitHub does, and reported. */
export function parseCodeowners(path: string, text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const problems: Problem[] = [];
  if (Buffer.byteLength(text, "utf8") >= MAX_CODEOWNERS_BYTES) {
    problems.push({
      file: path,
      line: 1,
      column: 1,
      severity: "error",
      message:
        "CODEOWNERS is 3 MB or larger, so GitHub ignores the whole file (and so does hallpass): shorten it, for example with directory patterns and teams",
    });
    return { path, rules, problems };
  }
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const problem = (message: string): void => {
      problems.push({
        file: path,
        line,
        column: 1,
        severity: "error",
        message: `${message}; GitHub ignores this line`,
      });
    };
    const [pattern, ...ownerTexts] = tokenize(trimmed);
    if (pattern === undefined) return;
    const regex = compilePattern(pattern);
    if (typeof regex === "string") {
      problem(`pattern "${pattern}": ${regex}`);
      return;
    }
    const owners: Owner[] = [];
    for (const text of ownerTexts) {
      const owner = parseOwner(text);
      if (typeof owner === "string") {
        problem(owner);
        return;
      }
      owners.push(owner);
    }
    rules.push({ pattern, owners, line, regex });
  });
  return { path, rules, problems };
}

/** The owners of `path` (repository-relative, no leading slash): the last matching rule wins. */
export function matchOwners(codeowners: Codeowners, path: string): OwnersMatch | undefined {
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.regex.test(path)) return { owners: rule.owners, rule };
  }
  return undefined;
}
