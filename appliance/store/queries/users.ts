import { and, eq } from "drizzle-orm";
import { randomId } from "../../../shared/auth/api-keys.ts";
import { hashPassword } from "../../../shared/auth/password.ts";
import { type Role, type User, users } from "../../../shared/db/schema/index.ts";
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

export function listUsers(db: Db): User[] {
  return db.select().from(users).all();
}
