/**
 * `npm run generate` writes the generated files (the JSON Schemas of the request and policy
 * formats); `npm run check:generated` (`--check`) only compares them and exits 1 when one is
 * stale, naming the file and the command that fixes it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "../src/core/request/render-json-schemas.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const file of renderJsonSchemas()) {
  const target = join(root, file.path);
  let current: string | undefined;
  try {
    current = readFileSync(target, "utf8");
  } catch {
    current = undefined;
  }
  if (current === file.content) continue;
  if (check) {
    stale++;
    console.error(
      `${file.path} is ${current === undefined ? "missing" : "stale"}: run \`npm run generate\` and commit the result.`,
    );
  } else {
    writeFileSync(target, file.content);
    console.log(`wrote ${file.path}`);
  }
}
if (stale > 0) process.exitCode = 1;
