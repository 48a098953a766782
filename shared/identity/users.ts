/**
 * User queries and the rules of who may lose admin rights, the same on both halves. Every query
 * that touches one user is scoped to its tenant, so a user id from tenant A is simply not found
 * with tenant B's credentials. A change of someone's access (role, password, disabled, deleted)
 * ends their sessions: the appliance panel's, and the edge's refresh tokens.
 */
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { randomId } from "../auth/api-keys.ts";
import { hashPassword } from "../auth/password.ts";
import type { AnySqliteDb } from "../db/audit.ts";
import { panelSessions, type Role, refreshTokens, type User, users } from "../db/schema/index.ts";
import { ensureTenant } from "./tenants.ts";

/** Options of {@link createUser}. */
export interface NewUser {
  tenantId: string;
  username: string;
  /** Stored as a scrypt hash. */
  password: string;
  role: Role;
}

/** Creates a user (and its tenant if missing); undefined when the name is taken in the tenant. */
export async function createUser(
  db: AnySqliteDb,
  input: NewUser,
  now: Date,
): Promise<User | undefined> {
  await ensureTenant(db, input.tenantId, now);
  const [user]: User[] = await db
    .insert(users)
    .values({
      id: randomId("usr_"),
      tenantId: input.tenantId,
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: now,
    })
    .onConflictDoNothing({ target: [users.tenantId, users.username] })
    .returning();
  return user;
}

/** Users, oldest first: one tenant's, or (`undefined`) every tenant's. */
export function listUsers(db: AnySqliteDb, tenantId: string | undefined): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(tenantId === undefined ? undefined : eq(users.tenantId, tenantId))
    .orderBy(asc(users.createdAt), asc(users.username));
}

/** Which users a lookup finds: any, or only those who may sign in. */
export interface UserLookup {
  enabledOnly?: boolean;
}

async function findOne(db: AnySqliteDb, where: ReturnType<typeof and>, lookup: UserLookup) {
  const [user]: User[] = await db
    .select()
    .from(users)
    .where(and(where, lookup.enabledOnly ? isNull(users.disabledAt) : undefined))
    .limit(1);
  return user;
}

/** The tenant's user with that id, or undefined. */
export function findUser(
  db: AnySqliteDb,
  tenantId: string,
  id: string,
  lookup: UserLookup = {},
): Promise<User | undefined> {
  return findOne(db, and(eq(users.tenantId, tenantId), eq(users.id, id)), lookup);
}

/** The tenant's user with that name, or undefined. */
export function findUserByName(
  db: AnySqliteDb,
  tenantId: string,
  username: string,
  lookup: UserLookup = {},
): Promise<User | undefined> {
  return findOne(db, and(eq(users.tenantId, tenantId), eq(users.username, username)), lookup);
}

/** How many enabled admins the tenant has. */
export async function countEnabledAdmins(db: AnySqliteDb, tenantId: string): Promise<number> {
  const [row]: { n: number }[] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "admin"), isNull(users.disabledAt)));
  return row?.n ?? 0;
}

/**
 * Why taking admin rights from `user` (`verb`: demote, disable, delete) is refused: it is its
 * tenant's last enabled admin, and nobody could administer the tenant any more. Undefined when
 * it is allowed. The API answers 409 with it; the appliance's command line fails with it.
 */
export async function lastAdminRefusal(
  db: AnySqliteDb,
  user: User,
  verb: string,
): Promise<string | undefined> {
  const enabledAdmin = user.role === "admin" && !user.disabledAt;
  if (enabledAdmin && (await countEnabledAdmins(db, user.tenantId)) <= 1)
    return `Cannot ${verb} ${user.username}: this is the last active admin. Make another admin first.`;
  return undefined;
}

/** Ends a user's sessions: the panel's are deleted, refresh tokens revoked. */
async function endSessions(db: AnySqliteDb, userId: string, now: Date): Promise<void> {
  await db.delete(panelSessions).where(eq(panelSessions.userId, userId));
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

/**
 * Changes `user`'s row (found in its tenant) after ending their sessions (so a failure between
 * the two leaves them signed out, never signed in with the old access); the updated row.
 */
async function changeUser(
  db: AnySqliteDb,
  user: User,
  set: Partial<User>,
  now: Date,
): Promise<User | undefined> {
  await endSessions(db, user.id, now);
  const [updated]: User[] = await db
    .update(users)
    .set(set)
    .where(and(eq(users.tenantId, user.tenantId), eq(users.id, user.id)))
    .returning();
  return updated;
}

/** Changes a user's role (a new role ends their sessions); the updated row. */
export async function setUserRole(
  db: AnySqliteDb,
  user: User,
  role: Role,
  now: Date,
): Promise<User | undefined> {
  if (user.role === role) return user;
  return changeUser(db, user, { role }, now);
}

/** Disables (sign-in refused, sessions end) or re-enables a user; the updated row. */
export function setUserDisabled(
  db: AnySqliteDb,
  user: User,
  disabled: boolean,
  now: Date,
): Promise<User | undefined> {
  return changeUser(db, user, { disabledAt: disabled ? now : null }, now);
}

/** Sets a new password (scrypt-hashed); the user's sessions end. The updated row. */
export async function setUserPassword(
  db: AnySqliteDb,
  user: User,
  password: string,
  now: Date,
): Promise<User | undefined> {
  return changeUser(db, user, { passwordHash: await hashPassword(password) }, now);
}

/** Deletes a user (their sessions and refresh tokens go with them); the deleted row. */
export async function deleteUser(db: AnySqliteDb, user: User): Promise<User | undefined> {
  const [deleted]: User[] = await db
    .delete(users)
    .where(and(eq(users.tenantId, user.tenantId), eq(users.id, user.id)))
    .returning();
  return deleted;
}
