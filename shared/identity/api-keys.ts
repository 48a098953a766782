/**
 * API key queries, the same on both halves (D1 or libSQL on the edge, better-sqlite3 on the
 * appliance). Every query that touches one key of a tenant is scoped to it, so a key id from
 * tenant A is simply not found with tenant B's credentials.
 */
import { and, count, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { displayPrefix, generateApiKeySecret, hashApiKey, randomId } from "../auth/api-keys.ts";
import type { AnySqliteDb } from "../db/audit.ts";
import { type ApiKey, apiKeys } from "../db/schema/index.ts";
import { ensureTenant } from "./tenants.ts";

/** Options of {@link createApiKey}. */
export interface NewApiKey {
  tenantId: string;
  name: string;
  scopes: string[];
  expiresAt: Date | null;
  /** A given secret (the appliance's `TEXTNLP_API_KEY`); a random one otherwise. */
  secret?: string;
}

/** Creates a key (and its tenant if missing); the secret is returned here and never again. */
export async function createApiKey(
  db: AnySqliteDb,
  input: NewApiKey,
  now: Date,
): Promise<{ key: ApiKey; secret: string }> {
  const secret = input.secret ?? generateApiKeySecret();
  await ensureTenant(db, input.tenantId, now);
  const [key]: ApiKey[] = await db
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

/** True once `key` has reached its expiry time. */
export function isExpired(key: ApiKey, now: Date): boolean {
  return key.expiresAt !== null && key.expiresAt <= now;
}

/** The key stored under `hash` unless revoked (expired or not: callers check the clock). */
export async function findUnrevokedApiKey(
  db: AnySqliteDb,
  hash: string,
): Promise<ApiKey | undefined> {
  const [key]: ApiKey[] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return key;
}

/** The live key for a secret: not revoked, not expired; or undefined. */
export async function findActiveApiKey(
  db: AnySqliteDb,
  secret: string,
  now: Date,
): Promise<ApiKey | undefined> {
  const key = await findUnrevokedApiKey(db, await hashApiKey(secret));
  return key && !isExpired(key, now) ? key : undefined;
}

/** Whether a key with this secret exists, revoked or not. */
export async function apiKeyExists(db: AnySqliteDb, secret: string): Promise<boolean> {
  const hash = await hashApiKey(secret);
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(eq(apiKeys.hash, hash))
    .limit(1);
  return rows.length > 0;
}

/** How many keys can still authenticate (not revoked, not expired). */
export async function countActiveApiKeys(db: AnySqliteDb, now: Date): Promise<number> {
  const [row]: { n: number }[] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(
      and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))),
    );
  return row?.n ?? 0;
}

/** Keys (revoked ones too), newest first: one tenant's, or (`undefined`) every tenant's. */
export function listApiKeys(db: AnySqliteDb, tenantId: string | undefined): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(tenantId === undefined ? undefined : eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes a live key by id, within `tenantId` (`undefined`: any tenant's, for the appliance's
 * command line); the revoked row, or undefined when there is no such live key.
 */
export async function revokeApiKey(
  db: AnySqliteDb,
  tenantId: string | undefined,
  id: string,
  now: Date,
): Promise<ApiKey | undefined> {
  const [key]: ApiKey[] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(
      and(
        eq(apiKeys.id, id),
        isNull(apiKeys.revokedAt),
        tenantId === undefined ? undefined : eq(apiKeys.tenantId, tenantId),
      ),
    )
    .returning();
  return key;
}

/**
 * How fine `last_used_at` is: a key is written at most once per this span, so a busy key does not
 * cost a write per request.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Records that a key was used, unless it was recorded less than {@link LAST_USED_RESOLUTION_MS}
 * ago (the condition is in the UPDATE, so isolates or processes racing on one key write it once).
 */
export async function touchApiKey(db: AnySqliteDb, id: string, now: Date): Promise<void> {
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, staleBefore))),
    );
}
