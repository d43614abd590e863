/**
 * Publishes the bench table in README.md, between `<!-- bench:start -->` and
 * `<!-- bench:end -->`, with the machine it was measured on (this one):
 *
 *   npm run bench:readme                 runs `npm run bench -- --json`, then writes the table
 *   npm run bench:readme -- figures.json writes it from a saved `--json` output
 *
 * The figures vary from run to run, so no check compares them; a test checks the markers.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FigureRow, machine, renderMarkdownTable } from "../bench/table.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = join(root, "README.md");
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

function figures(): FigureRow[] {
  const saved = process.argv[2];
  if (saved) return JSON.parse(readFileSync(saved, "utf8")) as FigureRow[];
  const bench = spawnSync(process.execPath, [join(root, "bench/run.ts"), "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 26,
  });
  if (bench.status !== 0) throw new Error(`npm run bench -- --json exited ${bench.status}`);
  return JSON.parse(bench.stdout) as FigureRow[];
}

const rows = figures();
const text = readFileSync(readme, "utf8");
const start = text.indexOf(START);
const end = text.indexOf(END);
if (start < 0 || end < start) {
  throw new Error(`README.md: the markers ${START} and ${END} are missing or out of order.`);
}
const day = new Date().toISOString().slice(0, 10);
const block = `${START}\nMeasured on ${day} on ${machine()}; min and median of ${rows.find((r) => r.runs)?.runs ?? 5} runs (\`npm run bench\`).\n\n${renderMarkdownTable(rows)}\n`;
writeFileSync(readme, text.slice(0, start) + block + text.slice(end));
console.log(`README.md: bench table written (${rows.length} figures).`);
