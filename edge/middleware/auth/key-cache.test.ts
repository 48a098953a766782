/**
 * The per-isolate API key cache and minute-grained last use, in workerd with real D1. Two
 * gateways built from separate bindings hold separate caches, as two isolates do.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seedApiKey, startGateway } from "../../test/gateway.ts";
import { KEY_CACHE_TTL_MS } from "./key-cache.ts";

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });
const T0 = Date.UTC(2026, 2, 1);

/** Two gateways (isolates) on one clock that the test moves. */
function twoIsolates() {
  const clock = { now: T0 };
  const deps = { now: () => clock.now };
  const here = startGateway({ deps, bindings: {} });
  const elsewhere = startGateway({ deps, bindings: {} });
  return { clock, here, elsewhere };
}

async function lastUsedAt(id: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
    .bind(id)
    .first<{ last_used_at: number | null }>();
  return row?.last_used_at ?? null;
}

describe("API key cache", () => {
  it("refuses a key at once on the isolate that revoked it, elsewhere within the TTL", async () => {
    const { clock, here, elsewhere } = twoIsolates();
    const admin = await seedApiKey(["*"], "tenant-cache");
    const user = await seedApiKey(["*"], "tenant-cache");
    const models = (gateway: typeof here) =>
      gateway.callRaw("http://edge/v1/models", bearer(user.secret));
    expect((await models(here)).status).toBe(200);
    expect((await models(elsewhere)).status).toBe(200);

    const revoked = await here.callRaw(`http://edge/v1/admin/keys/${user.id}`, {
      method: "DELETE",
      ...bearer(admin.secret),
    });
    expect(revoked.status).toBe(200);
    expect((await models(here)).status).toBe(401);
    // The other isolate still trusts its cached copy until the TTL runs out, then reads D1.
    clock.now += KEY_CACHE_TTL_MS - 1;
    expect((await models(elsewhere)).status).toBe(200);
    clock.now += 1;
    expect((await models(elsewhere)).status).toBe(401);
  });

  it("refuses an expired key even while it is cached", async () => {
    const { clock, here } = twoIsolates();
    const key = await seedApiKey(["*"], "tenant-cache-exp", { expiresAt: T0 + 10_000 });
    expect((await here.callRaw("http://edge/v1/models", bearer(key.secret))).status).toBe(200);
    clock.now += 9_999;
    expect((await here.callRaw("http://edge/v1/models", bearer(key.secret))).status).toBe(200);
    clock.now += 1; // well within the cache's TTL
    const expired = await here.callRaw("http://edge/v1/models", bearer(key.secret));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe(
      "invalid_api_key",
    );
  });

  it("records last use at most once a minute per key, across isolates", async () => {
    const { clock, here, elsewhere } = twoIsolates();
    const key = await seedApiKey(["*"], "tenant-cache-used");
    const use = async (gateway: typeof here) =>
      expect((await gateway.callRaw("http://edge/v1/models", bearer(key.secret))).status).toBe(200);
    expect(await lastUsedAt(key.id)).toBeNull();
    await use(here);
    expect(await lastUsedAt(key.id)).toBe(T0);
    clock.now = T0 + 30_000;
    await use(here); // cache entry renewed from D1: the row's time still counts
    await use(elsewhere); // a fresh isolate writes only if D1's time is a minute old
    expect(await lastUsedAt(key.id)).toBe(T0);
    clock.now = T0 + 59_999;
    await use(here);
    expect(await lastUsedAt(key.id)).toBe(T0);
    clock.now = T0 + 60_000;
    await use(here);
    expect(await lastUsedAt(key.id)).toBe(T0 + 60_000);
  });

  it("lets only one isolate write a key's last use per minute (the UPDATE's condition)", async () => {
    const { clock, here, elsewhere } = twoIsolates();
    const key = await seedApiKey(["*"], "tenant-cache-race");
    const use = async (gateway: typeof here) =>
      expect((await gateway.callRaw("http://edge/v1/models", bearer(key.secret))).status).toBe(200);
    await use(elsewhere);
    clock.now = T0 + 40_000;
    await use(elsewhere); // re-read: cached until T0 + 70 s, last use known as T0
    clock.now = T0 + 60_000;
    await use(here);
    expect(await lastUsedAt(key.id)).toBe(T0 + 60_000);
    clock.now = T0 + 65_000;
    await use(elsewhere); // its copy says T0, but D1 already holds a use within the minute
    expect(await lastUsedAt(key.id)).toBe(T0 + 60_000);
  });
});
