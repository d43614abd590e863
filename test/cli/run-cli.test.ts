import { readFileSync } from "node:fs";
import { stripVTControlCharacters as stripAnsi } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { wantsColour } from "../../src/cli/colour.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { makeRepo, run, validRequest } from "./cli-harness.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function repo(files: Record<string, string> = {}): string {
  const { root, cleanup } = makeRepo(files);
  cleanups.push(cleanup);
  return root;
}

const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

describe("hallpass --version", () => {
  it("prints the package's version and exits 0", async () => {
    const result = await run(["--version"], { cwd: "/" });
    expect(result).toEqual({ code: 0, stdout: `hallpass ${version}\n`, stderr: "" });
  });

  it("answers -v too, as node and npm do", async () => {
    expect((await run(["-v"], { cwd: "/" })).stdout).toBe(`hallpass ${version}\n`);
  });

  it("is listed in the overview", async () => {
    expect((await run(["--help"], { cwd: "/" })).stdout).toContain("hallpass --version");
  });
});

describe("arguments with control characters", () => {
  // Raw, they would move the cursor, clear the screen, forge a link or a line, or reverse the
  // text of the error on the user's terminal; escaped, they show as what was typed.
  const raw = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
  it.each([
    [["\u001b[2J\u001b[Hvalidate"], 'unknown command "\\u001b[2J\\u001b[Hvalidate"'],
    [["validate\u0000"], 'unknown command "validate\\u0000"'],
    [["valid\nate"], 'unknown command "valid\\nate"'],
    [["validate\u202e"], 'unknown command "validate\\u202e"'],
    [
      ["--\u001b]8;;https://evil.example\u0007x"],
      'unknown option "--\\u001b]8;;https://evil.example\\u0007x"',
    ],
    [["validate", "--fromat\r"], "hallpass validate: unknown option --fromat\\r."],
    [["history", "--since", "\u009b2J"], 'not "\\u009b2J"'],
    [["validate", "x\u2028y"], "x\\u2028y"],
  ])("%j: echoed escaped, exit 2", async (argv, shown) => {
    const result = await run(argv, { cwd: repo() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(shown);
    expect(result.stderr.replaceAll("\n", "")).not.toMatch(raw);
  });
});

describe("unknown and malformed options", () => {
  it.each([
    [["validate", "--fromat", "json"], 'unknown option --fromat. Did you mean "--format"?'],
    [["new", "--rol", "x"], 'unknown option --rol. Did you mean "--role"?'],
    [["plan", "--repositry", "o/r"], 'unknown option --repositry. Did you mean "--repository"?'],
    [["sweep", "--dry-rn"], 'unknown option --dry-rn. Did you mean "--dry-run"?'],
    [["history", "--acount", "production"], 'unknown option --acount. Did you mean "--account"?'],
  ])("%j: did you mean, exit 2", async (argv, message) => {
    const result = await run(argv, { cwd: repo() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hallpass ${argv[0]}: ${message}\nRun \`hallpass ${argv[0]} --help\` for usage.\n`,
    );
  });

  it("lists the known options when nothing is close", async () => {
    const result = await run(["validate", "--zzzzzz"], { cwd: repo() });
    expect(result.stderr).toContain(
      "hallpass validate: unknown option --zzzzzz. Known options: --format, --help.",
    );
  });

  it.each([
    [["new", "--role"], "--role needs a value: --role <value>."],
    [["sweep", "--dry-run=yes"], '--dry-run takes no value (remove "=yes").'],
    [
      ["history", "--account", "--role", "x"],
      '--account needs a value, but is followed by --role. For a value that starts with "-", write --account=--role.',
    ],
    [["sweep", "extra"], 'unexpected argument "extra": this command takes options only.'],
    [["new", "--constructor", "x"], "unknown option --constructor."],
  ])("%j: says what is wrong, never Node's parser text", async (argv, message) => {
    const result = await run(argv, { cwd: repo() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`hallpass ${argv[0]}: ${message}`);
    expect(result.stderr).not.toMatch(/positional argument|'--|ERR_PARSE_ARGS/);
  });

  it.each([
    [["new", "--duration", "1h", "--duration", "2h"], "--duration", '"1h" and "2h"'],
    [
      ["history", "--since=2026-01-01", "--since", "2026-02-01"],
      "--since",
      '"2026-01-01" and "2026-02-01"',
    ],
    [["validate", "--format", "json", "--format", "json"], "--format", '"json" and "json"'],
  ])("%j: a flag that takes one value, given twice, is a usage error", async (argv, flag, both) => {
    const result = await run(argv, { cwd: repo() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hallpass ${argv[0]}: ${flag} is given twice (${both}) but takes one value: keep the one you mean.\nRun \`hallpass ${argv[0]} --help\` for usage.\n`,
    );
  });

  it("suggests from a command's help when the command calls parseArgs itself", async () => {
    const { parseArgs } = await import("node:util");
    let stderr = "";
    const code = await runCli(
      ["raw", "--dirr", "x"],
      {
        cwd: "/",
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        now: () => new Date(),
        env: {},
        gitConfig: async () => undefined,
      },
      [
        {
          name: "raw",
          summary: "parses by itself",
          help: "Usage: hallpass raw [--dir DIR]\n  --dir DIR  where\n",
          run: async (args) => {
            parseArgs({ args, options: { dir: { type: "string" } }, strict: true });
            return 0;
          },
        },
      ],
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'hallpass raw: unknown option --dirr, or it lacks its value. Did you mean "--dir"?\nRun `hallpass raw --help` for usage.\n',
    );
  });

  it("answers an option before any command with a suggestion", async () => {
    const typo = await run(["--verison"], { cwd: "/" });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^hallpass: unknown option "--verison". Did you mean "--version"\?\n/,
    );
    const misplaced = await run(["--format", "json"], { cwd: "/" });
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(
      /^hallpass: unknown option "--format". A command's options go after its name: hallpass <command> --format\.\n/,
    );
  });
});

describe("colour", () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, true],
    [true, { TERM: "dumb" }, false],
    [false, { FORCE_COLOR: "1" }, true],
    [false, { FORCE_COLOR: "" }, true],
    [true, { FORCE_COLOR: "0" }, false],
    [true, { FORCE_COLOR: "false" }, false],
    [false, { FORCE_COLOR: "1", NO_COLOR: "1" }, false],
  ])("terminal %s with %j: colour %s", (isTerminal, env, expected) => {
    expect(wantsColour(isTerminal, env)).toBe(expected);
  });

  it("paints the location and severity of each problem when the stream takes colour", async () => {
    const cwd = repo({
      "access-requests/alice/a.yaml": validRequest.replace("duration: 2h", "duration: 9h"),
    });
    const plain = await run(["validate"], { cwd });
    expect(plain.stderr).not.toContain("\u001b[");
    expect(plain.stderr).toContain("access-requests/alice/a.yaml:5:11: error: 9h is longer");
    const painted = await run(["validate"], { cwd, colour: true });
    expect(painted.code).toBe(1);
    expect(painted.stderr).toContain(
      "\u001b[1maccess-requests/alice/a.yaml:5:11\u001b[22m: \u001b[31merror\u001b[39m: 9h is longer",
    );
    // Colour changes nothing but the escapes.
    expect(stripAnsi(painted.stderr)).toBe(plain.stderr);
  });
});
