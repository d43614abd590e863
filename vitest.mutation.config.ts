import { defineConfig } from "vitest/config";
import { MUTATION_TARGET_ENV, MUTATION_TARGETS } from "./stryker/mutation-targets.ts";

/**
 * The test files Stryker runs against each mutant of the security core (stryker.config.json):
 * the unit tests of the one target `scripts/mutation.ts` names in the environment, else those
 * of every target. The whole suite takes minutes per run; these pin the core's decisions in
 * seconds. (Stryker's own `--testFiles` is not used: with it, Stryker 10 activates a mutant of
 * a module-level value after the module has loaded, and reports it as surviving.)
 */
function testsToRun(): string[] {
  const target = process.env[MUTATION_TARGET_ENV];
  if (target === undefined) return [...new Set(Object.values(MUTATION_TARGETS).flat())];
  const tests = MUTATION_TARGETS[target];
  if (tests === undefined) {
    throw new Error(
      `${MUTATION_TARGET_ENV}=${target} is not a mutation target; the targets are listed in stryker/mutation-targets.ts.`,
    );
  }
  return [...tests];
}

export default defineConfig({
  test: {
    include: testsToRun(),
    testTimeout: 20_000,
  },
});
