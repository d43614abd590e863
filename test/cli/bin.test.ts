import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/hallpass.js", import.meta.url));

/** Runs the real executable, as `npx hallpass` does, with the Node that runs the tests. */
function hallpass(args: string[], cwd = root, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 15_000,
    env: { ...withoutColourSettings(process.env), ...env },
  });
}

/** The environment without the settings that decide colour, which a test sets itself. */
function withoutColourSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...rest } = env;
  return rest;
}

/**
 * A Node older than 24 on this machine's PATH outside node_modules (npm puts the project's
 * Node 24 first on the PATH of scripts; a person typing ./bin/hallpass.js gets the system's).
 */
function findOlderNode(): string | undefined {
  const directories = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((d) => d !== "" && !d.includes("node_modules"));
  for (const candidate of [...directories.map((d) => join(d, "node")), "/usr/local/bin/node"]) {
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout ?? "";
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major > 0 && major < 24) return candidate;
  }
  return undefined;
}
const olderNode = findOlderNode();
const version = (
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
).version;

describe("the hallpass executable", () => {
  it("validates this repository's example organisation", () => {
    const result = hallpass(["validate"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+ requests? and \d+ policy files? valid\.\n$/);
  });

  it("sets the exit code: 2 for a usage error", () => {
    const result = hallpass(["validate", "--format", "yaml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--format must be text or json");
  });

  it("runs the commands that read every record in a second process, passing on its output and exit code", () => {
    const result = hallpass(["verify", "--format", "yaml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--format must be text or json");
    const help = hallpass(["report", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: hallpass report");
  });

  it("runs the readers with a small young generation and their compilation on the main thread", () => {
    const dir = mkdtempSync(join(tmpdir(), "hallpass-bin-flags-"));
    try {
      const hook = join(dir, "flags.mjs");
      writeFileSync(
        hook,
        'process.stderr.write("flags " + JSON.stringify(process.execArgv.filter((a) => !a.startsWith("--import"))) + "\\n");\n',
      );
      const flagsOf = (command: string) =>
        [
          ...hallpass([command, "--help"], root, {
            NODE_OPTIONS: `--import=${hook}`,
          }).stderr.matchAll(/^flags (.*)$/gm),
        ].map((m) => JSON.parse(m[1]!) as string[]);
      for (const reader of ["history", "verify", "report"]) {
        expect(flagsOf(reader)).toEqual([
          [],
          ["--max-semi-space-size=4", "--no-concurrent-recompilation"],
        ]);
      }
      expect(flagsOf("validate")).toEqual([[]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints its version", () => {
    const result = hallpass(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`hallpass ${version}\n`);
  });

  it("prints no colour when piped or with NO_COLOR, and colour with FORCE_COLOR", () => {
    const invalid = ["validate", "--format", "yaml"];
    expect(hallpass(invalid).stderr).not.toContain("\u001b[");
    expect(hallpass(invalid, root, { FORCE_COLOR: "1" }).stderr).toContain(
      "\u001b[1mhallpass validate:\u001b[22m",
    );
    expect(hallpass(invalid, root, { FORCE_COLOR: "1", NO_COLOR: "1" }).stderr).not.toContain(
      "\u001b[",
    );
  });

  it.runIf(spawnSync("script", ["--version"]).status === 0)("prints colour on a terminal", () => {
    // script(1) runs the command on a pseudo-terminal, as a person's shell would.
    const command = `'${process.execPath}' '${bin}' validate --format yaml`;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: root,
      encoding: "utf8",
      env: { ...withoutColourSettings(process.env), TERM: "xterm" },
      timeout: 15_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("\u001b[1mhallpass validate:\u001b[22m");
  });
});

describe.runIf(olderNode !== undefined)(
  `bin/hallpass.js under an older Node (${olderNode})`,
  () => {
    it("runs the command on the project's Node 24", () => {
      const result = spawnSync(olderNode!, [bin, "validate"], {
        cwd: root,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^\d+ requests? and \d+ policy files? valid\.\n$/);
    });

    it("says in one line what to do when the project's Node 24 is not installed", () => {
      const copy = mkdtempSync(join(tmpdir(), "hallpass-bin-"));
      try {
        mkdirSync(join(copy, "bin"));
        copyFileSync(bin, join(copy, "bin", "hallpass.js"));
        const result = spawnSync(olderNode!, [join(copy, "bin", "hallpass.js"), "validate"], {
          cwd: copy,
          encoding: "utf8",
          timeout: 15_000,
        });
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(
          /^hallpass needs Node\.js 24 or later, but this is Node\.js \d+\.\d+\.\d+: run `npm ci` in .+ \(it installs the project's Node 24\) and use `npx hallpass`, or install Node\.js 24\.\n$/,
        );
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  },
);
