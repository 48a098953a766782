/**
 * User queries (D1 or libSQL). Every query that touches one user is scoped to its tenant, so a
 * user id from tenant A is simply not found with tenant B's credentials.
 */
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { randomId } from "../../shared/auth/api-keys.ts";
import { type Role, type User, users } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** Creates a user; undefined when the name is taken in the tenant. */
export async function createUser(
  db: EdgeDb,
  input: { tenantId: string; username: string; passwordHash: string; role: Role },
  now: Date,
): Promise<User | undefined> {
  const [user] = await db
    .insert(users)
    .values({ id: randomId("usr_"), ...input, createdAt: now })
    .onConflictDoNothing({ target: [users.tenantId, users.username] })
    .returning();
  return user;
}

/** A tenant's users, oldest first. */
export function listUsers(db: EdgeDb, tenantId: string): Promise<User[]> {
  return db.select().from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.createdAt));
}

/** The enabled user with that name in the tenant, or undefined. */
export async function findUserByName(
  db: EdgeDb,
  tenantId: string,
  username: string,
): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(
      and(eq(users.tenantId, tenantId), eq(users.username, username), isNull(users.disabledAt)),
    )
    .limit(1);
  return user;
}

/** The enabled user with that id in the tenant, or undefined. */
export async function findUser(
  db: EdgeDb,
  tenantId: string,
  id: string,
): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id), isNull(users.disabledAt)))
    .limit(1);
  return user;
}

/** How many enabled admins the tenant has. */
export async function countAdmins(db: EdgeDb, tenantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "admin"), isNull(users.disabledAt)));
  return row?.n ?? 0;
}

/** Changes a tenant's user's role; the updated row, or undefined when there is no such user. */
export async function setUserRole(
  db: EdgeDb,
  tenantId: string,
  id: string,
  role: Role,
): Promise<User | undefined> {
  const [user] = await db
    .update(users)
    .set({ role })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .returning();
  return user;
}

/** Deletes a tenant's user (their refresh tokens go with them); the deleted row, or undefined. */
export async function deleteUser(
  db: EdgeDb,
  tenantId: string,
  id: string,
): Promise<User | undefined> {
  const [user] = await db
    .delete(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .returning();
  return user;
}
