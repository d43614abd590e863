/**
 * Patterns from policies/ on hostile input: a role's ticket pattern (the request author picks
 * the ticket, at most 200 characters) and an alert glob (CloudTrail event names come from the
 * grant holder). Each figure is compile and match of one 200-character input, the worst of the
 * inputs tried; the budget is 1 ms.
 */
import {
  compileLinearPattern,
  MAX_PROGRAM_SIZE,
} from "../src/core/policy/compile-linear-pattern.ts";
import { matchesGlob } from "../src/core/policy/match-glob.ts";
import { MAX_TICKET_LENGTH } from "../src/core/request/validate-request.ts";

const inputs = [
  "a".repeat(MAX_TICKET_LENGTH),
  `${"a".repeat(MAX_TICKET_LENGTH - 1)}!`,
  "ab".repeat(MAX_TICKET_LENGTH / 2),
  `INC-${"1".repeat(MAX_TICKET_LENGTH - 4)}`,
];

/**
 * Microseconds of CPU time per input (this process's, over `runs` rounds of every input):
 * steadier than wall time on a shared machine, where other processes take the cores; and the
 * slowest single wall-clock run of the worst input, for comparison.
 */
function measure(runs: number, work: (input: string) => unknown): { cpu: number; wall: number } {
  for (let i = 0; i < 50; i++) for (const input of inputs) work(input);
  const samples: number[] = [];
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    let worst = 0;
    for (const input of inputs) {
      const started = performance.now();
      work(input);
      worst = Math.max(worst, performance.now() - started);
    }
    samples.push(worst);
  }
  const used = process.cpuUsage(before);
  samples.sort((a, b) => a - b);
  return {
    cpu: (used.user + used.system) / (runs * inputs.length),
    wall: samples[Math.floor(runs / 2)]! * 1000,
  };
}

function show(label: string, { cpu, wall }: { cpu: number; wall: number }): void {
  const verdict = cpu < 1000 ? "" : "  OVER the 1 ms budget";
  console.log(
    `${label.padEnd(62)} ${cpu.toFixed(0).padStart(5)} µs CPU (median wall ${wall.toFixed(0)} µs)${verdict}`,
  );
}

export async function run(): Promise<void> {
  const patterns: [string, string][] = [
    ["ticket: the example ^(INC|CHG)-[0-9]+$", "^(INC|CHG)-[0-9]+$"],
    ["ticket: ^(a+)+$ (backtracking engines: 2^200 steps)", "^(a+)+$"],
    ["ticket: (a*)* x 20, then b", `${"(a*)*".repeat(20)}b`],
    ["ticket: (.?){32} x 3, then b (near the program cap)", "(.?){32}(.?){32}(.?){32}b"],
    ["ticket: ([\\s\\S]?){50}(a|b|c|d|e)*x", "([\\s\\S]?){50}(a|b|c|d|e)*x"],
  ];
  for (const [label, source] of patterns) {
    const compiled = compileLinearPattern(source);
    if (!compiled.ok) throw new Error(`${source}: ${compiled.reason}`);
    const size = `${compiled.size}/${MAX_PROGRAM_SIZE} steps`;
    show(
      `${label} [${size}]`,
      measure(200, (input) => compileLinearPattern(source).ok && compiled.test(input)),
    );
  }
  const globs: [string, string][] = [
    ["alert glob: *:Delete*", "*:Delete*"],
    ["alert glob: *a x 12, then *b (backtracking: ~n^12 steps)", `${"*a".repeat(12)}*b`],
    ["alert glob: ?-run and stars", `${"?".repeat(60)}*a*?*b`],
  ];
  for (const [label, glob] of globs)
    show(
      label,
      measure(200, (input) => matchesGlob(glob, input)),
    );
}
