import { spawnSync } from "node:child_process";
import { delimiter } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** PATH as a newcomer's shell has it: without node_modules/.bin, whose Node 24 npm puts first. */
const outsidePath = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((d) => !d.includes("node_modules"))
  .join(delimiter);
/** The environment without what `npx vitest` adds (npm_*), as in a person's shell. */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  PATH: outsidePath,
  npm_config_update_notifier: "false",
};

function npm(args: string[]) {
  return spawnSync("npm", args, { cwd: root, encoding: "utf8", env, timeout: 60_000 });
}

/** stderr without npm's own `npm warn EBADENGINE` lines. */
function withoutEngineWarnings(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !line.startsWith("npm warn EBADENGINE"))
    .join("\n")
    .trim();
}

const supportsInstallScripts = npm(["help", "install-scripts"]).status === 0;

describe("npm on a fresh clone", () => {
  it.runIf(supportsInstallScripts)(
    "reviews every install script, so npm ci warns of none (the node package's puts Node 24 in place)",
    () => {
      const result = npm(["install-scripts", "ls"]);
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe("No packages with unreviewed install scripts.");
    },
  );

  it("runs `npx hallpass` from a shell whose Node is the machine's own, printing nothing else", () => {
    const result = spawnSync("npx", ["hallpass", "--version"], {
      cwd: root,
      encoding: "utf8",
      env,
      timeout: 60_000,
    });
    // npm itself may warn that this package wants Node 24 (EBADENGINE, explained in the README's
    // quick start) before the launcher re-runs on it; nothing else may reach the newcomer.
    expect(withoutEngineWarnings(result.stderr)).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^hallpass \d+\.\d+\.\d+\n$/);
  });
});
