/** The shared job store's contract (test/contracts/job-store.ts) on D1, inside workerd. */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { jobStoreContract } from "../../test/contracts/job-store.ts";

jobStoreContract("D1", async () => ({ db: drizzle(env.DB), close: () => {} }));
