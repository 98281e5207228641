import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // A throwaway PostgreSQL server for the store's contract suite, and one build of dist/ for the
    // tests that spawn the real `slipway` binary.
    globalSetup: ["test/support/postgres-global-setup.ts", "test/support/build-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
