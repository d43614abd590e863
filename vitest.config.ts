import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Headroom for a loaded CI (2 shared cores, load 10+): a test that waits for nothing still
    // fails when it hangs, and the slow files (lifecycles, demo, corpus) set their own limits.
    testTimeout: 20_000,
    // Hooks start servers, build repositories and load the SDKs; 10 s (vitest's default) was
    // close under load. Per-file isolation stays on: tests share nock, env stubs and module mocks.
    hookTimeout: 30_000,
    reporters: [
      "default",
      "./test/support/assurance-counts.ts",
      "./test/support/closing-line-reporter.ts",
    ],
  },
});
