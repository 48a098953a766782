import { and, desc, eq, isNull } from "drizzle-orm";
import {
  displayPrefix,
  generateApiKeySecret,
  hashApiKey,
  randomId,
} from "../../../shared/auth/api-keys.ts";
import { type ApiKey, apiKeys } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";
import { ensureTenant, LOCAL_TENANT } from "./tenants.ts";

/** Options of {@link createApiKey}. */
export interface NewApiKey {
  name: string;
  tenantId?: string;
  scopes?: string[];
  expiresAt?: Date | null;
  /** A given secret (e.g. `TEXTNLP_API_KEY`); a random one otherwise. */
  secret?: string;
}

/** Creates a key; the secret is returned here and never again. */
export async function createApiKey(
  db: Db,
  input: NewApiKey,
): Promise<{ key: ApiKey; secret: string }> {
  const tenantId = input.tenantId ?? LOCAL_TENANT;
  ensureTenant(db, tenantId);
  const secret = input.secret ?? generateApiKeySecret();
  const row = {
    id: randomId("key_"),
    tenantId,
    name: input.name,
    prefix: displayPrefix(secret),
    hash: await hashApiKey(secret),
    scopes: input.scopes ?? ["*"],
    expiresAt: input.expiresAt ?? null,
  };
  const key = db.insert(apiKeys).values(row).returning().get();
  return { key, secret };
}

/** The live key for a secret: not revoked, not expired; or undefined. */
export async function findActiveApiKey(
  db: Db,
  secret: string,
  now = new Date(),
): Promise<ApiKey | undefined> {
  const hash = await hashApiKey(secret);
  const key = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .get();
  if (!key || (key.expiresAt && key.expiresAt <= now)) return undefined;
  return key;
}

/** Whether a key with this secret exists (revoked or not). */
export async function apiKeyExists(db: Db, secret: string): Promise<boolean> {
  const hash = await hashApiKey(secret);
  return (
    db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.hash, hash)).get() !== undefined
  );
}

/** Keys (revoked ones too), newest first: all of them, or one tenant's. */
export function listApiKeys(db: Db, tenantId?: string): ApiKey[] {
  const query = db.select().from(apiKeys);
  return (tenantId ? query.where(eq(apiKeys.tenantId, tenantId)) : query)
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .all();
}

/** Number of keys that can still authenticate. */
export function countActiveApiKeys(db: Db, now = new Date()): number {
  return db
    .select()
    .from(apiKeys)
    .where(isNull(apiKeys.revokedAt))
    .all()
    .filter((k) => !k.expiresAt || k.expiresAt > now).length;
}

/**
 * Revokes a live key by id (within `tenantId` when given); the revoked row, or undefined when
 * there is no such live key.
 */
export function revokeApiKey(
  db: Db,
  id: string,
  options: { tenantId?: string; now?: Date } = {},
): ApiKey | undefined {
  return db
    .update(apiKeys)
    .set({ revokedAt: options.now ?? new Date() })
    .where(
      and(
        eq(apiKeys.id, id),
        isNull(apiKeys.revokedAt),
        options.tenantId ? eq(apiKeys.tenantId, options.tenantId) : undefined,
      ),
    )
    .returning()
    .get();
}

export function touchApiKey(db: Db, id: string, now = new Date()): void {
  db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run();
}
