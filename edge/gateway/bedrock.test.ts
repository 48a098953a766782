/**
 * Bedrock through the gateway in workerd, with the official `openai` SDK as the client and the
 * Bedrock fake checking every call's SigV4 signature (recomputed from the secret) or API key:
 * the Converse body each OpenAI request becomes, images as bytes, JSON mode as a forced tool,
 * a tool call's round trip, AWS's error types, and keys in every accepted form (and one not).
 */
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import {
  fakeBedrockApiKey,
  fakeBedrockSession,
  fakeBedrockUser,
} from "../../test/fakes/bedrock-keys.ts";
import { tinyPngBase64 } from "../../test/fakes/images.ts";
import { collect, fakeCalls, fakeReceived, startGateway } from "../test/gateway.ts";

type ApiErr = InstanceType<typeof OpenAI.APIError>;

const claude = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const user = (content: string) => [{ role: "user" as const, content }];

/** A gateway whose Bedrock key is `key`, and the model name each test makes its own. */
const withKey = (key: string) => startGateway({ bindings: { BEDROCK_API_KEY: key } }).client;

describe("Bedrock through the gateway (bedrock/<modelId>)", () => {
  const { client } = startGateway();

  it("sends a Converse body on the model's path, signed with SigV4 for the base URL's region", async () => {
    const model = `${claude}-body`;
    const res = await client.chat.completions.create({
      model: `bedrock/${model}`,
      messages: [
        { role: "system", content: "be brief" },
        { role: "developer", content: "be kind" },
        { role: "user", content: "hi there", name: "ann" },
      ],
      max_tokens: 30,
      temperature: 1.5,
      top_p: 0.9,
      stop: "END",
      seed: 3,
      presence_penalty: 0.5,
      user: "u-1",
    });
    expect(res.choices[0]?.message.content).toBe("Hello from bedrock! You said: hi there");
    expect(res.usage).toMatchObject({ completion_tokens: 7, prompt_tokens: 6, total_tokens: 13 });
    const sent = await fakeReceived("bedrock", model);
    expect(sent.path).toBe(`/model/${encodeURIComponent(model)}/converse`);
    expect(sent.body).toEqual({
      messages: [{ role: "user", content: [{ text: "hi there" }] }],
      system: [{ text: "be brief" }, { text: "be kind" }],
      // Converse's temperature runs 0-1; seed, penalties and user have no Converse field.
      inferenceConfig: { maxTokens: 30, temperature: 1, topP: 0.9, stopSequences: ["END"] },
    });
    expect(sent.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${fakeBedrockUser.accessKeyId}/\\d{8}/us-west-2/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-date, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(sent.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it("signs with temporary credentials' session token, and sends a Bedrock API key as a bearer", async () => {
    const { accessKeyId, secretAccessKey, sessionToken } = fakeBedrockSession;
    const session = withKey(`${accessKeyId}:${secretAccessKey}:${sessionToken}`);
    const viaSession = await session.chat.completions.create({
      model: `bedrock/${claude}-session`,
      messages: user("x"),
    });
    expect(viaSession.choices[0]?.finish_reason).toBe("stop");
    const signed = await fakeReceived("bedrock", `${claude}-session`);
    expect(signed.headers["x-amz-security-token"]).toBe(sessionToken);
    expect(signed.headers.authorization).toContain("x-amz-security-token");

    const bearer = withKey(fakeBedrockApiKey);
    const streamed = await collect(
      await bearer.chat.completions.create({
        model: `bedrock/${claude}-bearer`,
        messages: user("tell me"),
        stream: true,
      }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.text).toBe("Hello from bedrock! You said: tell me");
    const sent = await fakeReceived("bedrock", `${claude}-bearer`);
    expect(sent.headers.authorization).toBe(`Bearer ${fakeBedrockApiKey}`);
    expect(sent.path.endsWith("/converse-stream")).toBe(true);
  });

  it("reports a refused signature, a skewed clock and a key in no accepted form as the gateway's fault", async () => {
    const wrongSecret = await withKey(`${fakeBedrockUser.accessKeyId}:not-the-secret`)
      .chat.completions.create({ model: `bedrock/${claude}`, messages: user("x") })
      .catch((e: unknown) => e);
    expect(wrongSecret).toBeInstanceOf(OpenAI.APIError);
    expect(wrongSecret).toMatchObject({ status: 502, code: "upstream_auth_failed" });
    expect((wrongSecret as ApiErr).error).toMatchObject({
      provider_error: {
        type: "InvalidSignatureException",
        message: expect.stringContaining("does not match the signature you provided"),
      },
    });

    // The signature is dated by the gateway's clock: an hour off, AWS (and the fake) refuse it.
    const skewed = await startGateway({ deps: { now: () => Date.now() - 3_600_000 } })
      .client.chat.completions.create({ model: `bedrock/${claude}`, messages: user("x") })
      .catch((e: unknown) => e);
    expect((skewed as ApiErr).error).toMatchObject({
      provider_error: { message: expect.stringContaining("Signature expired") },
    });

    for (const key of ["AKIAFAKEBEDROCK00001:", "a:b:c:d", "akia-lower:secret", "two words"]) {
      const model = `${claude}-badkey-${key.length}`;
      const err = await withKey(key)
        .chat.completions.create({ model: `bedrock/${model}`, messages: user("x") })
        .catch((e: unknown) => e);
      expect(err, key).toMatchObject({ status: 502, code: "upstream_auth_failed" });
      expect((err as Error).message, key).toMatch(/ACCESS_KEY_ID:SECRET_ACCESS_KEY/);
      expect((err as Error).message, key).not.toContain(key);
      expect((await fakeCalls("bedrock"))[model], key).toBeUndefined();
    }
  });

  it("keeps Bedrock's error type (x-amzn-ErrorType) and message as provider_error", async () => {
    const { client } = startGateway({ policy: { retry: { attempts: 0 } } });
    const throttled = (await client.chat.completions
      .create({ model: `bedrock/${claude}-err429`, messages: user("x") })
      .catch((e: unknown) => e)) as ApiErr;
    expect(throttled).toBeInstanceOf(OpenAI.RateLimitError);
    expect(throttled.code).toBe("rate_limit_exceeded");
    expect(throttled.error).toMatchObject({
      provider_error: { type: "ThrottlingException", message: "Fake bedrock error 429" },
    });
    const modelError = (await client.chat.completions
      .create({ model: `bedrock/${claude}-err424`, messages: user("x") })
      .catch((e: unknown) => e)) as ApiErr;
    expect(modelError.status).toBe(502);
    expect(modelError.error).toMatchObject({ provider_error: { type: "ModelErrorException" } });
  });

  it("sends images as bytes: a URL fetched by the edge, a data: URI read in place", async () => {
    const imageUrl = `${inject("fakes").urls.bedrock}/__image.png`;
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "what are these?" },
          { type: "image_url", image_url: { url: imageUrl, detail: "low" } },
          { type: "image_url", image_url: { url: `data:image/png;base64,${tinyPngBase64}` } },
        ],
      },
    ];
    const res = await client.chat.completions.create({
      model: `bedrock/${claude}-vision`,
      messages,
    });
    expect(res.choices[0]?.message.content).toBe("Hello from bedrock! You said: what are these?");
    const image = { image: { format: "png", source: { bytes: tinyPngBase64 } } };
    const sent = await fakeReceived("bedrock", `${claude}-vision`);
    expect((sent.body.messages as { content: unknown }[])[0]?.content).toEqual([
      { text: "what are these?" },
      image,
      image,
    ]);
    const bmp = await client.chat.completions
      .create({
        model: `bedrock/${claude}-bmp`,
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(bmp).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bmp).toMatchObject({ code: "unsupported_capability" });
  });

  it("answers JSON mode through a forced tool, as message content, plain and streamed", async () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" } },
      required: ["name", "age"],
    };
    const request = {
      model: `bedrock/${claude}-json`,
      messages: user("Ada"),
      response_format: { type: "json_schema" as const, json_schema: { name: "person", schema } },
    };
    const plain = await client.chat.completions.create(request);
    expect(plain.choices[0]?.finish_reason).toBe("stop");
    expect(plain.choices[0]?.message.tool_calls).toBeUndefined();
    expect(JSON.parse(plain.choices[0]?.message.content ?? "")).toEqual({
      name: expect.any(String),
      age: 1,
    });
    const sent = await fakeReceived("bedrock", `${claude}-json`);
    expect(sent.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "textnlp_json_response",
            description: "Answer with person.",
            inputSchema: { json: schema },
          },
        },
      ],
      toolChoice: { tool: { name: "textnlp_json_response" } },
    });

    const streamed = await collect(
      await client.chat.completions.create({ ...request, stream: true }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.finishes).toEqual(["stop"]);
    expect(streamed.toolCalls).toEqual([]);
    expect(JSON.parse(streamed.text)).toEqual(JSON.parse(plain.choices[0]?.message.content ?? ""));

    const withTools = await client.chat.completions
      .create({
        ...request,
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      })
      .catch((e: unknown) => e);
    expect(withTools).toBeInstanceOf(OpenAI.BadRequestError);
    expect(withTools).toMatchObject({ code: "unsupported_capability" });
  });

  it("round-trips a tool call: toolUse back in the assistant turn, the result as toolResult", async () => {
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    const tools = [
      {
        type: "function" as const,
        function: { name: "get_weather", description: "The weather in a city", parameters },
      },
    ];
    const first = await client.chat.completions.create({
      model: `bedrock/${claude}-tool`,
      messages: user("weather in Paris?"),
      tools,
      tool_choice: "required",
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const asked = await fakeReceived("bedrock", `${claude}-tool`);
    expect(asked.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "The weather in a city",
            inputSchema: { json: parameters },
          },
        },
      ],
      toolChoice: { any: {} },
    });

    const second = await client.chat.completions.create({
      model: `bedrock/${claude}-answer`,
      messages: [
        ...user("weather in Paris?"),
        { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls },
        { role: "tool", tool_call_id: call?.id ?? "", content: "sunny, 21°C" },
        { role: "user", content: "thanks" },
      ],
      tools,
    });
    expect(second.choices[0]?.message.content).toBe("Hello from bedrock! You said: thanks");
    const sent = await fakeReceived("bedrock", `${claude}-answer`);
    expect(sent.body.messages).toEqual([
      { role: "user", content: [{ text: "weather in Paris?" }] },
      {
        role: "assistant",
        content: [
          { toolUse: { toolUseId: call?.id, name: "get_weather", input: { city: "Paris" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: call?.id, content: [{ text: "sunny, 21°C" }] } },
          { text: "thanks" },
        ],
      },
    ]);
    // `auto` is Converse's default: no toolChoice.
    expect(sent.body.toolConfig).not.toHaveProperty("toolChoice");

    const named = await client.chat.completions.create({
      model: `bedrock/${claude}-named`,
      messages: user("weather?"),
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(named.choices[0]?.finish_reason).toBe("tool_calls");
    const forced = await fakeReceived("bedrock", `${claude}-named`);
    expect((forced.body.toolConfig as { toolChoice: unknown }).toolChoice).toEqual({
      tool: { name: "get_weather" },
    });

    // Converse has no "none": with tool calls in the history, it cannot be honoured.
    const none = await client.chat.completions
      .create({
        model: `bedrock/${claude}-none`,
        messages: [
          ...user("weather?"),
          { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls },
          { role: "tool", tool_call_id: call?.id ?? "", content: "sunny" },
        ],
        tools,
        tool_choice: "none",
      })
      .catch((e: unknown) => e);
    expect(none).toMatchObject({ status: 400, code: "unsupported_capability" });
  });
});
