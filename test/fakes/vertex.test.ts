/**
 * The Vertex AI fake, read by `@google/genai` in Vertex mode: the SDK signs its own assertion
 * with the fake's service account (google-auth-library) and exchanges it at the fake's token
 * endpoint. google-auth-library 10 posts to `https://oauth2.googleapis.com/token` whatever the
 * key's `token_uri` says, so its transport's fetch is pointed at the fake (the one thing
 * redirected); the assertion it signs, for Google's audience, is checked as it would be there.
 */
import { GoogleGenAI } from "@google/genai";
import { exportPKCS8, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAnswers, expectErrors } from "./genai-checks.ts";
import { type FakeVertex, GOOGLE_TOKEN_URL, startFakeVertex, TOKEN_EXCHANGES } from "./vertex.ts";

let fake: FakeVertex;
beforeAll(async () => {
  fake = await startFakeVertex();
});
afterAll(() => fake.close());

/** The access token google-auth-library got last (for calls the SDK cannot make). */
let sdkToken = "";

/** A Vertex-mode client of the fake with `keyFile`'s service account. */
function client(keyFile = fake.keyFile, location = "us-central1") {
  const toFake: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url !== GOOGLE_TOKEN_URL) return fetch(input, init);
    const res = await fetch(`${fake.url}/token`, init);
    if (res.ok) sdkToken = ((await res.clone().json()) as { access_token: string }).access_token;
    return res;
  };
  return new GoogleGenAI({
    vertexai: true,
    project: fake.projectId,
    location,
    googleAuthOptions: {
      credentials: JSON.parse(keyFile),
      clientOptions: { transporterOptions: { fetchImplementation: toFake } },
    },
    httpOptions: { baseUrl: fake.url, apiVersion: "v1", retryOptions: { attempts: 1 } },
  });
}

const exchanges = async () =>
  ((await (await fetch(`${fake.url}/__calls`)).json()) as Record<string, number>)[
    TOKEN_EXCHANGES
  ] ?? 0;

describe("Vertex AI fake, read by @google/genai in Vertex mode", () => {
  it("exchanges the SDK's assertion once, answers, streams to a finishReason, calls a tool", async () => {
    const before = await exchanges();
    await expectAnswers(client(), "vertex");
    // The SDK keeps its token: one exchange for all three calls.
    expect((await exchanges()) - before).toBe(1);
  });

  it("Google's errors parse as the SDK expects, in-band stream errors too", async () => {
    await expectErrors(client());
    const elsewhere = await client(fake.keyFile, "mars-north1")
      .models.generateContent({ model: "g", contents: "a" })
      .catch((e) => e);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.message).toContain("Unsupported location: mars-north1");
  });

  it("refuses an assertion signed by a key it does not know, and calls without its token", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const stranger = JSON.stringify({
      ...JSON.parse(fake.keyFile),
      private_key: await exportPKCS8(privateKey),
    });
    const refused = await client(stranger)
      .models.generateContent({ model: "g", contents: "a" })
      .catch((e) => e);
    expect(String(refused)).toContain("Invalid JWT Signature.");

    const path = `/v1/projects/${fake.projectId}/locations/us-central1/publishers/google/models/g:generateContent`;
    const anonymous = await fetch(`${fake.url}${path}`, {
      method: "POST",
      headers: { authorization: "Bearer ya29.made-up", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "a" }] }] }),
    });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.status).toBe("UNAUTHENTICATED");
  });

  it("embeds through :predict, and refuses what Vertex refuses, with Google's errors", async () => {
    const ai = client();
    const emb = await ai.models.embedContent({
      model: "text-embedding-005",
      contents: ["ab", "cde"],
    });
    expect(emb.embeddings?.map((e) => e.values)).toEqual([
      [2, 0, 0.25, -0.5],
      [3, 1, 0.25, -0.5],
    ]);
    expect(emb.embeddings?.[1]?.statistics?.tokenCount).toBe(1);

    const post = async (project: string, method: string, body: unknown) => {
      const path = `/v1/projects/${project}/locations/us-central1/publishers/google/models/g:${method}`;
      const res = await fetch(`${fake.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${sdkToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        error: ((await res.json()) as { error: { message: string } }).error,
      };
    };
    const text = [{ text: "a" }];
    const noRole = await post(fake.projectId, "generateContent", { contents: [{ parts: text }] });
    expect([noRole.status, noRole.error.message]).toEqual([
      400,
      "Please use a valid role: user, model.",
    ]);
    const unknown = await post(fake.projectId, "generateContent", {
      contents: [{ role: "user", parts: text }],
      stream_options: {},
    });
    expect(unknown.error.message).toContain('Unknown name "stream_options"');
    const predictExtra = await post(fake.projectId, "predict", { instances: [], model: "g" });
    expect(predictExtra.error.message).toContain('Unknown name "model"');
    const otherProject = await post("someone-else", "generateContent", {
      contents: [{ role: "user", parts: text }],
    });
    expect([otherProject.status, otherProject.error.message]).toEqual([
      403,
      expect.stringContaining("Permission 'aiplatform.endpoints.predict' denied"),
    ]);
  });
});
