import type { Reporter, TestModule } from "vitest/node";

/**
 * The assurance figures `npm test` prints on one line: how many generated lifecycles ran (and
 * their steps and invariant checks), how many injected faults, how many hostile inputs. Each
 * test adds what it proved to its own metadata with `countAssurance`; vitest carries that
 * metadata from the workers to the reporter below, which sums it over the tests that passed
 * (a failing test proves nothing). One place, so that every kind of assurance test adds to it.
 */

/** What one test proved, by kind. */
export interface AssuranceCounts {
  /** Generated lifecycles run to the end with every invariant holding. */
  lifecycles: number;
  /** Steps of those lifecycles. */
  steps: number;
  /** Invariant checks made after the steps. */
  invariantChecks: number;
  /** Faults injected (a call made to fail one way) that ended in a safe, recorded state. */
  faults: number;
  /** Hostile or broken inputs driven through a real entry point. */
  hostileInputs: number;
}

/** What a test adds: some counts, and a detail (`hostile inputs/requests`) to group them by. */
export interface AssuranceEntry {
  counts: Partial<AssuranceCounts>;
  /** `<kind>/<category>`, shown after the line's totals. */
  detail?: string;
}

declare module "vitest" {
  interface TaskMeta {
    /** What the test proved, summed by the assurance reporter. */
    assurance?: AssuranceEntry[];
  }
}

/** Adds `entry` to the running test's figures; pass the test context's `task`. */
export function countAssurance(
  task: { meta: { assurance?: AssuranceEntry[] } },
  entry: AssuranceEntry,
): void {
  task.meta.assurance = [...(task.meta.assurance ?? []), entry];
}

const KINDS: [keyof AssuranceCounts, string][] = [
  ["lifecycles", "lifecycles"],
  ["steps", "steps"],
  ["invariantChecks", "invariant checks"],
  ["faults", "faults"],
  ["hostileInputs", "hostile inputs"],
];

/** The line: `assurance: N lifecycles, S steps, I invariant checks, F faults, H hostile inputs`. */
export function formatAssuranceLine(entries: readonly AssuranceEntry[]): string {
  const totals: AssuranceCounts = {
    lifecycles: 0,
    steps: 0,
    invariantChecks: 0,
    faults: 0,
    hostileInputs: 0,
  };
  const details = new Map<string, number>();
  for (const { counts, detail } of entries) {
    let sum = 0;
    for (const [kind] of KINDS) {
      totals[kind] += counts[kind] ?? 0;
      sum += counts[kind] ?? 0;
    }
    if (detail !== undefined) details.set(detail, (details.get(detail) ?? 0) + sum);
  }
  const line = KINDS.map(([kind, words]) => `${totals[kind]} ${words}`).join(", ");
  const by = [...details].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `assurance: ${line}${by.length > 0 ? ` (${by.map(([d, n]) => `${d} ${n}`).join(", ")})` : ""}`;
}

/** Prints the assurance line at the end of the run, summed over the tests that passed. */
export default class AssuranceReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const entries: AssuranceEntry[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== "passed") continue;
        entries.push(...(test.meta().assurance ?? []));
      }
    }
    process.stdout.write(`\n${formatAssuranceLine(entries)}\n`);
  }
}
