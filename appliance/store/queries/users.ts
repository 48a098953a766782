import { and, asc, count, eq, isNull } from "drizzle-orm";
import { randomId } from "../../../shared/auth/api-keys.ts";
import { hashPassword } from "../../../shared/auth/password.ts";
import { panelSessions, type Role, type User, users } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";
import { ensureTenant, LOCAL_TENANT } from "./tenants.ts";

/** Creates a user with a scrypt-hashed password; throws if the name is taken in the tenant. */
export async function createUser(
  db: Db,
  input: { username: string; password: string; role: Role; tenantId?: string },
): Promise<User> {
  const tenantId = input.tenantId ?? LOCAL_TENANT;
  ensureTenant(db, tenantId);
  if (findUser(db, input.username, tenantId))
    throw new Error(`user '${input.username}' already exists`);
  const passwordHash = await hashPassword(input.password);
  return db
    .insert(users)
    .values({
      id: randomId("usr_"),
      tenantId,
      username: input.username,
      passwordHash,
      role: input.role,
    })
    .returning()
    .get();
}

export function findUser(db: Db, username: string, tenantId = LOCAL_TENANT): User | undefined {
  return db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.username, username)))
    .get();
}

/** The tenant's user with that id (enabled or not), or undefined. */
export function findUserById(db: Db, tenantId: string, id: string): User | undefined {
  return db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .get();
}

/** Users, oldest first: all of them, or one tenant's. */
export function listUsers(db: Db, tenantId?: string): User[] {
  const query = db.select().from(users);
  return (tenantId ? query.where(eq(users.tenantId, tenantId)) : query)
    .orderBy(asc(users.createdAt), asc(users.username))
    .all();
}

/** How many enabled admins the tenant has. */
export function countActiveAdmins(db: Db, tenantId: string): number {
  return (
    db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.role, "admin"), isNull(users.disabledAt)))
      .get()?.n ?? 0
  );
}

/**
 * Why taking admin rights from `user` (`verb`: demote, disable, delete) is refused: it is its
 * tenant's last enabled admin, and nobody could administer the appliance any more. Undefined
 * when it is allowed. The API answers 409 with it, the command line fails with it.
 */
export function lastAdminRefusal(db: Db, user: User, verb: string): string | undefined {
  const activeAdmin = user.role === "admin" && !user.disabledAt;
  if (activeAdmin && countActiveAdmins(db, user.tenantId) <= 1)
    return `Cannot ${verb} ${user.username}: this is the last active admin. Make another admin first.`;
  return undefined;
}

/** A transaction's handle (the queries below run inside one). */
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Ends every panel session of a user (their access changed: role, password, disabled). */
function endSessions(db: Tx, userId: string): void {
  db.delete(panelSessions).where(eq(panelSessions.userId, userId)).run();
}

const update = (db: Tx, id: string, set: Partial<User>) =>
  db.update(users).set(set).where(eq(users.id, id)).returning().get();

/** Changes a user's role; a new role ends their panel sessions. */
export function setUserRole(db: Db, id: string, role: Role): User | undefined {
  return db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, id)).get();
    if (before && before.role !== role) endSessions(tx, id);
    return update(tx, id, { role });
  });
}

/** Disables (they can no longer log in; sessions end) or re-enables a user. */
export function setUserDisabled(db: Db, id: string, disabled: boolean, now = new Date()) {
  return db.transaction((tx) => {
    if (disabled) endSessions(tx, id);
    return update(tx, id, { disabledAt: disabled ? now : null });
  });
}

/** Sets a new password (scrypt-hashed) and ends the user's panel sessions. */
export async function setUserPassword(db: Db, id: string, password: string) {
  const passwordHash = await hashPassword(password);
  return db.transaction((tx) => {
    endSessions(tx, id);
    return update(tx, id, { passwordHash });
  });
}

/** Deletes a user (their panel sessions go with them); the deleted row, or undefined. */
export function deleteUser(db: Db, id: string): User | undefined {
  return db.delete(users).where(eq(users.id, id)).returning().get();
}
