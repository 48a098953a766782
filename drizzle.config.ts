import { defineConfig } from "drizzle-kit";

/** One SQLite schema for D1, libSQL and better-sqlite3; `npm run db:generate` writes migrations. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./shared/db/schema/index.ts",
  out: "./shared/db/migrations",
});
