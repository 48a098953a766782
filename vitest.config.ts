import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations("shared/db/migrations");

/**
 * Four projects: `edge` runs inside workerd with real D1 / KV / Durable Objects (the provider
 * fakes it calls run in Node, started by its globalSetup); `unit` is plain Node (shared code,
 * appliance parts, the edge's queries on libSQL); `fakes` checks the provider fakes with each
 * provider's official SDK; `model` runs end-to-end tests under test/ one file at a time: real
 * appliance processes on a real GGUF model, and the bundled edge in Miniflare.
 */
export default defineConfig({
  test: {
    // The default output, then what was skipped and why, and one closing count line.
    reporters: ["default", "./test/reporters/skips.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: "./edge/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // The request log would print a line per request into the test output; its own
              // test (edge/middleware/request-log) turns it on.
              bindings: { TEST_MIGRATIONS: migrations, ENVIRONMENT: "test", REQUEST_LOG: "off" },
            },
          }),
        ],
        test: {
          name: "edge",
          include: ["edge/**/*.test.ts"],
          setupFiles: ["./edge/test/setup.ts"],
          // Provider fakes run in Node, outside workerd; tests get their URLs via inject("fakes").
          globalSetup: ["./test/fakes/global-setup.ts"],
        },
      },
      {
        test: {
          name: "unit",
          environment: "node",
          // test/libsql: the edge's queries on libSQL, from Node (no libSQL server runs in workerd).
          // test/repo: checks of the repository itself (lock file, paths, fixtures).
          include: [
            "shared/**/*.test.ts",
            "appliance/**/*.test.ts",
            "test/libsql/**/*.test.ts",
            "test/repo/**/*.test.ts",
          ],
        },
      },
      {
        test: {
          name: "fakes",
          environment: "node",
          include: ["test/fakes/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "model",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/fakes/**", "test/libsql/**", "test/repo/**", "**/node_modules/**"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
