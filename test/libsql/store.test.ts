/**
 * The edge's queries on libSQL (the driver for deployments that outgrow D1), from Node on a
 * `file:` database with the shared migrations applied: the same code the Worker runs on D1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteProviderKey,
  listProviderKeys,
  openProviderKeys,
  putProviderKey,
} from "../../edge/store/provider-keys.ts";
import type { EdgeDb } from "../../edge/store/types.ts";
import { recordUsage } from "../../edge/store/usage.ts";
import { importMasterKey } from "../../shared/crypto/secret-box.ts";
import {
  createApiKey,
  findActiveApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from "../../shared/identity/api-keys.ts";
import { summarizeUsage } from "../../shared/usage/summary.ts";
import { openLibsqlStore } from "./open.ts";

let db: EdgeDb;
let close: () => void = () => {};

beforeAll(async () => {
  ({ db, close } = await openLibsqlStore());
});
afterAll(() => close());

describe("edge store on libSQL (file:)", () => {
  it("creates, finds, touches, lists and revokes API keys per tenant", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const { key, secret } = await createApiKey(
      db,
      { tenantId: "t1", name: "ci", scopes: ["inference"], expiresAt: null },
      now,
    );
    await createApiKey(db, { tenantId: "t2", name: "other", scopes: ["*"], expiresAt: null }, now);
    expect((await findActiveApiKey(db, secret, now))?.id).toBe(key.id);
    await touchApiKey(db, key.id, now);
    const listed = await listApiKeys(db, "t1");
    expect(listed.map((k) => k.name)).toEqual(["ci"]);
    expect(listed[0]?.lastUsedAt?.getTime()).toBe(now.getTime());
    expect(await revokeApiKey(db, "t2", key.id, now)).toBeUndefined();
    expect((await revokeApiKey(db, "t1", key.id, now))?.revokedAt).toEqual(now);
    expect(await findActiveApiKey(db, secret, now)).toBeUndefined();
  });

  it("expires keys at their expiry time", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const expiresAt = new Date(now.getTime() + 1000);
    const { secret } = await createApiKey(
      db,
      { tenantId: "t1", name: "short", scopes: ["inference"], expiresAt },
      now,
    );
    expect(await findActiveApiKey(db, secret, new Date(expiresAt.getTime() - 1))).toBeDefined();
    expect(await findActiveApiKey(db, secret, expiresAt)).toBeUndefined();
  });

  it("records usage and sums it by day, model and key", async () => {
    const base = {
      tenantId: "t1",
      keyId: "k1",
      route: "chat",
      target: "openai/gpt-4o-mini",
      latencyMs: 12,
      cacheStatus: "none",
    };
    const day = new Date("2026-03-04T10:00:00Z");
    await recordUsage(db, {
      ...base,
      model: "m",
      promptTokens: 2,
      completionTokens: 5,
      costUsd: 0.5,
      status: 200,
      createdAt: day,
    });
    await recordUsage(db, {
      ...base,
      model: "m",
      promptTokens: 3,
      completionTokens: 1,
      costUsd: null,
      status: 502,
      createdAt: day,
    });
    await recordUsage(db, { ...base, tenantId: "t2", model: "m", status: 200, createdAt: day });
    const rows = await summarizeUsage(db, "t1", new Date("2026-03-01"), new Date("2026-04-01"));
    expect(
      rows.map((r) => ({ ...r, requests: Number(r.requests), errors: Number(r.errors) })),
    ).toEqual([
      {
        day: "2026-03-04",
        model: "m",
        keyId: "k1",
        requests: 2,
        errors: 1,
        promptTokens: 5,
        completionTokens: 6,
        costUsd: 0.5,
      },
    ]);
  });

  it("stores provider keys sealed, opens them, replaces and deletes them", async () => {
    const master = await importMasterKey(Buffer.alloc(32, 3).toString("base64"));
    const now = new Date("2026-01-01T00:00:00Z");
    await putProviderKey(
      db,
      master,
      { tenantId: "t1", provider: "openai", apiKey: "sk-one-1111" },
      now,
    );
    await putProviderKey(
      db,
      master,
      { tenantId: "t1", provider: "openai", apiKey: "sk-two-2222" },
      now,
    );
    const rows = await listProviderKeys(db, "t1");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.hint).toBe("2222");
    expect(JSON.stringify(rows)).not.toContain("sk-two");
    expect(await openProviderKeys(db, master, "t1")).toEqual(new Map([["openai", "sk-two-2222"]]));
    expect(await openProviderKeys(db, master, "t2")).toEqual(new Map());
    expect((await deleteProviderKey(db, "t1", "openai"))?.provider).toBe("openai");
    expect(await listProviderKeys(db, "t1")).toEqual([]);
  });
});
