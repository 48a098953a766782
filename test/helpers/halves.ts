/**
 * Both halves as one suite drives them: the edge (its bundle in workerd via Miniflare, real D1)
 * and the appliance (a real daemon, real SQLite), each over real HTTP through the typed SDK, for
 * the routes they serve from one shared module (identity, templates, …).
 */
import Database from "better-sqlite3";
import { expect } from "vitest";
import { generateApiKeySecret, hashApiKey, randomId } from "../../shared/auth/api-keys.ts";
import { createClient, type TextNlpClient, TextNlpError } from "../../shared/sdk/index.ts";
import { startAppliance } from "./appliance.ts";
import { startEdgeWorker } from "./edge.ts";

export const PASSWORD = "a long enough password";

/** A running half, as the suite drives it. */
export interface Target {
  url: string;
  /** The tenant people sign in to (the appliance's panel serves its local tenant). */
  tenant: string;
  /** Runs SQL on the half's database (to seed the first keys, as an operator would). */
  sql(query: string, ...params: unknown[]): Promise<void>;
  /** A client acting as a signed-in user: an access token (edge), a panel session (appliance). */
  signIn(username: string, password: string): Promise<TextNlpClient>;
  close(): Promise<void>;
}

export async function edgeTarget(): Promise<Target> {
  const edge = await startEdgeWorker({ JWT_SECRET: "an admin-suite secret of enough length" });
  const tenant = "acme";
  return {
    url: edge.url,
    tenant,
    sql: edge.sql,
    async signIn(username, password) {
      const tokens = await createClient({ baseUrl: edge.url }).auth.token({
        tenant,
        username,
        password,
      });
      return createClient({ baseUrl: edge.url, apiKey: tokens.access_token });
    },
    close: () => edge.dispose(),
  };
}

export async function applianceTarget(): Promise<Target> {
  const appliance = await startAppliance();
  const db = new Database(`${appliance.dataDir}/textnlp.sqlite`);
  const url = appliance.url;
  return {
    url,
    tenant: "local",
    async sql(query, ...params) {
      db.prepare(query).run(...params);
    },
    async signIn(username, password) {
      const login = await fetch(`${url}/panel/login`, {
        method: "POST",
        headers: { origin: url },
        body: new URLSearchParams({ username, password }),
        redirect: "manual",
      });
      expect(login.status, "panel login").toBe(303);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const page = await (await fetch(`${url}/panel/`, { headers: { cookie } })).text();
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
      return createClient({
        baseUrl: url,
        headers: { cookie, origin: url, "x-csrf-token": csrf },
      });
    },
    async close() {
      db.close();
      await appliance.stop();
      appliance.cleanup();
    },
  };
}

/** The error a refused call threw. */
export async function refusal(call: Promise<unknown>): Promise<TextNlpError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TextNlpError);
  return err as TextNlpError;
}

/** The two halves, for `describe.each`. */
export const halves = [
  ["edge (workerd, D1)", edgeTarget],
  ["appliance (Node, SQLite)", applianceTarget],
] as const;

/** Stores a key of `tenant` with `scopes` straight in the database; returns a client of it. */
export async function seedKey(target: Target, tenant: string, scopes: string[]) {
  const secret = generateApiKeySecret();
  const id = randomId("key_");
  await target.sql(
    "INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, 0)",
    tenant,
    tenant,
  );
  await target.sql(
    "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES (?, ?, 'seeded', ?, ?, ?, ?)",
    id,
    tenant,
    secret.slice(0, 11),
    await hashApiKey(secret),
    JSON.stringify(scopes),
    Date.now(),
  );
  return { id, client: createClient({ baseUrl: target.url, apiKey: secret }) };
}
