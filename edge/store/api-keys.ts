/**
 * API key queries (async drizzle: D1 or libSQL). Every query that touches one key is scoped to its
 * tenant, so a key id from tenant A is simply not found with tenant B's credentials.
 */
import { and, desc, eq, isNull, lte, or } from "drizzle-orm";
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
  const key = await findUnrevokedApiKey(db, await hashApiKey(secret));
  return key && !isExpired(key, now) ? key : undefined;
}

/** The key stored under `hash` unless revoked (expired or not: callers check the clock). */
export async function findUnrevokedApiKey(db: EdgeDb, hash: string): Promise<ApiKey | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return key;
}

/** True once `key` has reached its expiry time. */
export function isExpired(key: ApiKey, now: Date): boolean {
  return key.expiresAt !== null && key.expiresAt <= now;
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

/**
 * How fine `last_used_at` is: a key is written at most once per this span, so a busy key does not
 * cost a D1 write per request.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Records that a key was used, unless it was recorded less than {@link LAST_USED_RESOLUTION_MS}
 * ago (the condition is in the UPDATE, so isolates racing on one key write it once).
 */
export async function touchApiKey(db: EdgeDb, id: string, now: Date): Promise<void> {
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, staleBefore))),
    );
}
