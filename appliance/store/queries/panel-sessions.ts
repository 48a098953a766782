import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, lte } from "drizzle-orm";
import {
  type PanelSession,
  panelSessions,
  type User,
  users,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Opens a session for `userId`; returns the cookie's token (stored only as its hash). */
export function createPanelSession(
  db: Db,
  userId: string,
  { now, ttlMs }: { now: number; ttlMs: number },
): { token: string; session: PanelSession } {
  const token = randomBytes(32).toString("base64url");
  // Logging in is a good moment to forget sessions that have run out.
  db.delete(panelSessions)
    .where(lte(panelSessions.expiresAt, new Date(now)))
    .run();
  const session = db
    .insert(panelSessions)
    .values({
      id: hashToken(token),
      userId,
      csrfToken: randomBytes(32).toString("base64url"),
      createdAt: new Date(now),
      expiresAt: new Date(now + ttlMs),
    })
    .returning()
    .get();
  return { token, session };
}

/** The live session of a cookie token with its (enabled) user, or undefined. */
export function findPanelSession(
  db: Db,
  token: string,
  now: number,
): { session: PanelSession; user: User } | undefined {
  const row = db
    .select({ session: panelSessions, user: users })
    .from(panelSessions)
    .innerJoin(users, eq(users.id, panelSessions.userId))
    .where(and(eq(panelSessions.id, hashToken(token)), gt(panelSessions.expiresAt, new Date(now))))
    .get();
  return row && !row.user.disabledAt ? row : undefined;
}

/** Ends the session of a cookie token (logout). */
export function deletePanelSession(db: Db, token: string): void {
  db.delete(panelSessions)
    .where(eq(panelSessions.id, hashToken(token)))
    .run();
}
