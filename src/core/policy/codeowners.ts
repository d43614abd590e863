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

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;

/**
 * Splits a trimmed line into tokens separated by spaces and tabs, written into `into` from its
 * start; returns how many. Stops at a comment (a token that starts with `#`). A line with a
 * backslash goes through `tokenizeEscaped`.
 */
function tokenize(line: string, into: string[]): number {
  if (line.includes("\\")) return tokenizeEscaped(line, into);
  // A scan rather than a split on a regular expression: one slice per token, nothing else.
  let count = 0;
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    const code = i === line.length ? SPACE : line.charCodeAt(i);
    if (code !== SPACE && code !== TAB) continue;
    if (i > start) {
      if (line.charCodeAt(start) === HASH) break;
      into[count++] = line.slice(start, i);
    }
    start = i + 1;
  }
  return count;
}

/** `tokenize` for a line with `\ ` escapes: an escaped character stays in its token, escape and all. */
function tokenizeEscaped(line: string, into: string[]): number {
  let count = 0;
  let current = "";
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      current += ch + line[i + 1]!;
      inToken = true;
      i++;
    } else if (ch === " " || ch === "\t") {
      if (inToken) into[count++] = current;
      current = "";
      inToken = false;
    } else if (ch === "#" && !inToken) {
      break;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) into[count++] = current;
  return count;
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
  if (!hasWildcardOrEscape(segment)) return { kind: "literal", text: segment };
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

/** Whether a segment has `*`, `?` or `\\` (a scan: cheaper than a regular expression per segment). */
function hasWildcardOrEscape(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code === STAR || code === QUESTION || code === BACKSLASH) return true;
  }
  return false;
}

/** `**`: zero or more whole segments. One object for every pattern (segments are never changed). */
const ANY: PatternSegment = { kind: "any" };

/**
 * Where `compilePattern` gathers a pattern's segments before keeping a copy of exact length (an
 * array grown by push keeps room for 17 elements; one per rule was a third of what a parse
 * kept). One array, reused: compiling is synchronous and never re-entered, and the slots used
 * are reset afterwards so that it holds nothing of the last pattern.
 */
const gathered: PatternSegment[] = [];

/**
 * Compiles a CODEOWNERS pattern into a matcher over a full repository path (no leading
 * slash), or returns why GitHub would reject it.
 */
export function compilePattern(pattern: string): CodeownersPattern | string {
  if (pattern.startsWith("!")) return "negation (!) is not supported in CODEOWNERS";
  if (pattern.startsWith("\\#")) return "escaping a leading # is not supported in CODEOWNERS";
  if (pattern.includes("[") && /(^|[^\\])\[/.test(pattern)) {
    return "character ranges ([ ]) are not supported in CODEOWNERS";
  }
  // The body is the pattern without one trailing slash (a directory) and one leading slash;
  // it is read in place, segment by segment, rather than sliced and split into copies.
  const directoryOnly = pattern.endsWith("/");
  const end = directoryOnly ? pattern.length - 1 : pattern.length;
  const firstSlash = pattern.indexOf("/");
  const anchored = firstSlash !== -1 && firstSlash < end;
  const begin = firstSlash === 0 && end > 0 ? 1 : 0;
  if (begin === end) return "the pattern matches no path";
  let count = 0;
  if (!anchored) gathered[count++] = ANY;
  let last = "";
  let problem: string | undefined;
  for (let from = begin; from <= end; ) {
    const slash = pattern.indexOf("/", from);
    const to = slash === -1 || slash > end ? end : slash;
    if (to === from) {
      problem = "the pattern has an empty path segment (//)";
      break;
    }
    last = pattern.slice(from, to);
    from = to + 1;
    // A trailing `**` is "one or more segments": the tail, not a segment.
    if (last === "**" && to === end) break;
    // Consecutive `**` mean what one does (gitignore's rule).
    if (last === "**" && count > 0 && gathered[count - 1]!.kind === "any") continue;
    gathered[count++] = last === "**" ? ANY : compileSegment(last);
  }
  const segments = gathered.slice(0, count);
  gathered.fill(ANY, 0, count);
  return problem ?? compiledWithTail(segments, last, anchored, directoryOnly);
}

/** The compiled pattern with the tail its last segment's text gives. */
function compiledWithTail(
  segments: PatternSegment[],
  last: string,
  anchored: boolean,
  directoryOnly: boolean,
): CompiledPattern {
  const tail =
    last === "**" || directoryOnly
      ? "descendants"
      : // GitHub: `docs/*` owns only the direct children of docs/, unlike gitignore.
        last === "*" && anchored
        ? "exact"
        : "self-or-descendants";
  const fixed = !segments.some((segment) => segment.kind === "any");
  return new CompiledPattern(segments, tail, fixed);
}

/** A pattern's segments and tail with its matcher (a class: no closures per rule to collect). */
class CompiledPattern implements CodeownersPattern {
  readonly segments: readonly PatternSegment[];
  readonly tail: CodeownersPattern["tail"];
  private readonly fixed: boolean;
  /** `fixed`: no segment is `any`, so the path has one segment per pattern segment. */
  constructor(
    segments: readonly PatternSegment[],
    tail: CodeownersPattern["tail"],
    fixed: boolean,
  ) {
    this.segments = segments;
    this.tail = tail;
    this.fixed = fixed;
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

/** What the lines of one file share while it is parsed. */
interface ParseState {
  /**
   * The current line's tokens, one array for the whole file: an array grown by push starts
   * with room for 17, and one per line was most of a parse's garbage.
   */
  readonly tokens: string[];
  /** Owner tokens already read in this file, with what they gave: an owner or why it is not one. */
  readonly owners: Map<string, Owner | string>;
}

/** One line's rule, or why GitHub skips the line (undefined: nothing to read). */
function parseLine(
  trimmed: string,
  line: number,
  { tokens, owners: read }: ParseState,
): CodeownersRule | string | undefined {
  const count = tokenize(trimmed, tokens);
  if (count === 0) return undefined;
  const pattern = tokens[0]!;
  const compiled = compilePattern(pattern);
  if (typeof compiled === "string") return `pattern "${pattern}": ${compiled}`;
  // Exactly as long as needed (kept with the rule), rather than grown by push.
  const owners = new Array<Owner>(count - 1);
  for (let i = 1; i < count; i++) {
    const text = tokens[i]!;
    // Owners repeat from line to line (teams above all): each token is parsed once per file,
    // and the rules naming it share its Owner (owners are only read after the parse).
    let owner = read.get(text);
    if (owner === undefined) {
      owner = parseOwner(text);
      read.set(text, owner);
    }
    if (typeof owner === "string") return owner;
    owners[i - 1] = owner;
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
  const state: ParseState = { tokens: [], owners: new Map() };
  // Lines end at "\n"; the "\r" of a "\r\n" goes with the rest of the white space `trim` removes.
  for (let start = 0, line = 1; start <= text.length; line++) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const trimmed = text.slice(start, end).trim();
    start = end + 1;
    if (trimmed === "" || trimmed.charCodeAt(0) === HASH) continue;
    const parsed = parseLine(trimmed, line, state);
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
  }
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
