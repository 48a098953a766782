/**
 * Migration 0018 (site names unique per tenant) on a database that already has a site with an
 * enrolled appliance and a share: the site keeps its id and owner (its Durable Object is named
 * after the id) and takes it as its name, and the appliance's credential still finds it, so an
 * enrolled appliance reconnects without enrolling again. Runs on libSQL `file:` from Node.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, describe, expect, it } from "vitest";
import {
  createSite,
  findApplianceByCredential,
  findUsableSite,
  usableSites,
} from "../../edge/hub/store.ts";
import { hashApiKey } from "../../shared/auth/api-keys.ts";

const MIGRATIONS = "shared/db/migrations";
const dir = mkdtempSync(join(tmpdir(), "textnlp-site-names-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The migrations folder as it was before `tag` (its journal cut there). */
function migrationsBefore(tag: string): string {
  const folder = join(dir, "before");
  cpSync(MIGRATIONS, folder, { recursive: true });
  const path = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(path, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(path, JSON.stringify(journal));
  return folder;
}

describe("migration 0018_site_names", () => {
  it("keeps existing sites' ids, owners, shares and appliances; names become per tenant", async () => {
    const client = createClient({ url: `file:${join(dir, "edge.db")}` });
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore("0018_site_names") });
    const credential = "tnls_enrolled-before";
    await client.batch([
      "INSERT INTO tenants (id, name, created_at) VALUES ('t-a', 'A', 0), ('t-b', 'B', 0)",
      "INSERT INTO sites (id, tenant_id, created_at) VALUES ('plant-a', 't-a', 0)",
      "INSERT INTO site_shares (site_id, tenant_id, created_at) VALUES ('plant-a', 't-b', 0)",
      {
        sql: "INSERT INTO site_appliances (id, site_id, name, credential_hash, created_at) VALUES ('app_1', 'plant-a', 'rack', ?, 0)",
        args: [await hashApiKey(credential)],
      },
    ]);

    await migrate(db, { migrationsFolder: MIGRATIONS });
    const rows = await client.execute("SELECT id, tenant_id, name FROM sites");
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([
      { id: "plant-a", tenant_id: "t-a", name: "plant-a" },
    ]);
    // The appliance dials in with the credential it has: same row, same site, same hub name.
    expect(await findApplianceByCredential(db, credential)).toMatchObject({
      id: "app_1",
      siteId: "plant-a",
    });
    expect(await findUsableSite(db, "plant-a", "t-a")).toMatchObject({ id: "plant-a" });
    // The share holds, under the owner's name for the site.
    expect(await findUsableSite(db, "t-a.plant-a", "t-b")).toMatchObject({ id: "plant-a" });
    expect(await findUsableSite(db, "plant-a", "t-b")).toBeNull();

    // B may now have its own plant-a: another site, with its own internal id.
    const own = await createSite(db, "plant-a", "t-b", new Date(0));
    expect(own).toMatchObject({ tenantId: "t-b", name: "plant-a" });
    expect(own?.id).not.toBe("plant-a");
    expect(await findUsableSite(db, "plant-a", "t-b")).toMatchObject({ id: own?.id });
    expect(await createSite(db, "plant-a", "t-a", new Date(0))).toBeNull();
    expect((await usableSites(db, "t-b")).map((s) => s.id)).toEqual(["plant-a", own?.id]);
    client.close();
  });
});
