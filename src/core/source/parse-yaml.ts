import {
  CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  parseAllDocuments,
} from "yaml";
import type { Problem } from "./problem.ts";
import type { SourceFile } from "./source-file.ts";

/**
 * Parses one hand-written YAML file (a request or a policy file) into a plain value, keeping
 * what is needed to point every later problem at its line and column.
 *
 * Files come from pull requests, so they may be hostile: every failure is a located problem,
 * never an exception, and the work is bounded (size cap before parsing, alias expansion cap,
 * no custom tags, YAML 1.2 core schema so `yes` stays a string and timestamps stay text).
 */

/** A parsed file: its value and a way back from a field path to the text. */
export interface ParsedYaml {
  /**
   * The document as plain data (mappings become objects). Always a mapping at the root. Where
   * a key is duplicated, it holds the key's last value, as JSON.parse and most YAML loaders
   * would, so that later checks judge what a lenient tool would act on.
   */
  value: Record<string, unknown>;
  /**
   * Where a field is written: the key (`part: "key"`) or its value (default). When the path
   * does not exist (a missing field), the closest existing parent mapping is returned. A
   * duplicated key is located at its last occurrence, the one `value` holds.
   */
  locate(path: readonly PropertyKey[], part?: "key" | "value"): Position;
}

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export interface ParseYamlOptions {
  /** Largest accepted file, in bytes; larger files are refused before parsing. */
  maxBytes: number;
  /** What the file is, for messages: "request file", "policy file". */
  kind: string;
}

/** Most duplicate-key problems listed for one file. */
const MAX_KEY_PROBLEMS = 50;

/** Deepest nesting of mappings and lists accepted: a policy file needs about ten levels. */
const MAX_DEPTH = 32;

/** Most times one file may expand aliases (`*name`): stops "billion laughs" documents. */
const MAX_ALIAS_COUNT = 50;

/**
 * Parses `file` as one YAML mapping; `problems` holds every syntax problem found, all located.
 *
 * Returns `parsed` when the document could be read, which is not the same as valid: duplicate
 * keys are errors in `problems`, yet `parsed` is still returned (holding each key's last value)
 * so that schema and rule checks can report the rest of the file's problems at once. Callers
 * must treat the file as invalid whenever `problems` holds an error. Every other syntax error
 * (and a non-text key, whose meaning is unclear) leaves `parsed` undefined.
 */
export function parseYaml(
  file: SourceFile,
  options: ParseYamlOptions,
): { parsed: ParsedYaml | undefined; problems: Problem[] } {
  const at = (position: Position, message: string): Problem => ({
    file: file.path,
    line: position.line,
    column: position.column,
    severity: "error",
    message,
  });
  // 1. Bytes to text, refusing what no YAML reader should see.
  const text = readText(file, options, at);
  if (typeof text !== "string") return { parsed: undefined, problems: text };

  // 2. Text to documents, with positions.
  const lineCounter = new LineCounter();
  const where = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const documents = parseDocuments(text, lineCounter, options);
  if (typeof documents === "string") {
    return { parsed: undefined, problems: [at(START, documents)] };
  }
  if (documents.length === 0 || documents[0]?.contents == null) {
    return {
      parsed: undefined,
      problems: [
        at(
          START,
          `the ${options.kind} is empty: write its fields as "key: value" lines (see the README for an example).`,
        ),
      ],
    };
  }

  // 3. The document's syntax and key problems.
  const document = documents[0];
  const { problems, readable } = documentProblems(documents, text, options.kind, where, at);
  if (!readable) return { parsed: undefined, problems };

  // 4. The document to data: a mapping, with bounded alias expansion.
  const value = toMapping(document, options.kind, where, at);
  if ("problem" in value) return { parsed: undefined, problems: [...problems, value.problem] };
  return {
    parsed: {
      value: value.mapping,
      locate: (path, part = "value") => where(offsetOf(document, path, part)),
    },
    problems,
  };
}

const START: Position = { line: 1, column: 1 };

type LocateProblem = (position: Position, message: string) => Problem;

/** The file's text, or the one problem that stops reading it (encoding, size, raw text). */
function readText(
  file: SourceFile,
  options: ParseYamlOptions,
  at: LocateProblem,
): string | Problem[] {
  const decoded = decode(file.content, options);
  if (!decoded.ok) return [at(decoded.position, decoded.message)];
  const text = decoded.text;
  const unreadable = rawTextProblem(text, options.kind);
  if (unreadable) return [at(positionOf(text, unreadable.index), unreadable.message)];
  return text;
}

/** The YAML documents in `text`, or why the parser gave up. */
function parseDocuments(
  text: string,
  lineCounter: LineCounter,
  options: ParseYamlOptions,
): Document.Parsed[] | string {
  try {
    return parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      version: "1.2",
      schema: "core",
      // The yaml package compares every key with every other (quadratic: seconds for a file of
      // a few thousand keys); duplicates are found below in one pass instead.
      uniqueKeys: false,
      strict: true,
      // YAML 1.1's !!binary, !!set, !!omap and !!timestamp would become bytes, sets, maps and
      // dates that no field takes, with a message about "a mapping": refuse them as tags.
      resolveKnownTags: false,
    }) as Document.Parsed[];
  } catch (error) {
    return parserFailure(error, options.kind);
  }
}

/**
 * Every syntax problem of the first document (and a second document's presence), then its key
 * problems; `readable` is false when anything but duplicate keys was found.
 */
function documentProblems(
  documents: readonly Document.Parsed[],
  text: string,
  kind: ParseYamlOptions["kind"],
  where: (offset: number) => Position,
  at: LocateProblem,
): { problems: Problem[]; readable: boolean } {
  const problems: Problem[] = [];
  const document = documents[0]!;
  if (documents.length > 1) {
    const second = documents[1]!;
    problems.push(
      at(
        where(second.range[0]),
        `the ${kind} holds ${documents.length} YAML documents (separated by "---"); a file holds exactly one. Move each request or policy set into its own file.`,
      ),
    );
  }

  for (const { offset, message } of syntaxProblems(document, text, kind, where)) {
    problems.push(at(where(offset), message));
  }
  // Duplicate keys alone still let the document be read (the last value wins); anything else
  // found here, like every syntax error above, stops before the document is turned into data.
  if (problems.length > 0) return { problems, readable: false };
  const found = keyProblems(document, where, kind);
  for (const { offset, message, field } of found.slice(0, MAX_KEY_PROBLEMS)) {
    problems.push({ ...at(where(offset), message), ...(field ? { field } : {}) });
  }
  if (found.length > MAX_KEY_PROBLEMS) {
    problems.push(
      at(
        START,
        `${found.length - MAX_KEY_PROBLEMS} more key problems in this file are not listed; fix the listed ones first.`,
      ),
    );
  }
  return { problems, readable: found.every((problem) => problem.readable) };
}

/** The document as a mapping of fields, or the problem that stops it becoming one. */
function toMapping(
  document: Document.Parsed,
  kind: ParseYamlOptions["kind"],
  where: (offset: number) => Position,
  at: LocateProblem,
): { mapping: Record<string, unknown> } | { problem: Problem } {
  const root = document.contents;
  if (!isMap(root)) {
    const got = isSeq(root) ? "a list" : isScalar(root) ? "a single value" : "an alias";
    return {
      problem: at(
        where(root?.range?.[0] ?? 0),
        `the ${kind} must be a mapping of fields ("key: value" lines), but it is ${got}.`,
      ),
    };
  }
  try {
    return {
      mapping: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>,
    };
  } catch (error) {
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `the ${kind} expands aliases (*name) too many times (more than ${MAX_ALIAS_COUNT}); write the values out instead.`
        : parserFailure(error, kind);
    return { problem: at(START, message) };
  }
}

type Decoded = { ok: true; text: string } | { ok: false; position: Position; message: string };

function decode(content: string | Uint8Array, options: ParseYamlOptions): Decoded {
  const start = { line: 1, column: 1 };
  const limit = `${Math.round(options.maxBytes / 1024)} KiB`;
  const tooLarge = (size: string): Decoded => ({
    ok: false,
    position: start,
    message: `the ${options.kind} is ${size}, more than the ${limit} allowed; a ${options.kind} is a few lines of YAML. Split it or remove what does not belong.`,
  });
  if (typeof content === "string") {
    if (content.length > options.maxBytes) return tooLarge(`over ${limit}`);
    const bytes = new TextEncoder().encode(content).byteLength;
    if (bytes > options.maxBytes) return tooLarge(`${bytes} bytes`);
    return { ok: true, text: stripBom(content) };
  }
  if (content.byteLength > options.maxBytes) return tooLarge(`${content.byteLength} bytes`);
  try {
    // fatal: refuse invalid UTF-8 rather than silently replacing bytes a reviewer cannot see.
    return { ok: true, text: stripBom(new TextDecoder("utf-8", { fatal: true }).decode(content)) };
  } catch {
    const lossy = new TextDecoder("utf-8").decode(content);
    const index = lossy.indexOf("\uFFFD");
    return {
      ok: false,
      position: positionOf(lossy, Math.max(0, index)),
      message: `the ${options.kind} is not valid UTF-8 text (a binary file, or another encoding such as Latin-1 or UTF-16). Save it as UTF-8.`,
    };
  }
}

/**
 * Bidirectional formatting characters (embeddings, overrides, isolates): editors and GitHub show
 * the text around them in another order than it is read ("Trojan Source", CVE-2021-42574), so a
 * reviewer could approve what they did not see.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** Why the decoded text is not read at all (a control or bidirectional character), if so. */
function rawTextProblem(
  text: string,
  kind: string,
): { index: number; message: string } | undefined {
  const control = firstControlCharacter(text);
  if (control !== -1) {
    return {
      index: control,
      message: `the ${kind} contains the control character U+${codeOf(text, control)}; it looks like a binary file. Save it as plain UTF-8 text.`,
    };
  }
  const bidi = text.search(BIDI_CONTROL);
  if (bidi !== -1) return { index: bidi, message: bidiMessage(`the ${kind}`, codeOf(text, bidi)) };
  return undefined;
}

function bidiMessage(what: string, code: string): string {
  return `${what} contains the bidirectional control character U+${code}, which makes editors and GitHub show the text in another order than it is read, so a reviewer could approve what they did not see. Remove it.`;
}

/**
 * Index of the first control character other than tab, LF and CR, or -1: C0, DEL and C1 (some
 * terminals read U+009B as ESC [, the start of a sequence that rewrites the screen).
 */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
      (code >= 0x7f && code <= 0x9f)
    ) {
      return i;
    }
  }
  return -1;
}

function codeOf(text: string, index: number): string {
  return text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0");
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function positionOf(text: string, index: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function tooDeeply(kind: string): string {
  return `the ${kind} is nested too deeply (more than ${MAX_DEPTH} levels); a request or policy needs only a few: remove the extra brackets or indentation.`;
}

function parserFailure(error: unknown, kind: string): string {
  if (error instanceof RangeError) return tooDeeply(kind);
  return `the ${kind} could not be read as YAML (${error instanceof Error ? error.message : String(error)}).`;
}

/**
 * The document's syntax issues as problems at the place to fix, one per line. The yaml package
 * reports an unclosed quote or bracket where it ran out of text (often the end of the file), and
 * often two messages for one mistake (a value holding ": " is both a "nested mapping" and a
 * "multi-line key"); a person needs the line where the quote opens and one sentence.
 */
function syntaxProblems(
  document: Document.Parsed,
  text: string,
  kind: string,
  where: (offset: number) => Position,
): { offset: number; message: string }[] {
  const issues = [...document.errors, ...document.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
  // A carriage return alone does not end a line for the parser, so the next line reads as part
  // of this one and every message would describe the wrong mistake.
  const loneReturn = /\r(?!\n)/.exec(text);
  if (issues.length > 0 && loneReturn) {
    return [
      {
        offset: loneReturn.index,
        message: `the ${kind} ends a line with a carriage return alone (CR, old Mac style): save it with LF or CRLF line ends.`,
      },
    ];
  }
  // A multi-line key is the real mistake; the "nested mapping" at its start only echoes it.
  const multiline = new Set(
    issues.filter((i) => i.code === "MULTILINE_IMPLICIT_KEY").map((i) => i.pos[0]),
  );
  let openers: Opener[] | undefined;
  const lines = new Set<number>();
  const found: { offset: number; message: string }[] = [];
  for (const issue of issues) {
    if (issue.code === "BLOCK_AS_IMPLICIT_KEY" && multiline.has(issue.pos[0])) continue;
    const [start, end] = issue.pos;
    let located = { offset: start, message: describeYamlIssue(issue.code, issue.message, kind) };
    // The parser's stack gives out at a depth that depends on the machine: point at the
    // bracket that goes past the limit instead, the same place on every run.
    if (located.message === tooDeeply(kind)) located.offset = tooDeepBracket(text) ?? start;
    const unclosed = /^Missing closing (["'])quote|end with an? ([\]}])/.exec(issue.message);
    if (unclosed) {
      openers ??= unclosedOpeners(text);
      const opener = openerOf(openers, start, unclosed[1] ?? (unclosed[2] === "]" ? "[" : "{"));
      if (opener) located = { offset: opener.offset, message: unclosedMessage(opener.source) };
    } else if (issue.code === "BLOCK_AS_IMPLICIT_KEY") {
      located.message =
        'this value contains ": ", which YAML reads as the start of another key: put the whole value in quotes ("…").';
    } else if (issue.code === "MULTILINE_IMPLICIT_KEY") {
      const indented = indentedLineStart(text, start, end, where);
      if (indented !== undefined) {
        located = {
          offset: indented,
          message:
            "this line is indented under the line above, which already has a value: align it with the other keys (or, to nest it, leave the value above empty).",
        };
      }
    }
    const line = where(located.offset).line;
    if (lines.has(line)) continue;
    lines.add(line);
    found.push(located);
  }
  return found;
}

/**
 * Offset of the first `[` or `{` opened deeper than `MAX_DEPTH` (outside quotes and comments),
 * or undefined. One pass, no parsing: only called once the parser has given up on the nesting.
 */
function tooDeepBracket(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      if (end === -1) return undefined;
      i = end;
    } else if (c === "[" || c === "{") {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** A quoted scalar or a flow collection, by where it opens and how (`"`, `'`, `[`, `{`). */
interface Opener {
  offset: number;
  source: string;
  /** Where the parser stopped reading it (its end, or the end of the text). */
  end: number;
}

/**
 * Quoted scalars and flow collections that the parser read to no proper end: a flow collection
 * without its closing bracket, and every quoted scalar (which of them lacks its closing quote is
 * decided by the issue's position). Only called on files with syntax issues.
 */
function unclosedOpeners(text: string): Opener[] {
  const openers: Opener[] = [];
  try {
    for (const token of new Parser().parse(text)) {
      if (token.type !== "document") continue;
      CST.visit(token, (item) => {
        for (const node of [item.key, item.value]) {
          if (node?.type === "double-quoted-scalar" || node?.type === "single-quoted-scalar") {
            openers.push({
              offset: node.offset,
              source: node.source[0]!,
              end: node.offset + node.source.length,
            });
          } else if (node?.type === "flow-collection") {
            const closed = node.end.some(
              (t) => t.type === "flow-seq-end" || t.type === "flow-map-end",
            );
            if (!closed)
              openers.push({ offset: node.offset, source: node.start.source, end: text.length });
          }
        }
      });
    }
  } catch (error) {
    // Nesting deep enough to overflow the visit is reported on its own; keep the library's place.
    if (!(error instanceof RangeError)) throw error;
  }
  return openers;
}

/** The last opener of this kind that starts before `offset` and runs to it. */
function openerOf(openers: readonly Opener[], offset: number, source: string): Opener | undefined {
  let best: Opener | undefined;
  for (const opener of openers) {
    if (opener.source !== source || opener.offset > offset || opener.end < offset) continue;
    if (!best || opener.offset > best.offset) best = opener;
  }
  return best;
}

function unclosedMessage(source: string): string {
  if (source === "[" || source === "{") {
    const [close, what] = source === "[" ? ["]", "list"] : ["}", "mapping"];
    return `the ${source} that opens here is never closed: end the ${what} with ${close} (a ${what} written across lines must indent each line past its key).`;
  }
  const escaped = source === '"' ? '\\"' : "''";
  return `the quoted value that starts here is never closed: end it with ${source} (inside ${source}…${source}, write a quote as ${escaped}).`;
}

/**
 * Where the more-indented line of a multi-line key starts (its first non-space character), when
 * the key's last line is indented more than its first: a line indented under a value.
 */
function indentedLineStart(
  text: string,
  start: number,
  end: number,
  where: (offset: number) => Position,
): number | undefined {
  const last = Math.max(start, Math.min(end, text.length) - 1);
  if (where(last).line === where(start).line) return undefined;
  const lineStart = text.lastIndexOf("\n", last) + 1;
  const indent = /^ */.exec(text.slice(lineStart))![0].length;
  const firstLineStart = text.lastIndexOf("\n", start) + 1;
  const firstIndent = /^ */.exec(text.slice(firstLineStart))![0].length;
  return indent > firstIndent ? lineStart + indent : undefined;
}

/** Turns the yaml package's error codes into messages that say what to do. */
function describeYamlIssue(code: string, message: string, kind: string): string {
  // The yaml package turns its own stack overflow on deep nesting into an issue at the point
  // where it gave up.
  if (/maximum call stack size exceeded/i.test(message)) return tooDeeply(kind);
  switch (code) {
    case "TAB_AS_INDENT":
      return "a tab is used for indentation; YAML allows only spaces there. Replace the tab with spaces.";
    case "TAG_RESOLVE_FAILED":
      // Spelt as written (`!!timestamp`), not as the tag's full name.
      return `${message.replace("tag:yaml.org,2002:", "!!")}. Custom tags (!!something) are not allowed: write a plain value.`;
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return `YAML syntax: ${message}. Check the indentation and the "key: value" form of this line; quote values that contain ": " or start with a special character.`;
    default:
      return `YAML syntax: ${message}.`;
  }
}

interface StructureProblem {
  offset: number;
  message: string;
  readable: boolean;
  /** The field the problem is in, where one is known: `reason`, `roles.x.description`. */
  field?: string;
}

/**
 * Problems of the document's structure, in one pass over it (an explicit stack, so depth
 * cannot overflow): duplicate keys, non-text keys, `__proto__` keys, nesting deeper than
 * `MAX_DEPTH`, and control characters in text (written as escapes: raw ones are refused before
 * parsing). Keys are compared as text, as they end up in the parsed object: `1` and `"1"` are
 * the same key. Each repeat is reported where it is written, naming the first. `readable`
 * problems still let the rest of the file be checked; the others stop it.
 */
function keyProblems(
  document: Document.Parsed,
  where: (offset: number) => Position,
  kind: string,
): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const stack: { node: unknown; depth: number; path: string[] }[] = [
    { node: document.contents, depth: 1, path: [] },
  ];
  let tooDeep = false;
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!;
    if ((isMap(node) || isSeq(node)) && depth > MAX_DEPTH) {
      // One problem is enough: every level below would repeat it.
      if (!tooDeep) {
        problems.push({ offset: node.range?.[0] ?? 0, message: tooDeeply(kind), readable: false });
      }
      tooDeep = true;
      continue;
    }
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const offset = key?.range?.[0] ?? node.range?.[0] ?? 0;
        if (!isScalar(key)) {
          problems.push({
            offset,
            message: "a key must be plain text (name: value), not a list, a mapping or an alias.",
            readable: false,
          });
        } else {
          const name = String(key.value);
          const first = seen.get(name);
          if (name === "__proto__") {
            // toJS keeps it as an own property, but zod and plain assignment read it as the
            // prototype: a role or identity so named would vanish without a word.
            problems.push({
              offset,
              message: `the key "__proto__" is not allowed: JavaScript reads it as an object's prototype, so its value would be lost. Rename it.`,
              readable: false,
            });
          } else if (first !== undefined) {
            problems.push({
              offset,
              message: `the key "${name}" appears more than once in the same mapping (first at line ${where(first).line}); keep only one. The other checks of this file read its last value.`,
              readable: true,
            });
          } else {
            seen.set(name, offset);
          }
          stack.push({ node: key, depth, path });
        }
        const name = isScalar(key) ? String(key.value) : "?";
        stack.push({ node: pair.value, depth: depth + 1, path: [...path, name] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        stack.push({ node: item, depth: depth + 1, path: [...path, String(index)] });
      });
    } else if (isScalar(node) && typeof node.value === "string") {
      const message = escapedCharacterProblem(node.value);
      if (message !== undefined) {
        problems.push({
          offset: node.range?.[0] ?? 0,
          message,
          readable: true,
          ...(path.length > 0 ? { field: path.join(".") } : {}),
        });
      }
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/**
 * A control or bidirectional character in a scalar's value: raw ones are refused before parsing,
 * so these were written as escapes (`"\e"`, `"\u202E"`).
 */
function escapedCharacterProblem(value: string): string | undefined {
  const control = firstControlCharacter(value);
  if (control !== -1) {
    return `the text contains the control character U+${codeOf(value, control)} (written as an escape); control characters can rewrite what a terminal or a reviewer shows. Remove it.`;
  }
  const bidi = value.search(BIDI_CONTROL);
  if (bidi !== -1)
    return `${bidiMessage("the text", codeOf(value, bidi))} (It is written as an escape.)`;
  return undefined;
}

/** Offset of a path's key or value, or of the closest existing ancestor. */
function offsetOf(document: Document.Parsed, path: readonly PropertyKey[], part: "key" | "value") {
  let node: Node | null | undefined = document.contents;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(document) as Node | undefined;
    if (isMap(node)) {
      // The last occurrence of a duplicated key, the one the parsed value holds.
      const pair = node.items.findLast(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return offset;
      const key = pair.key as Node;
      if (last && part === "key") return key.range?.[0] ?? offset;
      const value = pair.value as Node | null;
      offset = value?.range?.[0] ?? key.range?.[0] ?? offset;
      node = value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}
