/** The site credential this appliance got at enrollment (one row at most). */
import { eq } from "drizzle-orm";
import { type LinkCredential, linkCredentials } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

const ROW = 1;

/** The enrollment, or null when this appliance is not enrolled. */
export function readLinkCredential(db: Db): LinkCredential | null {
  return db.select().from(linkCredentials).where(eq(linkCredentials.id, ROW)).get() ?? null;
}

/** Stores an enrollment, replacing any earlier one. */
export function saveLinkCredential(db: Db, value: Omit<LinkCredential, "id" | "createdAt">): void {
  const row = { ...value, id: ROW, createdAt: new Date() };
  db.insert(linkCredentials)
    .values(row)
    .onConflictDoUpdate({ target: linkCredentials.id, set: row })
    .run();
}

/** Forgets the enrollment; false when there was none. */
export function deleteLinkCredential(db: Db): boolean {
  return db.delete(linkCredentials).where(eq(linkCredentials.id, ROW)).run().changes > 0;
}
