/**
 * Refresh tokens (D1 or libSQL): opaque random secrets stored as SHA-256, rotated on every use.
 * Rotation is one conditional UPDATE, so of two concurrent uses of one token exactly one wins;
 * the loser (like any replay of a used token) revokes the whole family.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { hashApiKey, randomId, toBase64Url } from "../../shared/auth/api-keys.ts";
import { type RefreshToken, refreshTokens } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** Marks refresh secrets apart from API keys (`tnlp_`) and JWTs when they show up in logs. */
const REFRESH_PREFIX = "tnlr_";

const newSecret = () => REFRESH_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));

/**
 * Issues a refresh token in `familyId` (a new family at sign-in) and returns its secret, or null
 * when the family has been revoked meanwhile. The check and the insert are one statement:
 * a revocation either runs first (nothing is inserted) or after (and covers the new row), so a
 * concurrent reuse can never leave a live token behind.
 */
export async function issueRefreshToken(
  db: EdgeDb,
  input: { tenantId: string; userId: string; familyId: string; ttlMs: number },
  now: Date,
): Promise<string | null> {
  const secret = newSecret();
  const expiresAt = now.getTime() + input.ttlMs;
  const inserted = await db.all<{ id: string }>(sql`
    INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, hash, created_at, expires_at)
    SELECT ${randomId("rt_")}, ${input.tenantId}, ${input.userId}, ${input.familyId},
      ${await hashApiKey(secret)}, ${now.getTime()}, ${expiresAt}
    WHERE NOT EXISTS (
      SELECT 1 FROM refresh_tokens WHERE family_id = ${input.familyId} AND revoked_at IS NOT NULL
    )
    RETURNING id`);
  return inserted.length > 0 ? secret : null;
}

/** What presenting a refresh token led to. */
export type RotationResult =
  | { outcome: "rotated"; token: RefreshToken }
  | { outcome: "reused"; familyId: string; tenantId: string; userId: string }
  | { outcome: "invalid" };

/**
 * Marks a live token used and returns it; a used one revokes its family (`reused`); an
 * unknown, expired or revoked one is `invalid`.
 */
export async function useRefreshToken(
  db: EdgeDb,
  secret: string,
  now: Date,
): Promise<RotationResult> {
  const hash = await hashApiKey(secret);
  const [token] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.hash, hash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  if (token) return { outcome: "rotated", token };
  const [stale] = await db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.hash, hash))
    .limit(1);
  // Only a spent token coming back means a copy leaked; a merely revoked one is just refused.
  if (!stale?.usedAt) return { outcome: "invalid" };
  await revokeFamily(db, stale.familyId, now);
  return {
    outcome: "reused",
    familyId: stale.familyId,
    tenantId: stale.tenantId,
    userId: stale.userId,
  };
}

/** The token for a secret, whatever its state, or undefined. */
export async function findRefreshToken(
  db: EdgeDb,
  secret: string,
): Promise<RefreshToken | undefined> {
  const [token] = await db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.hash, await hashApiKey(secret)))
    .limit(1);
  return token;
}

/** Revokes every live token of a family. */
export async function revokeFamily(db: EdgeDb, familyId: string, now: Date): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}
