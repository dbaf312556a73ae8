import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: {
          name: "offline",
          include: [
            "src/**/*.test.ts",
            "test/hostile/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/report/**/*.test.ts",
            "test/distributed/**/*.test.ts",
            "test/interop/**/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        test: {
          name: "lab",
          include: ["test/lab/**/*.test.ts", "lab/**/*.test.ts"],
          globalSetup: ["test/support/lab-global-setup.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
