import { describe, expect, it } from "vitest";
import { documentOperations, uncoveredOperations } from "../shared/sdk/coverage.ts";
import { createClient, TextNlpError } from "../shared/sdk/index.ts";
import { seedApiKey, seedUser, startGateway } from "./test/gateway.ts";

describe("the typed SDK inside workerd, against the edge", () => {
  it("chats plain and streamed through a provider and lists models", async () => {
    const gateway = startGateway();
    const client = createClient({
      baseUrl: "http://edge",
      apiKey: gateway.secret,
      fetch: gateway.callRaw,
    });
    const body = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user" as const, content: "hello" }],
    };
    const plain = await client.chat.create(body);
    expect(plain.object).toBe("chat.completion");
    expect(plain.choices[0]?.message.content?.length).toBeGreaterThan(0);
    let text = "";
    let finish: string | null = null;
    for await (const chunk of client.chat.stream(body)) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    await gateway.settled();
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finish).toBe("stop");
    expect((await client.models.list()).object).toBe("list");
  });

  it("throws TextNlpError with the envelope's fields", async () => {
    const gateway = startGateway();
    const client = createClient({
      baseUrl: "http://edge",
      apiKey: "tnlp_wrong",
      fetch: gateway.callRaw,
    });
    const err = await client.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TextNlpError);
    expect(err).toMatchObject({ status: 401, type: "authentication_error" });
  });

  it("has a method for every operation of the edge's /openapi.json", async () => {
    // The edge's own document, from the app workerd runs (it cannot be built in Node): routes
    // the edge adds for itself are walked too, not only those defined in shared/api.
    const { callRaw } = startGateway();
    const document = (await (await callRaw("http://edge/openapi.json")).json()) as Parameters<
      typeof uncoveredOperations
    >[0];
    expect(documentOperations(document)).toContain("GET /v1/admin/limits/tenant");
    expect(uncoveredOperations(document)).toEqual([]);
  });

  it("completes text, signs in, and manages keys, limits and sites", async () => {
    const gateway = startGateway({ bindings: { JWT_SECRET: "sdk-test-secret-of-32-characters!" } });
    const admin = await seedApiKey(["*"], "tenant-sdk");
    const client = createClient({
      baseUrl: "http://edge",
      apiKey: admin.secret,
      fetch: gateway.callRaw,
    });
    const completion = await client.completions.create({
      model: "openai/gpt-4o-mini",
      prompt: "Once upon a time",
    });
    expect(completion.object).toBe("text_completion");
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);

    const created = await client.admin.keys.create({ name: "ci", scopes: ["inference"] });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect((await client.admin.keys.list()).data.map((k) => k.id)).toContain(created.id);
    expect((await client.admin.keys.revoke(created.id)).revoked_at).not.toBeNull();

    const tightened = await client.admin.limits.setTenant({ requests_per_minute: 50 });
    expect(tightened.override).toEqual({ requests_per_minute: 50 });
    expect((await client.admin.limits.getTenant()).effective.requests_per_minute).toBe(50);
    expect((await client.admin.limits.resetTenant()).override).toBeNull();

    const site = await client.admin.sites.create({ id: "sdk-plant" });
    expect(site.id).toBe("sdk-plant");
    expect((await client.admin.sites.list()).data.map((s) => s.id)).toContain("sdk-plant");
    const code = await client.admin.sites.issueEnrollmentCode("sdk-plant");
    expect(code.site_id).toBe("sdk-plant");
    expect(code.code.length).toBeGreaterThan(10);

    await seedUser("tenant-sdk", "ada", "correct horse battery", "admin");
    const tokens = await client.auth.token({
      tenant: "tenant-sdk",
      username: "ada",
      password: "correct horse battery",
    });
    const asAda = createClient({
      baseUrl: "http://edge",
      apiKey: tokens.access_token,
      fetch: gateway.callRaw,
    });
    expect((await asAda.admin.users.list()).data.map((u) => u.username)).toEqual(["ada"]);
    expect(await asAda.auth.logout(tokens.refresh_token)).toBeUndefined();
    const spent = await asAda.auth.refresh(tokens.refresh_token).catch((e: unknown) => e);
    expect(spent).toMatchObject({ status: 401 });
  });
});
