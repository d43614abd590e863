/**
 * `npm run generate` writes the generated files (the JSON Schemas of the request and policy
 * formats, and the access-request issue form of this repository's policies/);
 * `npm run check:generated` (`--check`) only compares them and exits 1 when one is stale, naming
 * the file and the command that fixes it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRepositoryIssueForm } from "../src/adapters/repository-issue-form.ts";
import { renderJsonSchemas } from "../src/core/request/render-json-schemas.ts";
import { formatProblem } from "../src/core/source/problem.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
let stale = 0;
const form = readRepositoryIssueForm(root);
if ("problems" in form) {
  for (const problem of form.problems) console.error(formatProblem(problem));
  console.error("policies/ have errors, so the issue form cannot be generated: fix them first.");
  process.exit(1);
}
for (const file of [...renderJsonSchemas(), form.file]) {
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
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    console.log(`wrote ${file.path}`);
  }
}
if (stale > 0) process.exitCode = 1;
