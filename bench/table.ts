/**
 * The rows of the bench table (issue 11's figures) and their two renderings: a Markdown table
 * for people (`npm run bench`, the README) and JSON for tools (`npm run bench -- --json`).
 */
import { cpus, totalmem } from "node:os";

/** The machine the figures are measured on, in one line. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** One figure of the table, as `--json` prints it. */
export interface FigureRow {
  /** Its name, as in the table. */
  figure: string;
  /** What was reached: the median of the runs (a count when the figure is one). */
  value: number;
  /** The fastest (smallest) run; absent for counts, which do not vary. */
  min?: number;
  /** The unit of `value`, `min` and `floor`: "ms", "s", "µs", "MB" (10^6 bytes), "requests". */
  unit: string;
  /** The floor measured in the same run, where the figure is compared with one. */
  floor?: number;
  /** `value / floor`, where there is a floor. */
  ratio?: number;
  /** The aim, in words (from the issue's table). */
  aim: string;
  /** Whether `value` (and `ratio`) meet the aim. */
  met: boolean;
  /** How many runs the min and median are of. */
  runs?: number;
  /** What the figure leaves out or counts apart, when something is. */
  note?: string;
}

/** `value` with as many decimals as its size needs. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en");
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString("en", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const escapeCell = (text: string): string => text.replaceAll("|", "\\|");

/** The rows as a Markdown table; a figure that misses its aim says "not met". */
export function renderMarkdownTable(rows: readonly FigureRow[]): string {
  const lines = [
    "| figure | min | median | floor | ratio | aim | met | note |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
  ];
  for (const row of rows) {
    const withUnit = (v: number | undefined) =>
      v === undefined ? "" : `${formatNumber(v)} ${row.unit}`;
    lines.push(
      `| ${[
        escapeCell(row.figure),
        withUnit(row.min),
        withUnit(row.value),
        withUnit(row.floor),
        row.ratio === undefined ? "" : `${row.ratio.toFixed(2)} ×`,
        escapeCell(row.aim),
        row.met ? "met" : "**not met**",
        escapeCell(row.note ?? ""),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/** A row with a floor: the ratio is computed here, so that it always matches the figures. */
export function withFloor(
  row: Omit<FigureRow, "ratio" | "met" | "floor">,
  floor: number,
  meets: (value: number, ratio: number) => boolean,
): FigureRow {
  const ratio = row.value / floor;
  return { ...row, floor, ratio, met: meets(row.value, ratio) };
}
