/**
 * Publishes the bench table in README.md, between `<!-- bench:start -->` and
 * `<!-- bench:end -->`, with the machine it was measured on (this one):
 *
 *   npm run bench:readme                 runs `npm run bench -- --json`, then writes the table
 *   npm run bench:readme -- figures.json writes it from a saved `--json` output
 *   npm run bench:readme -- --quick      the same with `--quick` (sizes divided by ten), said so
 *
 * The figures vary from run to run, so no check compares them; a test checks the markers.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FigureRow, machine, renderMarkdownTable } from "../bench/table.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = join(root, "README.md");
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

const quick = process.argv.includes("--quick");

function figures(): FigureRow[] {
  const saved = process.argv.slice(2).find((a) => !a.startsWith("--"));
  if (saved) return JSON.parse(readFileSync(saved, "utf8")) as FigureRow[];
  const bench = spawnSync(
    process.execPath,
    [join(root, "bench/run.ts"), "--json", ...(quick ? ["--quick"] : [])],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 26,
    },
  );
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
// The machine is shared: its load when the table is written says how far the times are inflated.
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const block = `${START}\nMeasured on ${day} on ${machine()}, load average ${load} when written; min and median of ${rows.find((r) => r.runs)?.runs ?? 5} runs (\`npm run bench${quick ? " -- --quick" : ""}\`${quick ? ": sizes divided by ten, not comparable with the aims" : ""}).\n\n${renderMarkdownTable(rows)}\n`;
writeFileSync(readme, text.slice(0, start) + block + text.slice(end));
console.log(`README.md: bench table written (${rows.length} figures).`);
