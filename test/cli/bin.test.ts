import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/hallpass.js", import.meta.url));

/** Runs the real executable, as `npx hallpass` does, with the Node that runs the tests. */
function hallpass(args: string[], cwd = root) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 15_000 });
}

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
});
