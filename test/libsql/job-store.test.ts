/** The shared job store's contract (test/contracts/job-store.ts) on libSQL and better-sqlite3. */
import { openStore } from "../../appliance/store/db.ts";
import type { AnySqliteDb } from "../../shared/db/audit.ts";
import { jobStoreContract } from "../contracts/job-store.ts";
import { openLibsqlStore } from "./open.ts";

jobStoreContract("libSQL", openLibsqlStore);
jobStoreContract("better-sqlite3", async () => {
  const store = openStore(":memory:");
  return { db: store.db as AnySqliteDb, close: () => store.close() };
});
