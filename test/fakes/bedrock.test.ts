/**
 * The Bedrock fake, read by the official `@aws-sdk/client-bedrock-runtime` (SigV4 from static
 * credentials, the event-stream framing, AWS's error types): if the fake drifted from
 * Bedrock's wire format, the SDK would fail.
 */
import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrock } from "./bedrock.ts";
import {
  fakeBedrockApiKey,
  fakeBedrockRegion,
  fakeBedrockSession,
  fakeBedrockUser,
} from "./bedrock-keys.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeBedrock({
    region: fakeBedrockRegion,
    credentials: [fakeBedrockUser, fakeBedrockSession],
    apiKey: fakeBedrockApiKey,
  });
});
afterAll(() => fake.close());

const client = (config: Partial<BedrockRuntimeClientConfig> = {}) =>
  new BedrockRuntimeClient({
    endpoint: fake.url,
    region: fakeBedrockRegion,
    credentials: fakeBedrockUser,
    maxAttempts: 1,
    // The client defaults to HTTP/2 (for bidirectional streams); Converse runs on HTTP/1.1 too.
    requestHandler: new NodeHttpHandler(),
    ...config,
  });

const messages = [{ role: "user" as const, content: [{ text: "hi there" }] }];

/** Reads a ConverseStream with the SDK: text, stop reason, usage, and the error it ended with. */
async function readStream(modelId: string, c = client()) {
  const res = await c.send(new ConverseStreamCommand({ modelId, messages }));
  let text = "";
  let stopReason: string | undefined;
  let outputTokens: number | undefined;
  let error: unknown;
  try {
    for await (const event of res.stream ?? []) {
      text += event.contentBlockDelta?.delta?.text ?? "";
      stopReason = event.messageStop?.stopReason ?? stopReason;
      outputTokens = event.metadata?.usage?.outputTokens ?? outputTokens;
    }
  } catch (err) {
    error = err;
  }
  return { text, stopReason, outputTokens, error };
}

describe("Bedrock fake, read by @aws-sdk/client-bedrock-runtime", () => {
  it("answers Converse signed with SigV4, and with session credentials", async () => {
    const res = await client().send(
      new ConverseCommand({
        modelId: "anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages,
        system: [{ text: "be brief" }],
        inferenceConfig: { maxTokens: 20, temperature: 0.5 },
      }),
    );
    expect(res.output?.message?.content?.[0]?.text).toBe("Hello from bedrock! You said: hi there");
    expect(res.stopReason).toBe("end_turn");
    expect(res.usage?.outputTokens).toBe(7);

    const session = await client({ credentials: fakeBedrockSession }).send(
      new ConverseCommand({ modelId: "meta.llama3-1-8b-instruct-v1:0", messages }),
    );
    expect(session.stopReason).toBe("end_turn");
  });

  it("streams ConverseStream in the event-stream framing to messageStop and metadata", async () => {
    const got = await readStream("anthropic.claude-3-5-sonnet-20240620-v1:0");
    expect(got.error).toBeUndefined();
    expect(got.text).toBe("Hello from bedrock! You said: hi there");
    expect(got.stopReason).toBe("end_turn");
    expect(got.outputTokens).toBe(7);
  });

  it("tool use, errors, refused signatures and in-band exceptions parse as the SDK expects", async () => {
    const tool = await client().send(
      new ConverseCommand({
        modelId: "m-tool",
        messages,
        toolConfig: {
          tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }],
        },
      }),
    );
    expect(tool.stopReason).toBe("tool_use");
    expect(tool.output?.message?.content?.[0]?.toolUse).toMatchObject({
      name: "get_weather",
      input: { city: "Paris" },
    });

    const limited = await client()
      .send(new ConverseCommand({ modelId: "m-err429", messages }))
      .catch((e) => e);
    expect(limited).toBeInstanceOf(ThrottlingException);
    expect(limited.message).toBe("Fake bedrock error 429");

    const wrongSecret = await client({
      credentials: { ...fakeBedrockUser, secretAccessKey: "not-the-secret" },
    })
      .send(new ConverseCommand({ modelId: "m", messages }))
      .catch((e) => e);
    expect(wrongSecret.name).toBe("InvalidSignatureException");
    expect(wrongSecret.$metadata.httpStatusCode).toBe(403);
    const wrongRegion = await client({ region: "eu-west-1" })
      .send(new ConverseCommand({ modelId: "m", messages }))
      .catch((e) => e);
    expect(wrongRegion.message).toMatch(/scoped to a valid region/);

    const inband = await readStream("m-streamerr");
    expect(inband.text.startsWith("Hello from bedrock!")).toBe(true);
    expect(inband.error).toBeInstanceOf(ModelStreamErrorException);
  });

  it("takes a Bedrock API key as a bearer token", async () => {
    const bearer = (token: string) =>
      client({
        credentials: undefined,
        token: { token },
        authSchemePreference: ["httpBearerAuth"],
      });
    const res = await bearer(fakeBedrockApiKey).send(
      new ConverseCommand({ modelId: "m", messages }),
    );
    expect(res.stopReason).toBe("end_turn");
    const refused = await bearer("ABSKwrong")
      .send(new ConverseCommand({ modelId: "m", messages }))
      .catch((e) => e);
    expect(refused.$metadata.httpStatusCode).toBe(403);
  });

  it("refuses unknown fields and bodies Converse refuses with a 400 ValidationException", async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${fake.url}/model/m/converse`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${fakeBedrockApiKey}`,
        },
        body: JSON.stringify(body),
      });
      const { message } = (await res.json()) as { message: string };
      return [res.status, res.headers.get("x-amzn-errortype")?.split(":")[0], message];
    };
    const refused = (words: string) => [400, "ValidationException", expect.stringContaining(words)];
    expect(await post({ messages, random_seed: 1 })).toEqual(
      refused("extraneous key [random_seed]"),
    );
    expect(await post({ messages, inferenceConfig: { seed: 1 } })).toEqual(
      refused("extraneous key [inferenceConfig.seed]"),
    );
    expect(await post({ messages: [{ role: "assistant", content: [{ text: "x" }] }] })).toEqual(
      refused("must start with a user message"),
    );
    expect(await post({ messages: [...messages, ...messages] })).toEqual(
      refused("must alternate between user and assistant"),
    );
    expect(
      await post({
        messages: [
          { role: "user", content: [{ image: { format: "bmp", source: { bytes: "Qk0=" } } }] },
        ],
      }),
    ).toEqual(refused("[png, jpeg, gif, webp]"));
    expect(await post({ messages: [{ role: "user", content: [{ text: " " }] }] })).toEqual(
      refused("is blank"),
    );
    expect(await post({ messages, inferenceConfig: { temperature: 1.5 } })).toEqual(
      refused("inferenceConfig.temperature"),
    );
  });
});
