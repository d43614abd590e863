/**
 * What every figure of the bench table is measured with: repeated runs summarised as min and
 * median, and child processes whose peak resident memory the kernel reports (not the process
 * itself: a process cannot see its own last allocations, nor its children's).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The min and the median of some runs' values. */
export interface Spread {
  min: number;
  median: number;
}

/** The min and median of `values` (at least one). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("spread of no values");
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]! };
}

/** Runs `body` `runs` times and returns the spread of its wall times in milliseconds. */
export async function timeRuns(runs: number, body: () => unknown): Promise<Spread> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  return spread(times);
}

/** One child process's output, wall time and kernel-reported peak resident set. */
export interface MeasuredRun {
  stdout: string;
  /** Wall time from spawn to exit, milliseconds (includes /usr/bin/time's own fork). */
  ms: number;
  /** Peak resident set in bytes: wait4's ru_maxrss of the process (the largest of it and the children it waited for). */
  peakRss: number;
  /** CPU seconds (user and system) of the process and of the children it waited for (git). */
  cpuSeconds: number;
}

/**
 * Runs `command args` under `/usr/bin/time`, which reads the kernel's `ru_maxrss` from wait4
 * once the process has exited. Fails, with the child's stderr, when it exits non-zero.
 */
export function runMeasured(command: string, args: string[], cwd?: string): MeasuredRun {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-bench-time-"));
  try {
    const out = join(dir, "rss");
    const start = performance.now();
    const child = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", out, command, ...args], {
      cwd,
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ms = performance.now() - start;
    if (child.error) {
      throw new Error(`${command}: ${child.error.message} (the bench needs /usr/bin/time)`);
    }
    if (child.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited ${child.status}: ${child.stderr}`);
    }
    const [kib, user, system] = (readFileSync(out, "utf8").trim().split("\n").pop() ?? "")
      .split(" ")
      .map(Number);
    if (!Number.isFinite(kib) || !Number.isFinite(user) || !Number.isFinite(system)) {
      throw new Error(`/usr/bin/time reported no peak RSS or CPU time for ${command}`);
    }
    return { stdout: child.stdout, ms, peakRss: kib! * 1024, cpuSeconds: user! + system! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
