import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    reporters: [
      "default",
      "./test/support/assurance-counts.ts",
      "./test/support/closing-line-reporter.ts",
    ],
  },
});
