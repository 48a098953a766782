import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations("shared/db/migrations");

/**
 * Three projects: `edge` runs inside workerd with real D1 / KV / Durable Objects; `unit` is plain
 * Node (shared code, appliance parts); `model` drives real appliance processes on a real GGUF
 * model, one file at a time.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: "./edge/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations, ENVIRONMENT: "test" } },
          }),
        ],
        test: {
          name: "edge",
          include: ["edge/**/*.test.ts"],
          setupFiles: ["./edge/test/setup.ts"],
        },
      },
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["shared/**/*.test.ts", "appliance/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "model",
          environment: "node",
          include: ["test/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
