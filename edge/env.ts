import type { Context } from "hono";
import { z } from "zod";

/** Bindings as wrangler.toml declares them. */
export interface Bindings {
  DB: D1Database;
  ENVIRONMENT?: string;
}

const Vars = z.object({
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
});

/** Parsed, typed settings of the edge; the only reader of `c.env`. */
export interface EdgeSettings {
  environment: "development" | "test" | "production";
  db: D1Database;
}

const cache = new WeakMap<object, EdgeSettings>();

/** Reads and validates the bindings once per environment object. */
export function settings(c: Context<EdgeEnv>): EdgeSettings {
  const env = c.env;
  let parsed = cache.get(env);
  if (!parsed) {
    const vars = Vars.parse({ ENVIRONMENT: env.ENVIRONMENT });
    parsed = { environment: vars.ENVIRONMENT, db: env.DB };
    cache.set(env, parsed);
  }
  return parsed;
}

/** Hono environment of the edge app. */
export type EdgeEnv = { Bindings: Bindings; Variables: { requestId: string } };
