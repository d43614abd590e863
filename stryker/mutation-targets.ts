/**
 * The security core that `npm run mutation` mutates, each file with the unit tests of the core
 * that must pin it. A mutant only an end-to-end test would notice counts as surviving: the
 * core's own tests must catch it. Read by `vitest.mutation.config.ts` (which tests run) and
 * `scripts/mutation.ts` (which files are mutated).
 */
export const MUTATION_TARGETS: Readonly<Record<string, readonly string[]>> = {
  "src/core/approval/decide-approval.ts": ["test/core/approval/decide-approval.test.ts"],
  "src/core/grant/plan-grant.ts": [
    "test/core/grant/plan-grant.test.ts",
    "test/core/grant/grant-policy-simulation.test.ts",
  ],
  "src/core/policy/codeowners.ts": [
    "test/core/policy/codeowners.test.ts",
    "test/core/policy/compile-codeowners.test.ts",
  ],
  "src/core/policy/compile-codeowners.ts": [
    "test/core/policy/compile-codeowners.test.ts",
    "test/core/policy/codeowners.test.ts",
  ],
  "src/core/grant/plan-revocation.ts": [
    "test/core/grant/plan-grant.test.ts",
    "test/core/grant/grant-policy-simulation.test.ts",
  ],
  "src/core/sweep/plan-sweep.ts": ["test/core/sweep/plan-sweep.test.ts"],
  "src/core/request/check-pull-request-contents.ts": [
    "test/core/request/check-pull-request-contents.test.ts",
  ],
  "src/core/request/validate-request.ts": ["test/core/request/validate-request.test.ts"],
};

/** The environment variable naming the one target a run mutates (set by scripts/mutation.ts). */
export const MUTATION_TARGET_ENV = "HALLPASS_MUTATION_TARGET";
