/**
 * Writes the hostile-input corpus, `test/hostile/<category>/<case>.<ext>`, from the case tables
 * in `scripts/hostile-corpus/`: inputs only (the expected messages next to them are written by
 * `npm run hostile:update` and reviewed). Inputs no table names any more are deleted, with
 * their expected message. `--check` only compares, and exits 1 when the corpus is stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CorpusCases } from "./hostile-corpus/bytes.ts";
import { cliCases } from "./hostile-corpus/cli.ts";
import { cloudTrailCases } from "./hostile-corpus/cloudtrail.ts";
import { codeownersCases } from "./hostile-corpus/codeowners.ts";
import { commentCases } from "./hostile-corpus/comments.ts";
import { policyCases } from "./hostile-corpus/policies.ts";
import { requestCases } from "./hostile-corpus/requests.ts";
import { webhookCases } from "./hostile-corpus/webhooks.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "hostile");
const check = process.argv.includes("--check");

const categories: Record<string, CorpusCases> = {
  requests: requestCases,
  cli: cliCases,
  webhooks: webhookCases,
  comments: commentCases,
  cloudtrail: cloudTrailCases,
  policies: policyCases,
  codeowners: codeownersCases,
};

let stale = 0;
let written = 0;
for (const [category, cases] of Object.entries(categories)) {
  const dir = join(root, category);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(cases)) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    const target = join(dir, name);
    if (existsSync(target) && readFileSync(target).equals(bytes)) continue;
    if (check) {
      stale++;
      console.error(`test/hostile/${category}/${name} is stale: run \`npm run hostile:generate\`.`);
    } else {
      writeFileSync(target, bytes);
      written++;
    }
  }
  for (const name of readdirSync(dir)) {
    if (name === "README.md" || name.endsWith(".expected.txt") || name in cases) continue;
    if (check) {
      stale++;
      console.error(
        `test/hostile/${category}/${name} is in no case table: run \`npm run hostile:generate\`.`,
      );
    } else {
      rmSync(join(dir, name));
      rmSync(join(dir, `${name.slice(0, name.indexOf("."))}.expected.txt`), { force: true });
    }
  }
}
if (stale > 0) process.exitCode = 1;
else if (!check) console.log(`hostile corpus: ${written} files written`);
