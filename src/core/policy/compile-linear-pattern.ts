/**
 * Regular expressions from `policies/` (a role's `ticket.pattern`), run in time linear in their
 * input. JavaScript's engine backtracks: `^(a+)+$` takes longer than the universe on a
 * 40-character ticket, and a request author chooses the ticket. This engine simulates the
 * pattern's automaton (Thompson's construction, one pass over the input, every state at most
 * once per character), so a match costs at most (input length x program size) steps, and the
 * program size is capped.
 *
 * The syntax is the part of JavaScript's that is a regular language, with JavaScript's meaning
 * (no flags, UTF-16 code units, `test`: a match anywhere unless anchored): literals, `.`,
 * `\d \D \w \W \s \S`, escaped punctuation (`\.`, `\-`, `\/`), `\t \n \r`, classes `[A-Z0-9_-]`
 * and `[^...]`, groups `(...)`, `(?:...)`, `(?<name>...)`, alternation `|`, the quantifiers
 * `* + ? {n} {n,} {n,m}` (a trailing `?` for laziness is accepted and changes nothing for a
 * yes/no match), and the anchors `^ $`. What needs backtracking (backreferences, lookahead,
 * lookbehind) or has a second meaning (a bare `{`, `}` or `]`) is refused with the reason.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 200;

/** Largest program a pattern may compile to (counted repeats are written out). */
export const MAX_PROGRAM_SIZE = 200;

/** Largest count in `{n}`, `{n,}` or `{n,m}`. */
const MAX_REPEAT = 50;

/** A compiled pattern, or why it cannot be one. */
export type LinearPattern =
  | { ok: true; test(text: string): boolean; size: number }
  | { ok: false; reason: string };

type Range = readonly [number, number];
type Instruction =
  | { op: "char"; ranges: readonly Range[]; negate: boolean }
  | { op: "split"; a: number; b: number }
  | { op: "jump"; to: number }
  | { op: "start" }
  | { op: "end" }
  | { op: "match" };

type Node =
  | { kind: "char"; ranges: readonly Range[]; negate: boolean }
  | { kind: "start" }
  | { kind: "end" }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "repeat"; node: Node; min: number; max: number | undefined };

class PatternError extends Error {}

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
// JavaScript's \s: WhiteSpace and LineTerminator.
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
// `.` without the s flag: everything but the line terminators.
const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

/**
 * Compiles `source` for linear-time matching, or says why it cannot: too long, a construct
 * that needs backtracking, a syntax error, or a program larger than `MAX_PROGRAM_SIZE`.
 */
export function compileLinearPattern(source: string): LinearPattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      reason: `the pattern is ${source.length} characters long, more than the ${MAX_PATTERN_LENGTH} allowed`,
    };
  }
  try {
    const parser = new Parser(source);
    const tree = parser.parse();
    const program: Instruction[] = [];
    emit(tree, program);
    program.push({ op: "match" });
    if (program.length > MAX_PROGRAM_SIZE) throw tooLarge();
    const machine = assemble(program);
    return { ok: true, size: program.length, test: (text) => run(machine, text) };
  } catch (error) {
    if (error instanceof PatternError) return { ok: false, reason: error.message };
    throw error;
  }
}

class Parser {
  private at = 0;
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.source.length) {
      throw new PatternError(`unmatched ")" at character ${this.at + 1}`);
    }
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === "|") {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.source.length && this.peek() !== "|" && this.peek() !== ")") {
      items.push(this.quantified(this.atom()));
    }
    return { kind: "seq", items };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number | undefined;
    if (c === "*") [min, max] = [0, undefined];
    else if (c === "+") [min, max] = [1, undefined];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") [min, max] = this.braces();
    else return node;
    if (c !== "{") this.at++;
    if (this.peek() === "?") this.at++;
    const after = this.peek();
    if (after !== undefined && "*+?{".includes(after)) {
      throw new PatternError(
        `a quantifier follows another at character ${this.at + 1}; put the first in a group: (a+)*`,
      );
    }
    if (node.kind === "start" || node.kind === "end") {
      throw new PatternError(`an anchor (^ or $) cannot be repeated (character ${this.at})`);
    }
    return { kind: "repeat", node, min, max };
  }

  private braces(): [number, number | undefined] {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
    if (!match) {
      throw new PatternError(
        `"{" at character ${this.at + 1} does not start a repeat count such as {2,5}; write \\{ for the character itself`,
      );
    }
    this.at += match[0].length;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === "" ? undefined : Number(match[3]);
    if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT) {
      throw new PatternError(`repeat counts above ${MAX_REPEAT} are not supported (${match[0]})`);
    }
    if (max !== undefined && max < min) {
      throw new PatternError(`the repeat count ${match[0]} is out of order`);
    }
    return [min, max];
  }

  private atom(): Node {
    const position = this.at + 1;
    const c = this.source[this.at++]!;
    switch (c) {
      case "^":
        return { kind: "start" };
      case "$":
        return { kind: "end" };
      case ".":
        return { kind: "char", ranges: LINE_TERMINATORS, negate: true };
      case "(":
        return this.group(position);
      case "[":
        return this.characterClass(position);
      case "\\":
        return this.escape(position, false);
      case "*":
      case "+":
      case "?":
        throw new PatternError(`"${c}" at character ${position} has nothing to repeat`);
      case "{":
      case "}":
      case "]":
        throw new PatternError(
          `a bare "${c}" at character ${position} is ambiguous; write \\${c} for the character itself`,
        );
      default:
        return literal(c.charCodeAt(0));
    }
  }

  private group(position: number): Node {
    if (this.source.startsWith("?:", this.at)) this.at += 2;
    else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.source.slice(this.at))) {
      this.at = this.source.indexOf(">", this.at) + 1;
    } else if (this.peek() === "?") {
      throw new PatternError(
        `lookahead and lookbehind ("(?" at character ${position}) need backtracking and are not supported`,
      );
    }
    const inner = this.alternation();
    if (this.peek() !== ")")
      throw new PatternError(`the "(" at character ${position} is not closed`);
    this.at++;
    return inner;
  }

  private characterClass(position: number): Node {
    const negate = this.peek() === "^";
    if (negate) this.at++;
    const ranges: Range[] = [];
    while (this.peek() !== "]") {
      if (this.at >= this.source.length) {
        throw new PatternError(`the "[" at character ${position} is not closed`);
      }
      const low = this.classMember();
      if (this.peek() === "-" && this.source[this.at + 1] !== "]" && low.length === 1) {
        this.at++;
        const high = this.classMember();
        if (high.length !== 1 || high[0]![0] !== high[0]![1] || low[0]![0] !== low[0]![1]) {
          throw new PatternError(
            `a range in the class at character ${position} has a class as an end`,
          );
        }
        if (high[0]![0] < low[0]![0]) {
          throw new PatternError(`a range in the class at character ${position} is out of order`);
        }
        ranges.push([low[0]![0], high[0]![0]]);
      } else {
        ranges.push(...low);
      }
    }
    this.at++;
    return { kind: "char", ranges, negate };
  }

  /** One member of a class: a character (as a one-point range) or an escape's ranges. */
  private classMember(): Range[] {
    const position = this.at + 1;
    const c = this.source[this.at++]!;
    if (c !== "\\") return [[c.charCodeAt(0), c.charCodeAt(0)]];
    const escaped = this.escape(position, true) as Extract<Node, { kind: "char" }>;
    return escaped.negate ? complement(escaped.ranges) : [...escaped.ranges];
  }

  private escape(position: number, inClass: boolean): Node {
    const c = this.source[this.at++];
    if (c === undefined) throw new PatternError("the pattern ends with a lone \\");
    const classes: Record<string, [Range[], boolean]> = {
      d: [DIGIT, false],
      D: [DIGIT, true],
      w: [WORD, false],
      W: [WORD, true],
      s: [SPACE, false],
      S: [SPACE, true],
    };
    const shorthand = classes[c];
    if (shorthand) return { kind: "char", ranges: shorthand[0], negate: shorthand[1] };
    const controls: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11 };
    if (controls[c] !== undefined) return literal(controls[c]);
    if (/[1-9]/.test(c)) {
      throw new PatternError(
        `backreferences (\\${c} at character ${position}) need backtracking and are not supported`,
      );
    }
    if (/[\^$\\.*+?()[\]{}|/-]/.test(c) || (inClass && c === "b")) {
      return literal(c === "b" ? 8 : c.charCodeAt(0));
    }
    throw new PatternError(
      `the escape \\${c} at character ${position} is not supported; escape only punctuation, or use \\d \\w \\s`,
    );
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }
}

/** The UTF-16 code units outside sorted, disjoint `ranges`. */
function complement(ranges: readonly Range[]): Range[] {
  const result: Range[] = [];
  let from = 0;
  for (const [low, high] of ranges) {
    if (low > from) result.push([from, low - 1]);
    from = high + 1;
  }
  if (from <= 0xffff) result.push([from, 0xffff]);
  return result;
}

function literal(code: number): Node {
  return { kind: "char", ranges: [[code, code]], negate: false };
}

function tooLarge(): PatternError {
  return new PatternError(
    `the pattern compiles to more than ${MAX_PROGRAM_SIZE} steps; use smaller repeat counts or a simpler pattern`,
  );
}

/** Appends `node`'s instructions to `program` (Thompson's construction). */
function emit(node: Node, program: Instruction[]): void {
  if (program.length > MAX_PROGRAM_SIZE) throw tooLarge();
  switch (node.kind) {
    case "char":
      program.push({ op: "char", ranges: node.ranges, negate: node.negate });
      return;
    case "start":
    case "end":
      program.push({ op: node.kind });
      return;
    case "seq":
      for (const item of node.items) emit(item, program);
      return;
    case "alt": {
      const jumps: { op: "jump"; to: number }[] = [];
      node.options.forEach((option, index) => {
        const last = index === node.options.length - 1;
        const split = { op: "split" as const, a: program.length + 1, b: 0 };
        if (!last) program.push(split);
        emit(option, program);
        if (!last) {
          const jump = { op: "jump" as const, to: 0 };
          jumps.push(jump);
          program.push(jump);
          split.b = program.length;
        }
      });
      for (const jump of jumps) jump.to = program.length;
      return;
    }
    case "repeat":
      emitRepeat(node, program);
  }
}

function emitRepeat(node: Extract<Node, { kind: "repeat" }>, program: Instruction[]): void {
  for (let i = 0; i < node.min; i++) emit(node.node, program);
  if (node.max === undefined) {
    // L: split(body, out); body; jump L
    const split = { op: "split" as const, a: program.length + 1, b: 0 };
    program.push(split);
    const loop = program.length - 1;
    emit(node.node, program);
    program.push({ op: "jump", to: loop });
    split.b = program.length;
    return;
  }
  // Each optional copy may be skipped to the end: split(body, out) body ... out.
  const splits: { op: "split"; a: number; b: number }[] = [];
  for (let i = node.min; i < node.max; i++) {
    const split = { op: "split" as const, a: program.length + 1, b: 0 };
    splits.push(split);
    program.push(split);
    emit(node.node, program);
  }
  for (const split of splits) split.b = program.length;
}

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_JUMP = 2;
const OP_START = 3;
const OP_END = 4;
const OP_MATCH = 5;

/** The program as flat arrays, with an ASCII lookup table per character test. */
interface Machine {
  ops: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  /** `ascii[pc][code]` is 1 when instruction `pc` accepts ASCII `code`. */
  ascii: readonly (Uint8Array | undefined)[];
  tests: readonly (Extract<Instruction, { op: "char" }> | undefined)[];
}

function assemble(program: readonly Instruction[]): Machine {
  const size = program.length;
  const machine: Machine = {
    ops: new Uint8Array(size),
    a: new Int32Array(size),
    b: new Int32Array(size),
    ascii: [],
    tests: program.map((instruction) => (instruction.op === "char" ? instruction : undefined)),
  };
  // Copies of one repeated atom share their ranges: one table each, not one per copy.
  const tables = new Map<readonly Range[], Map<boolean, Uint8Array>>();
  const tableOf = (test: Extract<Instruction, { op: "char" }>): Uint8Array => {
    const byNegate = tables.get(test.ranges) ?? new Map<boolean, Uint8Array>();
    tables.set(test.ranges, byNegate);
    let table = byNegate.get(test.negate);
    if (!table) {
      table = new Uint8Array(128);
      for (let code = 0; code < 128; code++) table[code] = accepts(test, code) ? 1 : 0;
      byNegate.set(test.negate, table);
    }
    return table;
  };
  program.forEach((instruction, pc) => {
    const codes = { char: OP_CHAR, split: OP_SPLIT, jump: OP_JUMP, start: OP_START, end: OP_END };
    machine.ops[pc] = instruction.op === "match" ? OP_MATCH : codes[instruction.op];
    if (instruction.op === "split") [machine.a[pc], machine.b[pc]] = [instruction.a, instruction.b];
    if (instruction.op === "jump") machine.a[pc] = instruction.to;
    (machine.ascii as (Uint8Array | undefined)[])[pc] =
      instruction.op === "char" ? tableOf(instruction) : undefined;
  });
  return machine;
}

/** Runs the machine over `text`: true when it matches anywhere (JavaScript's `test`). */
function run(machine: Machine, text: string): boolean {
  const { ops, a, b, ascii, tests } = machine;
  const size = ops.length;
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  let currentCount = 0;
  // Per-position visit marks: each instruction enters a position's list at most once, which
  // is what bounds the work by (input length x program size).
  const marks = new Int32Array(size).fill(-1);
  const stack = new Int32Array(size * 2 + 2);
  let matched = false;

  // Adds `pc` and everything reachable from it without reading a character, at position `at`,
  // to `list` (whose count is passed and returned).
  const add = (list: Int32Array, count: number, pc: number, at: number): number => {
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const here = stack[--top]!;
      if (marks[here] === at) continue;
      marks[here] = at;
      const op = ops[here];
      if (op === OP_CHAR) list[count++] = here;
      else if (op === OP_JUMP) stack[top++] = a[here]!;
      else if (op === OP_SPLIT) {
        stack[top++] = b[here]!;
        stack[top++] = a[here]!;
      } else if (op === OP_MATCH) matched = true;
      else if (at === (op === OP_START ? 0 : text.length)) stack[top++] = here + 1;
    }
    return count;
  };

  for (let at = 0; at <= text.length; at++) {
    // Unanchored: a match may begin at every position.
    currentCount = add(current, currentCount, 0, at);
    if (matched) return true;
    if (at === text.length) break;
    const code = text.charCodeAt(at);
    let nextCount = 0;
    for (let i = 0; i < currentCount; i++) {
      const pc = current[i]!;
      const ok = code < 128 ? ascii[pc]![code] === 1 : accepts(tests[pc]!, code);
      if (!ok) continue;
      nextCount = add(next, nextCount, pc + 1, at + 1);
      if (matched) return true;
    }
    [current, next] = [next, current];
    currentCount = nextCount;
  }
  return false;
}

function accepts(test: Extract<Instruction, { op: "char" }>, code: number): boolean {
  return inRanges(test.ranges, code) !== test.negate;
}

function inRanges(ranges: readonly Range[], code: number): boolean {
  for (const [low, high] of ranges) if (code >= low && code <= high) return true;
  return false;
}
