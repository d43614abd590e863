import { defineConfig } from "vitest/config";

/**
 * The test files Stryker runs against each mutant of the security core
 * (stryker.config.json). The whole suite takes minutes per run; these unit
 * tests of the core pin its decisions in seconds, so a mutant that only the
 * end-to-end tests would notice counts as surviving: the core's own tests
 * must pin it.
 */
export default defineConfig({
  test: {
    include: [
      "test/core/approval/decide-approval.test.ts",
      "test/core/grant/plan-grant.test.ts",
      "test/core/grant/plan-revocation.test.ts",
      "test/core/grant/grant-policy-simulation.test.ts",
      "test/core/policy/codeowners.test.ts",
      "test/core/policy/compile-codeowners.test.ts",
      "test/core/sweep/plan-sweep.test.ts",
      "test/core/request/check-pull-request-contents.test.ts",
      "test/core/request/validate-request.test.ts",
    ],
    testTimeout: 20_000,
  },
});
