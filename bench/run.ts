/**
 * `npm run bench`: measures every figure of issue 11's table (bench/figures.ts) and prints one
 * Markdown table: min and median of the runs, the floor measured in the same run and the ratio
 * to it, the aim, and whether it is met. `--json` prints the same figures as one JSON array (an
 * object per figure); `--quick` divides the sizes by ten, for development.
 *
 * `npm run bench -- --details` runs every `bench/*.bench.ts` instead (or, given names, those
 * whose name contains one: `npm run bench summarize`), each printing its own lines.
 * Performance claims live here, never in timed tests.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cloudTrailFigures, codeownersFigures, historyFigures, RUNS } from "./figures.ts";
import { githubFigures } from "./github.bench.ts";
import { type FigureRow, machine, renderMarkdownTable } from "./table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const filters = args.filter((a) => !a.startsWith("--"));

async function details(): Promise<void> {
  const files = readdirSync(here)
    .filter((name) => name.endsWith(".bench.ts"))
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort();
  console.log(machine());
  for (const name of files) {
    console.log(`\n== ${name.replace(/\.bench\.ts$/, "")}`);
    const module = (await import(pathToFileURL(join(here, name)).href)) as {
      run: () => Promise<void>;
    };
    await module.run();
  }
}

async function table(): Promise<void> {
  const options = { quick: flags.has("--quick") };
  const progress = (what: string) => process.stderr.write(`bench: ${what}\n`);
  const rows: FigureRow[] = [];
  progress("GitHub requests and the merge against loopback stand-ins");
  rows.push(...(await githubFigures()));
  progress("CloudTrail summary (child processes)");
  rows.push(...(await cloudTrailFigures(options)));
  progress("CODEOWNERS");
  rows.push(...(await codeownersFigures()));
  progress("hallpass history, verify and report (child processes)");
  rows.push(...historyFigures(options));
  if (flags.has("--json")) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`Measured on ${machine()}; min and median of ${RUNS} runs.`);
  if (options.quick) console.log("--quick: sizes divided by ten; not comparable with the aims.");
  console.log(renderMarkdownTable(rows));
}

if (flags.has("--details") || filters.length > 0) await details();
else await table();
