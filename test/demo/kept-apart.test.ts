import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The demo's stand-ins answer as GitHub and AWS would but check nothing: they must never be
 * reachable from the app, the action or the workflows. Only `hallpass demo` may import them.
 */

const root = join(import.meta.dirname, "../..");
const MAY_IMPORT_DEMO = new Set(["src/cli/demo-command.ts"]);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("the demo's stand-ins", () => {
  it("are imported by no production code but the demo command", () => {
    const importers = [...sources("src"), ...sources("action")]
      .filter((file) => !file.startsWith("src/demo/") && !MAY_IMPORT_DEMO.has(file))
      .filter((file) => /from\s+["'][^"']*\/demo\//.test(readFileSync(join(root, file), "utf8")));
    expect(importers).toEqual([]);
  });

  it("import nothing from the tests", () => {
    const importers = sources("src/demo").filter((file) =>
      /from\s+["'][^"']*\/test\//.test(readFileSync(join(root, file), "utf8")),
    );
    expect(importers).toEqual([]);
  });
});
