import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { countAssurance } from "./assurance-counts.ts";

/**
 * Drives the hostile-input corpus: every file of `test/hostile/<category>/` through the real
 * entry point a user would hit, checking that it does not crash (no exception escapes, no stack
 * trace in what the user reads), does not hang (under 2 s of CPU, measured), grants nothing, and
 * says exactly what `<case>.expected.txt` next to it says.
 *
 * The inputs are made by `scripts/generate-hostile-corpus.ts`; the expected messages are
 * rewritten from the current behaviour with `npm run hostile:update` (HALLPASS_UPDATE_HOSTILE=1),
 * and a rewrite is reviewed like code before it is committed.
 */

/** What a user sees for one input, and whether anything was granted. */
export interface HostileOutcome {
  /** The exact text the user sees (output, reply, log line, summary), as compared. */
  message: string;
  /** True when a grant (an IAM role creation) reached the AWS stand-in. */
  granted: boolean;
}

/**
 * Each input must be handled in less than this much CPU time (user + system of this process),
 * measured around the whole entry point. CPU time, not wall time: on a loaded machine (CI on 2
 * shared cores) the same work waits longer for a core, and 2,153 ms of wall time was seen for a
 * case that needs a few ms; a catastrophic pattern or a quadratic step burns CPU and still fails.
 */
export const HOSTILE_TIME_LIMIT_MS = 2000;

/**
 * The wall-clock backstop: a stall (an unanswered call, a forgotten timer) spends no CPU, so it
 * is bounded by real time too, generously for a loaded machine, and below vitest's timeout so
 * that the failure names the input and its time. A true hang never returns and fails there.
 */
export const HOSTILE_WALL_LIMIT_MS = 15_000;

/** CPU time (user + system) of this process between `since` and now, in ms. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

const corpusRoot = new URL("../hostile/", import.meta.url);
const EXPECTED_SUFFIX = ".expected.txt";

/** The input files of a category, sorted: every file except expectations and the README. */
export function corpusCases(category: string): string[] {
  const dir = new URL(`${category}/`, corpusRoot);
  return readdirSync(dir)
    .filter((name) => !name.endsWith(EXPECTED_SUFFIX) && name !== "README.md")
    .sort();
}

/** `bom-utf8.yaml` -> `bom-utf8.expected.txt`. */
export function expectedFileOf(input: string): string {
  const dot = input.indexOf(".");
  return `${dot === -1 ? input : input.slice(0, dot)}${EXPECTED_SUFFIX}`;
}

/** A stack frame (`    at fn (file.ts:12:5)`) or an object printed by accident. */
const CRASH_SIGNS = [/^\s+at .+:\d+:\d+\)?$/m, /\[object Object\]/];

/**
 * Registers one test per input of `category`. `run` gets the input's bytes and its file name
 * and returns what the user sees; it must not set anything up that outlives the call.
 */
export function describeHostileCorpus(
  category: string,
  run: (input: Uint8Array, name: string) => Promise<HostileOutcome>,
): void {
  const dir = new URL(`${category}/`, corpusRoot);
  const cases = corpusCases(category);
  const update = process.env.HALLPASS_UPDATE_HOSTILE === "1";

  describe(`hostile ${category}`, () => {
    it("has an input for every expected message, and inputs to drive", () => {
      const inputs = new Set(cases.map(expectedFileOf));
      const orphans = readdirSync(dir).filter(
        (name) => name.endsWith(EXPECTED_SUFFIX) && !inputs.has(name),
      );
      expect(orphans).toEqual([]);
      expect(cases.length).toBeGreaterThan(0);
    });

    for (const name of cases) {
      it(name, async ({ task }) => {
        const input = new Uint8Array(readFileSync(new URL(name, dir)));
        const started = performance.now();
        const cpuStart = process.cpuUsage();
        const outcome = await run(input, name);
        const cpu = cpuMsSince(cpuStart);
        const elapsed = performance.now() - started;

        const expectedUrl = new URL(expectedFileOf(name), dir);
        // Written first, so that a failing case's message can be reviewed too.
        if (update) writeFileSync(expectedUrl, outcome.message);

        expect(cpu, `${name} took ${Math.round(cpu)} ms of CPU`).toBeLessThan(
          HOSTILE_TIME_LIMIT_MS,
        );
        expect(elapsed, `${name} took ${Math.round(elapsed)} ms of wall time`).toBeLessThan(
          HOSTILE_WALL_LIMIT_MS,
        );
        expect(outcome.granted, `${name} was granted`).toBe(false);
        for (const sign of CRASH_SIGNS) expect(outcome.message).not.toMatch(sign);
        expect(
          existsSync(expectedUrl),
          `${expectedFileOf(name)} is missing: run npm run hostile:update and review it`,
        ).toBe(true);
        expect(outcome.message).toBe(readFileSync(expectedUrl, "utf8"));
        countAssurance(task, { counts: { hostileInputs: 1 }, detail: `hostile ${category}` });
      });
    }
  });
}

/** A CLI run as the user reads it: the exit code, then both streams. */
export function cliTranscript(result: { code: number; stdout: string; stderr: string }): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}
