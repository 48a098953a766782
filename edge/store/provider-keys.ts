/** A tenant's own provider keys (D1 or libSQL), sealed under the master key (AES-256-GCM). */
import { and, eq } from "drizzle-orm";
import { randomId } from "../../shared/auth/api-keys.ts";
import { open, seal } from "../../shared/crypto/secret-box.ts";
import { type ProviderKey, providerKeys, tenants } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** What a sealed key is bound to: moving it to another tenant or provider breaks it. */
const context = (tenantId: string, provider: string) => `provider-key:${tenantId}:${provider}`;

/** Stores (or replaces) a tenant's key for `provider`. */
export async function putProviderKey(
  db: EdgeDb,
  master: CryptoKey,
  input: { tenantId: string; provider: string; apiKey: string },
  now: Date,
): Promise<ProviderKey> {
  const sealedKey = await seal(master, input.apiKey, context(input.tenantId, input.provider));
  const hint = input.apiKey.slice(-4);
  await db
    .insert(tenants)
    .values({ id: input.tenantId, name: input.tenantId, createdAt: now })
    .onConflictDoNothing();
  const [row] = await db
    .insert(providerKeys)
    .values({
      id: randomId("pk_"),
      tenantId: input.tenantId,
      provider: input.provider,
      sealedKey,
      hint,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [providerKeys.tenantId, providerKeys.provider],
      set: { sealedKey, hint, updatedAt: now },
    })
    .returning();
  if (!row) throw new Error("upsert returned no row");
  return row;
}

/** A tenant's provider keys (still sealed). */
export function listProviderKeys(db: EdgeDb, tenantId: string): Promise<ProviderKey[]> {
  return db.select().from(providerKeys).where(eq(providerKeys.tenantId, tenantId));
}

/** Removes a tenant's key for `provider`; the removed row, or undefined. */
export async function deleteProviderKey(
  db: EdgeDb,
  tenantId: string,
  provider: string,
): Promise<ProviderKey | undefined> {
  const [row] = await db
    .delete(providerKeys)
    .where(and(eq(providerKeys.tenantId, tenantId), eq(providerKeys.provider, provider)))
    .returning();
  return row;
}

/** A tenant's keys, opened: provider name → key. */
export async function openProviderKeys(
  db: EdgeDb,
  master: CryptoKey,
  tenantId: string,
): Promise<Map<string, string>> {
  const rows = await listProviderKeys(db, tenantId);
  const keys = new Map<string, string>();
  for (const row of rows) {
    keys.set(row.provider, await open(master, row.sealedKey, context(tenantId, row.provider)));
  }
  return keys;
}
