/**
 * `npm run mutation [-- <file>...] [-- <stryker options>]`: Stryker over the security core, one
 * run per file, each against that file's own unit tests (`stryker/mutation-targets.ts`). No
 * file: every target in turn. Each run's report is kept as
 * `reports/mutation/<file name>.json`, and a line per file gives the score at the end.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { MUTATION_TARGET_ENV, MUTATION_TARGETS } from "../stryker/mutation-targets.ts";

const args = process.argv.slice(2);
const files = args.filter((arg) => arg.endsWith(".ts"));
const options = args.filter((arg) => !arg.endsWith(".ts"));
const unknown = files.filter((file) => !(file in MUTATION_TARGETS));
if (unknown.length > 0) {
  console.error(
    `not a mutation target: ${unknown.join(", ")}. The targets: ${Object.keys(MUTATION_TARGETS).join(", ")}.`,
  );
  process.exit(2);
}

const scores: string[] = [];
let failed = false;
for (const file of files.length > 0 ? files : Object.keys(MUTATION_TARGETS)) {
  const run = spawnSync("stryker", ["run", "--mutate", file, ...options], {
    stdio: "inherit",
    env: { ...process.env, [MUTATION_TARGET_ENV]: file },
  });
  if (run.status !== 0) {
    failed = true;
    scores.push(`${file}: stryker exited ${run.status ?? run.signal}`);
    continue;
  }
  const report = `reports/mutation/${basename(file, ".ts")}.json`;
  copyFileSync("reports/mutation/mutation.json", report);
  scores.push(`${file}: ${scoreOf(report)}`);
}
console.log(`\n${scores.join("\n")}`);
process.exit(failed ? 1 : 0);

/** The mutation score as Stryker computes it: killed and timed out over all that count. */
function scoreOf(report: string): string {
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  const count: Record<string, number> = {};
  for (const { mutants } of Object.values(json.files)) {
    for (const { status } of mutants) count[status] = (count[status] ?? 0) + 1;
  }
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const undetected = (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  const score = (100 * detected) / (detected + undetected);
  return `${score.toFixed(2)} % (${detected} detected, ${count.Survived ?? 0} survived, ${count.NoCoverage ?? 0} not covered, ${count.Ignored ?? 0} equivalent)`;
}
