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
 *   middle (`a/**\/b`) and at the end (`a/**`); consecutive `**` mean one (gitignore's rule).
 *   `docs/*` matches direct children only. Patterns are matched segment by segment, never as
 *   backtracking regular expressions: a line full of `**` costs no more than it has segments.
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
  /** The pattern, compiled. */
  compiled: CodeownersPattern;
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
  if (!line.includes("\\")) {
    // Without escapes a token ends at a space or tab, and a comment starts at a token's `#`.
    const tokens = line.split(/[ \t]+/);
    const comment = tokens.findIndex((token) => token.startsWith("#"));
    return comment === -1 ? tokens : tokens.slice(0, comment);
  }
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

/**
 * A compiled CODEOWNERS pattern: path segments matched one by one, never a backtracking
 * regular expression, so a line with many `**` costs (pattern segments x path segments) steps
 * on the deepest path rather than a number that grows with each `**`.
 */
export interface CodeownersPattern {
  /** The pattern's segments; an unanchored pattern starts with `any` (`**\/`). */
  readonly segments: readonly PatternSegment[];
  /**
   * What may follow the last segment: nothing (`docs/*`), at least one more segment (a
   * trailing slash or `/**`), or any number (a file or a directory and all it holds).
   */
  readonly tail: "exact" | "descendants" | "self-or-descendants";
  /** Whether the pattern matches `path` (repository-relative, no leading slash). */
  test(path: string): boolean;
  /** Whether the pattern matches a path already split at `/`. */
  matches(segments: readonly string[]): boolean;
}

/**
 * One segment of a pattern: a literal name, a glob (`*` and `?`, as character codes with
 * `GLOB_STAR` and `GLOB_ONE` for the wildcards), or `any`: zero or more whole segments (`**`).
 */
export type PatternSegment =
  | { kind: "literal"; text: string }
  | { kind: "glob"; codes: readonly number[] }
  | { kind: "any" };

/** In a glob's codes: `*`, any run of characters but `/`. */
export const GLOB_STAR = -1;
/** In a glob's codes: `?`, one character but `/`. */
export const GLOB_ONE = -2;

/** Parses one path segment's glob (`*`, `?`, `\x`): a literal when it has no wildcard. */
function compileSegment(segment: string): PatternSegment {
  if (!/[*?\\]/.test(segment)) return { kind: "literal", text: segment };
  const codes: number[] = [];
  let wild = false;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === "\\" && i + 1 < segment.length) {
      codes.push(segment.charCodeAt(++i));
    } else if (ch === "*") {
      // Consecutive asterisks inside a segment are ordinary asterisks (gitignore rule).
      while (segment[i + 1] === "*") i++;
      codes.push(GLOB_STAR);
      wild = true;
    } else if (ch === "?") {
      codes.push(GLOB_ONE);
      wild = true;
    } else {
      codes.push(segment.charCodeAt(i));
    }
  }
  return wild ? { kind: "glob", codes } : { kind: "literal", text: String.fromCharCode(...codes) };
}

/**
 * Whether a glob matches one whole segment. Greedy with a return to the last `*` only: at
 * most (glob length x segment length) steps, never exponential.
 */
function matchGlob(codes: readonly number[], text: string): boolean {
  let g = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const code = codes[g];
    if (code === GLOB_STAR) {
      starAt = g++;
      resumeAt = t;
    } else if (code !== undefined && (code === GLOB_ONE || code === text.charCodeAt(t))) {
      g++;
      t++;
    } else if (starAt !== -1) {
      g = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (codes[g] === GLOB_STAR) g++;
  return g === codes.length;
}

function segmentMatches(segment: PatternSegment, text: string): boolean {
  if (segment.kind === "literal") return segment.text === text;
  if (segment.kind === "glob") return matchGlob(segment.codes, text);
  return true;
}

function tailAllows(tail: CodeownersPattern["tail"], left: number): boolean {
  return tail === "exact" ? left === 0 : tail === "descendants" ? left > 0 : true;
}

/**
 * Scratch space for `matchSegments`, shared: matching is synchronous and never re-entered, and
 * allocating per rule or per call made garbage collection the largest cost of a parse.
 */
let scratch = { live: new Uint8Array(64), next: new Uint8Array(64) };

/**
 * Whether `pattern` matches the path split into `path`. The set of pattern positions reached
 * is carried along the path (an automaton, not backtracking): O(pattern x path) steps.
 */
function matchSegments(
  { segments, tail }: Pick<CodeownersPattern, "segments" | "tail">,
  path: readonly string[],
): boolean {
  const size = segments.length;
  if (scratch.live.length <= size) {
    scratch = { live: new Uint8Array(size + 1), next: new Uint8Array(size + 1) };
  }
  let { live, next } = scratch;
  live.fill(0, 0, size + 1);
  live[0] = 1;
  for (let at = 0; ; at++) {
    // `**` may match no segment: whoever stands before it also stands after it.
    for (let p = 0; p < size; p++) if (live[p] && segments[p]!.kind === "any") live[p + 1] = 1;
    const left = path.length - at;
    if (live[size] && tailAllows(tail, left)) return true;
    if (left === 0) return false;
    next.fill(0, 0, size + 1);
    let reached = false;
    for (let p = 0; p < size; p++) {
      if (!live[p]) continue;
      const segment = segments[p]!;
      const to = segment.kind === "any" ? p : segmentMatches(segment, path[at]!) ? p + 1 : -1;
      if (to !== -1) next[to] = 1;
      reached ||= to !== -1;
    }
    if (!reached) return false;
    [live, next] = [next, live];
  }
}

/** Whether a pattern without `**` matches: one segment of the path for each of its own. */
function matchFixed(
  { segments, tail }: Pick<CodeownersPattern, "segments" | "tail">,
  path: readonly string[],
): boolean {
  if (path.length < segments.length || !tailAllows(tail, path.length - segments.length)) {
    return false;
  }
  return segments.every((segment, i) => segmentMatches(segment, path[i]!));
}

/**
 * Compiles a CODEOWNERS pattern into a matcher over a full repository path (no leading
 * slash), or returns why GitHub would reject it.
 */
export function compilePattern(pattern: string): CodeownersPattern | string {
  if (pattern.startsWith("!")) return "negation (!) is not supported in CODEOWNERS";
  if (pattern.startsWith("\\#")) return "escaping a leading # is not supported in CODEOWNERS";
  if (/(^|[^\\])\[/.test(pattern)) return "character ranges ([ ]) are not supported in CODEOWNERS";
  let body = pattern;
  const directoryOnly = body.endsWith("/");
  if (directoryOnly) body = body.slice(0, -1);
  const anchored = body.includes("/");
  if (body.startsWith("/")) body = body.slice(1);
  if (body === "") return "the pattern matches no path";
  const texts = body.split("/");
  if (texts.some((s) => s === "")) return "the pattern has an empty path segment (//)";

  const last = texts[texts.length - 1]!;
  // A trailing `**` is "one or more segments": the tail, not a segment.
  if (last === "**") texts.pop();
  const segments: PatternSegment[] = anchored ? [] : [{ kind: "any" }];
  for (const text of texts) {
    // Consecutive `**` mean what one does (gitignore's rule).
    if (text === "**" && segments.at(-1)?.kind === "any") continue;
    segments.push(text === "**" ? { kind: "any" } : compileSegment(text));
  }
  const tail =
    last === "**" || directoryOnly
      ? "descendants"
      : // GitHub: `docs/*` owns only the direct children of docs/, unlike gitignore.
        last === "*" && anchored
        ? "exact"
        : "self-or-descendants";
  return new CompiledPattern(segments, tail);
}

/** A pattern's segments and tail with its matcher (a class: no closures per rule to collect). */
class CompiledPattern implements CodeownersPattern {
  readonly segments: readonly PatternSegment[];
  readonly tail: CodeownersPattern["tail"];
  private readonly fixed: boolean;
  constructor(segments: readonly PatternSegment[], tail: CodeownersPattern["tail"]) {
    this.segments = segments;
    this.tail = tail;
    this.fixed = !segments.some((segment) => segment.kind === "any");
  }

  matches(path: readonly string[]): boolean {
    return this.fixed ? matchFixed(this, path) : matchSegments(this, path);
  }

  test(path: string): boolean {
    return this.matches(path.split("/"));
  }
}

/** GitHub does not load a CODEOWNERS file of 3 MB or more: nothing is owned then. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

/** One line's rule, or why GitHub skips the line (undefined: nothing to read). */
function parseLine(trimmed: string, line: number): CodeownersRule | string | undefined {
  const [pattern, ...ownerTexts] = tokenize(trimmed);
  if (pattern === undefined) return undefined;
  const compiled = compilePattern(pattern);
  if (typeof compiled === "string") return `pattern "${pattern}": ${compiled}`;
  const owners: Owner[] = [];
  for (const text of ownerTexts) {
    const owner = parseOwner(text);
    if (typeof owner === "string") return owner;
    owners.push(owner);
  }
  return { pattern, owners, line, compiled };
}

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
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const line = index + 1;
    const parsed = parseLine(trimmed, line);
    if (typeof parsed === "object") rules.push(parsed);
    else if (parsed !== undefined) {
      problems.push({
        file: path,
        line,
        column: 1,
        severity: "error",
        message: `${parsed}; GitHub ignores this line`,
      });
    }
  });
  return { path, rules, problems };
}

/**
 * The owners of `path` (repository-relative, no leading slash): the last matching rule wins.
 * Tries every rule; `compileCodeowners` finds the same rule without that, for many lookups.
 */
export function matchOwners(codeowners: Codeowners, path: string): OwnersMatch | undefined {
  const segments = path.split("/");
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.compiled.matches(segments)) return { owners: rule.owners, rule };
  }
  return undefined;
}
