import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Every test file starts from fresh storage with the shared migrations applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
