/** A fresh libSQL `file:` database with the shared migrations applied, for the store tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import type { EdgeDb } from "../../edge/store/types.ts";

/** Opens the database; `close` closes it and removes its folder. */
export async function openLibsqlStore(): Promise<{ db: EdgeDb; close: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-libsql-"));
  const client = createClient({ url: `file:${join(dir, "edge.db")}` });
  await client.execute("PRAGMA journal_mode = WAL");
  await migrate(drizzle(client), { migrationsFolder: "shared/db/migrations" });
  return {
    db: drizzle(client),
    close: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
