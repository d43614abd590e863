/**
 * Measures every figure of issue 11's table, each with its floor where it has one, in this run.
 * Times are the min and median of RUNS runs; memory is the kernel's peak resident set of a
 * child process (bench/measure.ts). `quick` divides the sizes by ten for development: its
 * figures are not comparable with the aims, and the table says so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCodeowners } from "../src/core/policy/codeowners.ts";
import { compileCodeowners } from "../src/core/policy/compile-codeowners.ts";
import { syntheticCodeowners, syntheticTree } from "./codeowners.bench.ts";
import { type MeasuredRun, runMeasured, type Spread, spread, timeRuns } from "./measure.ts";
import {
  type Figures as SummarizeFigures,
  figuresOf as summarizeFiguresOf,
  withBundledBench,
} from "./summarize.bench.ts";
import { type FigureRow, withFloor } from "./table.ts";
import { buildRecordsRepository } from "./verify.bench.ts";

/** Runs behind every min and median. */
export const RUNS = 5;
const MB = 1e6;

/** Options of one table run. */
export interface TableOptions {
  /** Sizes divided by ten, for development. */
  quick: boolean;
}

/**
 * Untimed runs of the CODEOWNERS parse before its timed ones. V8's optimizing compiler finished
 * the parser's functions within the first 2 to 7 runs (`--trace-opt`; later on a loaded
 * machine): after 5, the first timed runs still ran partly unoptimized code beside the
 * compiler's threads, so the median measured the compiler. 20 runs take about 60 ms.
 */
const WARM_UP_RUNS = 20;

/** CODEOWNERS: parse 5,000 lines, the slowest single path, every file of a 10,000-file tree. */
export async function codeownersFigures(): Promise<FigureRow[]> {
  const text = syntheticCodeowners(5_000);
  // The first runs measure V8 compiling the parser in tiers (the first about 20-30 ms), not the
  // parser: the first is timed apart and said in the row's note, and the figure is of the runs
  // after WARM_UP_RUNS: the parser once V8 has optimized it, as `hallpass verify` and a
  // long-lived app server reach it. The app parses once per base commit (and a fresh Lambda
  // container from cold), so its case is the first run in the note.
  const coldStart = performance.now();
  parseCodeowners("CODEOWNERS", text);
  const cold = performance.now() - coldStart;
  for (let i = 1; i < WARM_UP_RUNS; i++) parseCodeowners("CODEOWNERS", text);
  const parse = await timeRuns(RUNS, () => parseCodeowners("CODEOWNERS", text));
  const index = compileCodeowners(parseCodeowners("CODEOWNERS", text));
  const probes = [
    "README.md",
    "access-requests/team-4/alice-db.yaml",
    "services/svc-4986/src/index.ts",
    "docs/area-2/generated-3/services/svc-0/x.ext1",
    Array.from({ length: 60 }, (_, i) => `generated-${i * 6 + 3}`).join("/"),
  ];
  const lookups = 200;
  let worst = { min: 0, median: 0 };
  for (const path of probes) {
    const s = await timeRuns(RUNS, () => {
      for (let i = 0; i < lookups; i++) index.match(path);
    });
    const perLookup = { min: (s.min * 1000) / lookups, median: (s.median * 1000) / lookups };
    if (perLookup.median > worst.median) worst = perLookup;
  }
  const tree = syntheticTree(10_000);
  const all = await timeRuns(RUNS, () => {
    for (const path of tree) index.match(path);
  });
  return [
    {
      ...row("CODEOWNERS, 5,000 lines: parse", parse, "ms", "< 10 ms", (v) => v < 10),
      note: `after ${WARM_UP_RUNS} runs not counted, the first ${cold.toFixed(1)} ms (V8 compiling the parser)`,
    },
    row("worst-case owners of one path", worst, "µs", "< 50 µs", (v) => v < 50),
    row("owners of every file of a 10,000-file tree", all, "ms", "< 100 ms", (v) => v < 100),
  ];
}

function row(
  figure: string,
  s: { min: number; median: number },
  unit: string,
  aim: string,
  meets: (value: number) => boolean,
): FigureRow {
  return { figure, value: s.median, min: s.min, unit, aim, met: meets(s.median), runs: RUNS };
}

/**
 * The CloudTrail summary on the production path (LookupEvents pages through the adapter, the
 * tally, the rendering), beside bare `JSON.parse` of the same events' text, each run its own
 * process running the bench bundled as the action is; CPU seconds (on a shared machine,
 * wall-clock time mostly measures waiting for a core). Peak memory at 1 M events and, once, at
 * 10 M to show it flat.
 */
export async function cloudTrailFigures(options: TableOptions): Promise<FigureRow[]> {
  const events = options.quick ? 100_000 : 1_000_000;
  return withBundledBench((file) => {
    const production: SummarizeFigures[] = [];
    const floor: SummarizeFigures[] = [];
    // Interleaved, so that the load of a shared machine falls on both alike.
    for (let r = 0; r < RUNS; r++) {
      production.push(summarizeFiguresOf(file, "production", events));
      floor.push(summarizeFiguresOf(file, "floor", events));
    }
    const seconds = spread(production.map((f) => f.ms / 1000));
    const parse = spread(floor.map((f) => f.ms / 1000));
    const memory = spread(production.map((f) => f.peakRss / MB));
    const large = summarizeFiguresOf(file, "production", events * 10).peakRss / MB;
    return cloudTrailRows(events, seconds, parse, memory, large);
  });
}

function cloudTrailRows(
  events: number,
  seconds: Spread,
  parse: Spread,
  memory: Spread,
  large: number,
): FigureRow[] {
  const label = (n: number) => `${(n / 1e6).toLocaleString("en")} M`;
  return [
    withFloor(
      {
        figure: `CloudTrail summary of ${label(events)} events, production path`,
        value: seconds.median,
        min: seconds.min,
        unit: "s",
        aim: "≤ 1.3 × JSON.parse",
        runs: RUNS,
        note: "CPU seconds; floor: JSON.parse of every event's text; the bench's generator not timed",
      },
      parse.median,
      (_, ratio) => ratio <= 1.3,
    ),
    row(
      `its peak resident memory, ${label(events)} events`,
      memory,
      "MB",
      "< 150 MB",
      (v) => v < 150,
    ),
    withFloor(
      {
        figure: `its peak resident memory, ${label(events * 10)} events`,
        value: large,
        unit: "MB",
        aim: "< 150 MB, flat (≤ 1.1 ×)",
        runs: 1,
        note: `one run; floor: the ${label(events)} figure`,
      },
      memory.median,
      (v, ratio) => v < 150 && ratio <= 1.1,
    ),
  ];
}

/**
 * `hallpass history`, `verify` and `report` as a user runs them (bin/hallpass.js, their own
 * processes) over one repository of 10,000 requests with all their records, beside
 * `git log --name-only` of the same repository, runs interleaved so that the load of a shared
 * machine falls on all alike. Times are CPU seconds of the command and of the git processes it
 * waits for (on a shared machine wall-clock time mostly measures waiting for a core); the
 * note gives the wall-clock medians too. The repository is packed as `git fast-import` writes
 * it (two packs, deltas up to depth 50, no bitmaps); a `git clone --no-local` of it, which is
 * what a user has, measured the same within a few percent (git's walk and cat-file alike).
 */
export function historyFigures(options: TableOptions): FigureRow[] {
  const requests = options.quick ? 1_000 : 10_000;
  const root = mkdtempSync(join(tmpdir(), "hallpass-history-table-"));
  try {
    buildRecordsRepository(root, requests);
    const bin = join(import.meta.dirname, "..", "bin", "hallpass.js");
    const period = ["--since", "2026-01-01", "--until", "2027-01-01"];
    const out = join(root, ".git", "report.html");
    const commands = {
      history: ["history"],
      verify: ["verify"],
      report: ["report", ...period, "--format", "html", "--out", out],
    };
    const runs: Record<keyof typeof commands | "git", MeasuredRun[]> = {
      git: [],
      history: [],
      verify: [],
      report: [],
    };
    // One run of the CLI first, unmeasured: Node's compile cache is filled as after install.
    runMeasured(process.execPath, [bin, "history", "--help"], root);
    for (let r = 0; r < RUNS; r++) {
      runs.git.push(runMeasured("git", ["log", "--name-only"], root));
      for (const [name, args] of Object.entries(commands) as [keyof typeof commands, string[]][]) {
        runs[name].push(runMeasured(process.execPath, [bin, ...args], root));
      }
    }
    const floor = spread(runs.git.map((r) => r.cpuSeconds));
    const wall = (list: MeasuredRun[]) => spread(list.map((r) => r.ms / 1000)).median.toFixed(2);
    const count = requests.toLocaleString("en");
    return (["history", "verify", "report"] as const).flatMap((name) => {
      const seconds = spread(runs[name].map((r) => r.cpuSeconds));
      const memory = spread(runs[name].map((r) => r.peakRss / MB));
      const figure =
        name === "history"
          ? `\`hallpass history\`, ${count} requests`
          : `\`hallpass ${name}\`${name === "report" ? " --format html" : ""}, ${count} requests with all their records`;
      const aim = name === "history" ? "< 3 s, ≤ 2.5 × git log" : "< 5 s";
      return [
        withFloor(
          {
            figure,
            value: seconds.median,
            min: seconds.min,
            unit: "s",
            aim,
            runs: RUNS,
            note: `CPU seconds with git's; floor: git log --name-only; wall-clock medians ${wall(runs[name])} s and ${wall(runs.git)} s`,
          },
          floor.median,
          (v, ratio) => (name === "history" ? v < 3 && ratio <= 2.5 : v < 5),
        ),
        row(`${figure}: peak resident memory`, memory, "MB", "< 300 MB", (v) => v < 300),
      ];
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
