import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The first `sh` block after `heading` in the README, as a person would paste it. */
function commandAfter(heading: string): string {
  const start = readme.indexOf(heading);
  expect(start, `README has "${heading}"`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(block, `a sh block follows "${heading}"`).not.toBeNull();
  return block![1]!;
}

/** A copy of what a fresh clone holds for the CLI, with this checkout's node_modules. */
const copy = mkdtempSync(join(tmpdir(), "hallpass-readme-"));
for (const entry of ["package.json", "bin", "src", "policies", "access-requests"]) {
  cpSync(join(root, entry), join(copy, entry), { recursive: true });
}
symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("the README's quick start", () => {
  it("asks for access with `hallpass new` as written, for someone outside the example organisation", () => {
    const command = commandAfter("Ask for access");
    // A newcomer: no HALLPASS_REQUESTER, and a home whose git config names nobody.
    const { HALLPASS_REQUESTER: _unset, ...env } = process.env;
    const result = spawnSync("sh", ["-c", command], {
      cwd: copy,
      encoding: "utf8",
      env: { ...env, HOME: copy, XDG_CONFIG_HOME: copy, GIT_CONFIG_NOSYSTEM: "1" },
      timeout: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const written = /^Wrote (\S+)$/m.exec(result.stdout)?.[1];
    expect(written).toMatch(
      /^access-requests\/dan-acme\/\d{4}-\d{2}-\d{2}-prod-readonly-production\.yaml$/,
    );
    expect(existsSync(join(copy, written!))).toBe(true);
    const validate = spawnSync(
      process.execPath,
      [join(copy, "bin/hallpass.js"), "validate", written!],
      {
        cwd: copy,
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(validate.status).toBe(0);
  });
});
