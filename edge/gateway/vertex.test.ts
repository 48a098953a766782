/**
 * Vertex AI through the gateway in workerd, as the `openai` SDK sees it: Gemini's bodies on the
 * key's project and location, a service account's access token on every call (one exchange
 * shared by many calls, a new one shortly before expiry, by an injected clock), and a key file
 * that is unusable or refused reported as an upstream auth failure, before any model call.
 */
import { exportPKCS8, generateKeyPair } from "jose";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { collect, fakeCalls, fakeReceived, startGateway } from "../test/gateway.ts";

const messages = [{ role: "user" as const, content: "hi there" }];
const keyFile = () => JSON.parse(inject("fakes").keys.vertex) as Record<string, string>;
const exchanges = async () => (await fakeCalls("vertex"))["token-exchange"] ?? 0;

describe("Vertex AI through the gateway (vertex/<model>)", () => {
  it("sends Gemini's body to the project's model with a bearer token, plain, streamed, embedded", async () => {
    const { client } = startGateway();
    const plain = await client.chat.completions
      .create({ model: "vertex/gemini-2.5-flash-plain", messages })
      .withResponse();
    expect(plain.data.choices[0]?.message.content).toBe("Hello from vertex! You said: hi there");
    expect(plain.response.headers.get("x-textnlp-target")).toBe("vertex/gemini-2.5-flash-plain");
    const sent = await fakeReceived("vertex", "gemini-2.5-flash-plain");
    expect(sent.path).toBe(
      `/v1/projects/${keyFile().project_id}/locations/us-central1/publishers/google/models/gemini-2.5-flash-plain:generateContent`,
    );
    expect(sent.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
    expect(sent.body.contents).toEqual([{ role: "user", parts: [{ text: "hi there" }] }]);

    const streamed = await collect(
      await client.chat.completions.create({
        model: "vertex/gemini-2.5-flash",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.text).toBe("Hello from vertex! You said: hi there");
    expect(streamed.finishes).toEqual(["stop"]);
    expect(streamed.usage?.completion_tokens).toBe(7);

    const embedded = await client.embeddings.create({
      model: "vertex/text-embedding-005",
      input: ["ab", "cde"],
      encoding_format: "float",
    });
    expect(embedded.data.map((d) => d.embedding)).toEqual([
      [2, 0, 0.25, -0.5],
      [3, 1, 0.25, -0.5],
    ]);
    expect(embedded.usage.prompt_tokens).toBe(2);
    expect((await fakeReceived("vertex", "text-embedding-005")).body).toEqual({
      instances: [{ content: "ab" }, { content: "cde" }],
    });
  });

  it("picks the location from ?location= on the base URL, or takes a full base URL as it is", async () => {
    const { urls } = inject("fakes");
    const regional = startGateway({
      bindings: { VERTEX_BASE_URL: `${urls.vertex}?location=europe-west4` },
    });
    await regional.client.chat.completions.create({ model: "vertex/g-eu", messages });
    expect((await fakeReceived("vertex", "g-eu")).path).toContain(
      `/projects/${keyFile().project_id}/locations/europe-west4/publishers/google/models/g-eu:`,
    );
    const full = `${urls.vertex}/v1/projects/${keyFile().project_id}/locations/global`;
    const global = startGateway({ bindings: { VERTEX_BASE_URL: full } });
    await global.client.chat.completions.create({ model: "vertex/g-global", messages });
    expect((await fakeReceived("vertex", "g-global")).path).toContain("/locations/global/");
  });

  it("exchanges one token for many calls, concurrent first ones included, and a new one shortly before expiry", async () => {
    // Far ahead of any token cached by the tests before: the first calls find none usable.
    let now = Date.now() + 10 * 3_600_000;
    const { client } = startGateway({ deps: { now: () => now } });
    const before = await exchanges();
    const ask = (tag: string) =>
      client.chat.completions.create({ model: `vertex/gemini-2.5-flash-${tag}`, messages });
    await Promise.all([ask("a"), ask("b"), ask("c"), ask("d")]);
    expect((await exchanges()) - before).toBe(1);
    const first = (await fakeReceived("vertex", "gemini-2.5-flash-a")).headers.authorization;
    for (const tag of ["e", "f", "g"]) await ask(tag);
    expect((await exchanges()) - before).toBe(1);

    // The fake's tokens live 3599 s; the gateway replaces one 5 minutes before it expires.
    now += 54 * 60_000;
    await ask("h");
    expect((await exchanges()) - before).toBe(1);
    expect((await fakeReceived("vertex", "gemini-2.5-flash-h")).headers.authorization).toBe(first);
    now += 2 * 60_000;
    await ask("i");
    expect((await exchanges()) - before).toBe(2);
    const second = (await fakeReceived("vertex", "gemini-2.5-flash-i")).headers.authorization;
    expect(second).not.toBe(first);
    await ask("j");
    expect((await exchanges()) - before).toBe(2);
  });

  it.each([
    ["not JSON", "not a key file", "it is not JSON"],
    [
      "a field missing",
      JSON.stringify({ ...keyFile(), private_key_id: undefined }),
      "private_key_id",
    ],
    [
      "a PEM that is no key",
      JSON.stringify({
        ...keyFile(),
        private_key_id: "broken",
        private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      }),
      "private_key is not an RSA PKCS #8 key",
    ],
  ])("an unusable key file (%s) is an upstream auth failure, no call made", async (_, key, why) => {
    const { client } = startGateway({ bindings: { VERTEX_API_KEY: key } });
    const model = `g-badkey-${why.length}`;
    const err = (await client.chat.completions
      .create({ model: `vertex/${model}`, messages })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect([err.status, err.code]).toEqual([502, "upstream_auth_failed"]);
    expect(err.message).toContain("vertex: the service-account key file is unusable");
    expect(err.message).toContain(why);
    expect((await fakeCalls("vertex"))[model]).toBeUndefined();
  });

  it("a token endpoint refusing the assertion is an upstream auth failure, and is not cached", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const stranger = JSON.stringify({
      ...keyFile(),
      private_key_id: "a-key-the-account-does-not-have",
      private_key: await exportPKCS8(privateKey),
    });
    const { client } = startGateway({
      bindings: { VERTEX_API_KEY: stranger },
      policy: { retry: { attempts: 0 } },
    });
    const before = await exchanges();
    for (const attempt of [1, 2]) {
      const err = (await client.chat.completions
        .create({ model: "vertex/g-refused", messages })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([err.status, err.code]).toEqual([502, "upstream_auth_failed"]);
      expect(err.message).toContain(
        "vertex: token exchange refused: invalid_grant: Invalid JWT Signature.",
      );
      expect(err.error).toMatchObject({ provider_error: { type: "invalid_grant" } });
      // Each call tries again: the refusal was not kept.
      expect((await exchanges()) - before).toBe(attempt);
    }
    expect((await fakeCalls("vertex"))["g-refused"]).toBeUndefined();
  });
});
