/**
 * CODEOWNERS compiled for many lookups (every file of a pull request, every event on one base
 * commit): the rules are bucketed by what a matching path must contain, so a lookup tries only
 * the rules that could match, latest first, and stops at the first that does. The answer is
 * exactly `matchOwners`' (the last matching line wins); a randomized test holds them equal.
 *
 * - An anchored pattern that starts with literal names (`/services/api/`, `apps/github`) is
 *   filed under that prefix: the path's own prefixes are looked up, one per depth.
 * - Otherwise, a pattern whose first name after a leading `**` is literal (`logs`, `apps/`,
 *   `**\/generated/**`) is filed under that name: each segment of the path is looked up.
 * - Otherwise, a pattern whose first name is a glob ending in text with a dot (`*.js`,
 *   `*-test.ts`, `?.md`) is filed under its final extension: each segment's extension is
 *   looked up.
 * - What is left (`*`, `**`, `*.j?`, `*\/x`) is tried in turn, latest first, and only while it
 *   could still beat the best rule found.
 */

import type { Codeowners, CodeownersRule, OwnersMatch, PatternSegment } from "./codeowners.ts";

/** A `Codeowners` compiled for lookups; build it once per base commit and keep it. */
export interface CodeownersIndex {
  readonly codeowners: Codeowners;
  /** The owners of `path` (repository-relative, no leading slash), as `matchOwners` finds. */
  match(path: string): OwnersMatch | undefined;
}

interface Buckets {
  /** Anchored literal prefixes (`a/b`) to the indexes of their rules. */
  prefixes: Map<string, number[]>;
  /** The deepest prefix filed, in segments: deeper prefixes of a path need no lookup. */
  deepestPrefix: number;
  /** A literal name that must appear somewhere in the path. */
  names: Map<string, number[]>;
  /** A final extension (`.js`) that some segment of the path must end with. */
  extensions: Map<string, number[]>;
  /** Rules tried on every lookup, latest first. */
  rest: number[];
}

/** Compiles `codeowners` into an index; linear in the number of rules. */
export function compileCodeowners(codeowners: Codeowners): CodeownersIndex {
  const buckets: Buckets = {
    prefixes: new Map(),
    deepestPrefix: 0,
    names: new Map(),
    extensions: new Map(),
    rest: [],
  };
  codeowners.rules.forEach((rule, index) => {
    file(buckets, rule, index);
  });
  buckets.rest.reverse();
  return {
    codeowners,
    match: (path) => lookup(codeowners.rules, buckets, path.split("/")),
  };
}

function add(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list) list.push(index);
  else map.set(key, [index]);
}

/** Files rule `index` in the most selective bucket its pattern allows. */
function file(buckets: Buckets, rule: CodeownersRule, index: number): void {
  const segments = rule.compiled.segments;
  const literals = leadingLiterals(segments);
  if (literals.length > 0) {
    add(buckets.prefixes, literals.join("/"), index);
    buckets.deepestPrefix = Math.max(buckets.deepestPrefix, literals.length);
    return;
  }
  const first = segments.find((segment) => segment.kind !== "any");
  if (first?.kind === "literal") {
    add(buckets.names, first.text, index);
    return;
  }
  const extension = first?.kind === "glob" ? finalExtension(first.codes) : undefined;
  if (extension !== undefined) add(buckets.extensions, extension, index);
  else buckets.rest.push(index);
}

function leadingLiterals(segments: readonly PatternSegment[]): string[] {
  const literals: string[] = [];
  for (const segment of segments) {
    if (segment.kind !== "literal") break;
    literals.push(segment.text);
  }
  return literals;
}

/**
 * The extension a segment must end with to match `codes`: the last dot of the literal text after
 * the glob's last wildcard (`*.tar.gz` and `test-?.gz` give `.gz`; a matching segment ends with
 * that text, so its own last dot is there). Undefined when that text has no dot (`*`, `*.j?`).
 */
function finalExtension(codes: readonly number[]): string | undefined {
  const tail = String.fromCharCode(...codes.slice(codes.findLastIndex((code) => code < 0) + 1));
  const dot = tail.lastIndexOf(".");
  return dot === -1 ? undefined : tail.slice(dot);
}

/** The last rule matching `path`: candidates from the buckets, latest first, then the rest. */
function lookup(
  rules: readonly CodeownersRule[],
  buckets: Buckets,
  path: readonly string[],
): OwnersMatch | undefined {
  const candidates = candidatesFor(buckets, path);
  let best = -1;
  for (const index of candidates) {
    if (rules[index]!.compiled.matches(path)) {
      best = index;
      break;
    }
  }
  for (const index of buckets.rest) {
    if (index < best) break;
    if (rules[index]!.compiled.matches(path)) {
      best = index;
      break;
    }
  }
  const rule = rules[best];
  return rule ? { owners: rule.owners, rule } : undefined;
}

/** The indexes of the bucketed rules that could match `path`, latest first, each once. */
function candidatesFor(buckets: Buckets, path: readonly string[]): number[] {
  const found: number[] = [];
  const collect = (list: number[] | undefined): void => {
    if (list) for (const index of list) found.push(index);
  };
  let prefix = "";
  const depth = Math.min(path.length, buckets.deepestPrefix);
  for (let i = 0; i < depth; i++) {
    prefix = i === 0 ? path[0]! : `${prefix}/${path[i]!}`;
    collect(buckets.prefixes.get(prefix));
  }
  for (const segment of path) {
    collect(buckets.names.get(segment));
    const dot = segment.lastIndexOf(".");
    if (dot !== -1) collect(buckets.extensions.get(segment.slice(dot)));
  }
  found.sort((a, b) => b - a);
  return found.filter((index, i) => i === 0 || found[i - 1] !== index);
}
