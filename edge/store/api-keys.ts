/**
 * API key queries (async drizzle: D1 or libSQL). Every query that touches one key is scoped to its
 * tenant, so a key id from tenant A is simply not found with tenant B's credentials.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import {
  displayPrefix,
  generateApiKeySecret,
  hashApiKey,
  randomId,
} from "../../shared/auth/api-keys.ts";
import { type ApiKey, apiKeys, tenants } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** Options of {@link createApiKey}. */
export interface NewApiKey {
  tenantId: string;
  name: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** Creates a key (and its tenant row if missing); the secret is returned here and never again. */
export async function createApiKey(
  db: EdgeDb,
  input: NewApiKey,
  now: Date,
): Promise<{ key: ApiKey; secret: string }> {
  const secret = generateApiKeySecret();
  await db
    .insert(tenants)
    .values({ id: input.tenantId, name: input.tenantId, createdAt: now })
    .onConflictDoNothing();
  const [key] = await db
    .insert(apiKeys)
    .values({
      id: randomId("key_"),
      tenantId: input.tenantId,
      name: input.name,
      prefix: displayPrefix(secret),
      hash: await hashApiKey(secret),
      scopes: input.scopes,
      createdAt: now,
      expiresAt: input.expiresAt,
    })
    .returning();
  if (!key) throw new Error("insert returned no row");
  return { key, secret };
}

/** The live key for a secret: not revoked, not expired; or undefined. */
export async function findActiveApiKey(
  db: EdgeDb,
  secret: string,
  now: Date,
): Promise<ApiKey | undefined> {
  const hash = await hashApiKey(secret);
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!key || (key.expiresAt && key.expiresAt <= now)) return undefined;
  return key;
}

/** A tenant's keys, newest first. */
export function listApiKeys(db: EdgeDb, tenantId: string): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt));
}

/** Revokes a tenant's key; the revoked row, or undefined when the tenant has no such live key. */
export async function revokeApiKey(
  db: EdgeDb,
  tenantId: string,
  id: string,
  now: Date,
): Promise<ApiKey | undefined> {
  const [key] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    .returning();
  return key;
}

/** Records that a key was used. */
export async function touchApiKey(db: EdgeDb, id: string, now: Date): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
}
