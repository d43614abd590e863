import { describe, expect, it } from "vitest";
import { parseYaml } from "../../../src/core/source/parse-yaml.ts";

const options = { maxBytes: 64 * 1024, kind: "request file" };
const parse = (content: string | Uint8Array) =>
  parseYaml({ path: "access-requests/x.yaml", content }, options);
const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

function aliasBomb(): string {
  let text = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (let i = 0; i < 9; i++) {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    text += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
  }
  return text;
}

describe("parseYaml refuses hostile or broken input with one located problem", () => {
  const cases: {
    name: string;
    content: string | Uint8Array;
    line: number;
    column: number;
    message: RegExp;
  }[] = [
    { name: "an empty file", content: "", line: 1, column: 1, message: /is empty/ },
    {
      name: "a file of comments only",
      content: "# nothing here\n",
      line: 1,
      column: 1,
      message: /is empty/,
    },
    {
      name: "a list at the root",
      content: "- role: x\n",
      line: 1,
      column: 1,
      message: /must be a mapping.*a list/,
    },
    {
      name: "a single value at the root",
      content: "just text\n",
      line: 1,
      column: 1,
      message: /must be a mapping.*a single value/,
    },
    {
      name: "several documents",
      content: "role: a\n---\nrole: b\n",
      line: 2,
      column: 1,
      message: /2 YAML documents/,
    },
    {
      name: "a list used as a key",
      content: "? [a, b]\n: value\n",
      line: 1,
      column: 3,
      message: /a key must be plain text/,
    },
    {
      name: "a tab used as indentation",
      content: "ticket:\n\tid: 1\n",
      line: 2,
      column: 1,
      message: /tab is used for indentation/,
    },
    {
      name: "an alias bomb",
      content: aliasBomb(),
      line: 1,
      column: 1,
      message: /expands aliases.*too many times/,
    },
    {
      name: "a file over the size cap",
      content: `reason: "${"x".repeat(70 * 1024)}"\n`,
      line: 1,
      column: 1,
      message: /more than the 64 KiB allowed/,
    },
    {
      name: "bytes over the size cap",
      content: new Uint8Array(65 * 1024).fill(0x61),
      line: 1,
      column: 1,
      message: /66560 bytes, more than the 64 KiB/,
    },
    {
      name: "invalid UTF-8 (Latin-1) on line 2",
      content: bytes(...utf8("role: a\nreason: caf"), 0xe9, 0x0a),
      line: 2,
      column: 12,
      message: /not valid UTF-8/,
    },
    {
      name: "UTF-16 with its byte order mark",
      content: bytes(0xff, 0xfe, 0x72, 0x00, 0x6f, 0x00),
      line: 1,
      column: 1,
      message: /not valid UTF-8/,
    },
    {
      name: "binary content with NUL bytes",
      content: bytes(0x72, 0x3a, 0x20, 0x00, 0x01, 0x02),
      line: 1,
      column: 4,
      message: /control character U\+0000.*binary/,
    },
    {
      name: "a duplicate key in a file over the size cap",
      content: `role: a\nrole: b\nreason: "${"x".repeat(70 * 1024)}"\n`,
      line: 1,
      column: 1,
      message: /more than the 64 KiB allowed/,
    },
    {
      name: "a duplicate key in a binary file",
      content: bytes(...utf8("role: a\nrole: b\n"), 0x00),
      line: 3,
      column: 1,
      message: /control character U\+0000.*binary/,
    },
    {
      name: "a duplicate key next to a list used as a key",
      content: "role: a\nrole: b\n? [a, b]\n: value\n",
      line: 2,
      column: 1,
      message: /"role" appears more than once/,
    },
    {
      name: "a custom tag",
      content: "role: !!js/function x\n",
      line: 1,
      column: 7,
      message: /Custom tags/,
    },
    {
      name: "a broken flow mapping",
      content: "role: a\naccount: {b\n",
      line: 2,
      column: 10,
      message: /^the \{ that opens here is never closed: end the mapping with \}/,
    },
  ];

  it.each(cases)("$name", ({ content, line, column, message }) => {
    const { parsed, problems } = parse(content);
    expect(parsed).toBeUndefined();
    expect(problems.length).toBeGreaterThanOrEqual(1);
    const [first] = problems;
    expect(first).toMatchObject({
      file: "access-requests/x.yaml",
      line,
      column,
      severity: "error",
    });
    expect(first!.message).toMatch(message);
  });

  it("still refuses an alias bomb whose only other problem is a duplicate key", () => {
    const { parsed, problems } = parse(`${aliasBomb()}a: again\n`);
    expect(parsed).toBeUndefined();
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [
        11,
        expect.stringMatching(/"a" appears more than once in the same mapping \(first at line 1\)/),
      ],
      [1, expect.stringMatching(/expands aliases.*too many times/)],
    ]);
  });

  it("says where a file is nested too deeply for the parser, instead of a stack overflow", () => {
    const { parsed, problems } = parse(`role: x\na: ${"[".repeat(30_000)}${"]".repeat(30_000)}\n`);
    expect(parsed).toBeUndefined();
    expect(problems).toMatchObject([{ line: 2, severity: "error" }]);
    expect(problems[0]!.message).toMatch(
      /^the request file is nested too deeply \(more than 32 levels\); a request or policy needs only a few: remove the extra brackets or indentation\.$/,
    );
  });

  it("refuses nesting deeper than any request or policy needs, at the first level too deep", () => {
    const { parsed, problems } = parse(`role: x\na: ${"[".repeat(40)}1${"]".repeat(40)}\n`);
    expect(parsed).toBeUndefined();
    expect(problems).toMatchObject([{ line: 2, column: 4 + 31 }]);
    expect(problems[0]!.message).toMatch(/nested too deeply \(more than 32 levels\)/);
  });

  it("refuses control characters written as escapes in any text, where they are", () => {
    const { parsed, problems } = parse(
      'role: x\nreason: "fine\\u001b[2Jhidden"\nlist: [ok, "\\x07"]\nnext: "tab\\tand\\nline"\n',
    );
    expect(parsed).toBeDefined();
    expect(problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [
        2,
        9,
        "the text contains the control character U+001B (written as an escape); control characters can rewrite what a terminal or a reviewer shows. Remove it.",
      ],
      [
        3,
        12,
        "the text contains the control character U+0007 (written as an escape); control characters can rewrite what a terminal or a reviewer shows. Remove it.",
      ],
    ]);
  });

  it("refuses C1 control characters too (U+009B starts a terminal escape like ESC [)", () => {
    for (const content of ['reason: "a\\u009b2Jb"\n', "reason: a\u009b2Jb\n"]) {
      const { problems } = parse(content);
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringMatching(/control character U\+009B/),
      ]);
    }
  });

  it("refuses a __proto__ key, which JavaScript would read as an object's prototype", () => {
    const { parsed, problems } = parse("role: x\naccounts:\n  __proto__:\n    id: 1\n");
    expect(parsed).toBeUndefined();
    expect(problems).toMatchObject([
      {
        line: 3,
        column: 3,
        message:
          'the key "__proto__" is not allowed: JavaScript reads it as an object\'s prototype, so its value would be lost. Rename it.',
      },
    ]);
  });

  it("reads a deeply nested file without crashing", () => {
    const { parsed, problems } = parse(`a: ${"[".repeat(30_000)}${"]".repeat(30_000)}\n`);
    // Either refused with a problem or parsed: never an exception.
    expect(parsed === undefined ? problems.length > 0 : problems.length === 0).toBe(true);
  });

  // Timing lives in bench/validate.bench.ts; the test timeout catches a hang.
  it("checks a file of many thousand keys, finding the one duplicate", () => {
    const keys = Array.from({ length: 16_384 }, (_, i) => `k${i}: v\n`).join("");
    const { problems } = parseYaml(
      { path: "policies/big.yaml", content: `${keys}k7: again\n` },
      { maxBytes: 256 * 1024, kind: "policy file" },
    );
    expect(problems).toMatchObject([{ line: 16_385, column: 1 }]);
  });

  it("lists at most 50 duplicate keys, then says how many more", () => {
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}: a\nk${i}: b\n`).join("");
    const { problems } = parse(keys);
    expect(problems).toHaveLength(51);
    expect(problems[50]).toMatchObject({
      line: 1,
      message: "10 more key problems in this file are not listed; fix the listed ones first.",
    });
  });

  it("reports every syntax problem of a file at once", () => {
    const { problems } = parse("role: a\nrole: b\naccount: c\naccount: d\n");
    expect(problems.map((p) => p.line)).toEqual([2, 4]);
  });
});

describe("parseYaml points a syntax error at the line to fix, with one message", () => {
  const request = (line: string) => `requester: alice\nrole: db-admin\n${line}\nduration: 2h\n`;
  it.each([
    {
      name: "an unclosed double quote, at its opening",
      content: request('reason: "Fail over the orders database'),
      at: [3, 9],
      message:
        'the quoted value that starts here is never closed: end it with " (inside "…", write a quote as \\").',
    },
    {
      name: "an unclosed single quote, at its opening",
      content: request("reason: 'Fail over the orders database"),
      at: [3, 9],
      message:
        "the quoted value that starts here is never closed: end it with ' (inside '…', write a quote as '').",
    },
    {
      name: "an unclosed quote on the last line",
      content: 'requester: alice\nreason: "Fail over',
      at: [2, 9],
      message: /^the quoted value that starts here is never closed/,
    },
    {
      name: "an unclosed quote in a list",
      content: 'accounts:\n  - "staging\n  - production\n',
      at: [2, 5],
      message: /^the quoted value that starts here is never closed/,
    },
    {
      name: "an unclosed flow list",
      content: "regions: [eu-west-1, us-east-1\nrole: x\n",
      at: [1, 10],
      message: /^the \[ that opens here is never closed: end the list with \]/,
    },
    {
      name: 'a value holding ": "',
      content: request("reason: fix: the database"),
      at: [3, 9],
      message:
        'this value contains ": ", which YAML reads as the start of another key: put the whole value in quotes ("…").',
    },
    {
      name: "lines ended by a carriage return alone",
      content: "requester: alice\rrole: db-admin\raccount: production\n",
      at: [1, 17],
      message:
        "the request file ends a line with a carriage return alone (CR, old Mac style): save it with LF or CRLF line ends.",
    },
    {
      name: "a line indented under a key that already has a value",
      content: "requester: alice\n  role: db-admin\naccount: production\n",
      at: [2, 3],
      message:
        "this line is indented under the line above, which already has a value: align it with the other keys (or, to nest it, leave the value above empty).",
    },
  ])("$name", ({ content, at, message }) => {
    const { parsed, problems } = parse(content);
    expect(parsed).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect([problems[0]!.line, problems[0]!.column]).toEqual(at);
    if (typeof message === "string") expect(problems[0]!.message).toBe(message);
    else expect(problems[0]!.message).toMatch(message);
  });
});

describe("parseYaml reports duplicate keys as errors but still reads the file", () => {
  const cases: {
    name: string;
    content: string;
    /** Where each duplicate is reported. */
    at: [line: number, column: number][];
    message: RegExp;
    value: Record<string, unknown>;
    /** A path and where locate() puts its value: at the occurrence the value holds. */
    located: [path: string[], line: number, column: number];
  }[] = [
    {
      name: "a duplicate key: the last value is kept",
      content: "role: a\naccount: b\nrole: c\n",
      at: [[3, 1]],
      message:
        /^the key "role" appears more than once in the same mapping \(first at line 1\); keep only one\. The other checks of this file read its last value\.$/,
      value: { role: "c", account: "b" },
      located: [["role"], 3, 7],
    },
    {
      name: 'a duplicate key spelled differently (1 and "1")',
      content: 'a: x\n1: y\nb: z\n"1": w\n',
      at: [[4, 1]],
      message: /"1" appears more than once.*first at line 2/,
      value: { a: "x", 1: "w", b: "z" },
      located: [["1"], 4, 6],
    },
    {
      name: "a duplicate key in a nested mapping",
      content: "ticket:\n  id: 1\n  id: 2\n",
      at: [[3, 3]],
      message: /"id" appears more than once.*first at line 2/,
      value: { ticket: { id: 2 } },
      located: [["ticket", "id"], 3, 7],
    },
    {
      name: "a key written three times: each repeat names the first",
      content: "role: a\nrole: b\nrole: c\n",
      at: [
        [2, 1],
        [3, 1],
      ],
      message: /"role" appears more than once.*first at line 1/,
      value: { role: "c" },
      located: [["role"], 3, 7],
    },
    {
      name: "a duplicated mapping: the last replaces the first whole",
      content: "ticket:\n  id: 1\n  url: u\nticket:\n  id: 2\n",
      at: [[4, 1]],
      message: /"ticket" appears more than once/,
      value: { ticket: { id: 2 } },
      located: [["ticket", "url"], 5, 3],
    },
  ];

  it.each(cases)("$name", ({ content, at, message, value, located }) => {
    const { parsed, problems } = parse(content);
    expect(problems.map((p) => [p.line, p.column])).toEqual(at);
    for (const problem of problems) {
      expect(problem.severity).toBe("error");
      expect(problem.message).toMatch(message);
    }
    expect(parsed?.value).toEqual(value);
    expect(Object.getPrototypeOf(parsed?.value)).toBe(Object.prototype);
    const [path, line, column] = located;
    expect(parsed?.locate(path)).toEqual({ line, column });
  });

  it("reports a duplicate key next to a root that is not a mapping", () => {
    const { parsed, problems } = parse("- a: 1\n  a: 2\n");
    expect(parsed).toBeUndefined();
    expect(problems.map((p) => p.line)).toEqual([2, 1]);
  });
});

describe("parseYaml accepts the harmless variations editors produce", () => {
  const cases: { name: string; content: string | Uint8Array }[] = [
    { name: "CRLF line ends", content: "role: db-admin\r\naccount: production\r\n" },
    {
      name: "a UTF-8 byte order mark in bytes",
      content: bytes(0xef, 0xbb, 0xbf, ...utf8("role: db-admin\naccount: production\n")),
    },
    { name: "a byte order mark in text", content: "\uFEFFrole: db-admin\naccount: production\n" },
    {
      name: "the yaml-language-server schema line",
      content:
        "# yaml-language-server: $schema=../schema.json\nrole: db-admin\naccount: production\n",
    },
    {
      name: "tabs inside a quoted value",
      content: 'role: db-admin\naccount: "production"\nreason: "a\tb"\n',
    },
    { name: "a document start marker", content: "---\nrole: db-admin\naccount: production\n" },
  ];

  it.each(cases)("$name", ({ content }) => {
    const { parsed, problems } = parse(content);
    expect(problems).toEqual([]);
    expect(parsed?.value).toMatchObject({ role: "db-admin", account: "production" });
  });

  it("keeps YAML 1.1 words and timestamps as text (YAML 1.2 core schema)", () => {
    const { parsed } = parse("emergency: yes\nstart: 2026-11-27T09:00:00Z\n");
    expect(parsed?.value).toEqual({ emergency: "yes", start: "2026-11-27T09:00:00Z" });
  });
});

describe("ParsedYaml.locate", () => {
  const { parsed } = parse(
    "# comment\nrole: db-admin\nticket:\n  id: 7\nlist:\n  - a\n  - b\nshared: &s { x: 1 }\nuse: *s\n",
  );

  it.each([
    { path: ["role"], part: "value" as const, line: 2, column: 7 },
    { path: ["role"], part: "key" as const, line: 2, column: 1 },
    { path: ["ticket", "id"], part: "value" as const, line: 4, column: 7 },
    { path: ["list", 1], part: "value" as const, line: 7, column: 5 },
    { path: ["use", "x"], part: "value" as const, line: 8, column: 17 },
    { path: ["missing"], part: "value" as const, line: 2, column: 1 },
    { path: ["ticket", "missing"], part: "key" as const, line: 4, column: 3 },
  ])("points $path ($part) at $line:$column", ({ path, part, line, column }) => {
    expect(parsed!.locate(path, part)).toEqual({ line, column });
  });
});
