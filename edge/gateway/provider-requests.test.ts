/**
 * What each adapter sends and what comes back when the provider refuses it, through the gateway
 * in workerd with the official `openai` SDK: the provider's own error message reaches the
 * client, the fakes (which refuse what each real API refuses) receive only fields their
 * provider takes, and image parts arrive in each provider's own format or are refused.
 */
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { tinyPngBase64 as tinyPng } from "../../test/fakes/images.ts";
import { createImageFetcher } from "../providers/images.ts";
import { collect, fakeCalls, fakeChatModels, fakeReceived, startGateway } from "../test/gateway.ts";

const chatModels = fakeChatModels;

describe("a provider's 4xx reaches the client with the provider's message", () => {
  const { client } = startGateway();
  const ask = (model: string) =>
    client.chat.completions
      .create({ model, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);

  it.each(Object.entries(chatModels))("%s: 400 and 404", async (provider, model) => {
    const bad = await ask(`${provider}/${model}-err400`);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as Error).message).toContain(`${provider}: Fake ${provider} error 400`);
    // The provider's own words, and its own error type where it has one, as provider_error.
    expect((bad as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      provider_error: { message: `Fake ${provider} error 400` },
    });
    const missing = await ask(`${provider}/${model}-err404`);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as Error).message).toContain(`Fake ${provider} error 404`);
  });

  it.each(Object.entries(chatModels))(
    "%s: each error class with OpenAI's type and code, the provider's words beside",
    async (provider, model) => {
      const { client } = startGateway({ policy: { retry: { attempts: 0 } } });
      // Upstream status → ours: a refused provider key is the gateway's fault, not the caller's.
      const classes = [
        [400, 400, "invalid_request_error", "upstream_invalid_request"],
        [401, 502, "server_error", "upstream_auth_failed"],
        [404, 404, "invalid_request_error", "model_not_found"],
        [422, 400, "invalid_request_error", null],
        [429, 429, "rate_limit_error", "rate_limit_exceeded"],
        [500, 502, "server_error", "upstream_error"],
      ] as const;
      for (const [upstream, status, type, code] of classes) {
        const err = (await client.chat.completions
          .create({
            model: `${provider}/${model}-err${upstream}`,
            messages: [{ role: "user", content: "x" }],
          })
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(err, `${provider} ${upstream}`).toBeInstanceOf(OpenAI.APIError);
        expect([err.status, err.type], `${provider} ${upstream}`).toEqual([status, type]);
        // 422's code is the provider's own where it speaks OpenAI's vocabulary; not checked here.
        if (code) expect(err.code, `${provider} ${upstream}`).toBe(code);
        expect(err.message).toContain(`Fake ${provider} error ${upstream}`);
        // The target the request reached is named on the error too.
        expect(err.headers?.get("x-textnlp-target")).toBe(`${provider}/${model}-err${upstream}`);
        expect(
          (err.error as { provider_error?: { message: string } }).provider_error?.message,
        ).toContain(`Fake ${provider} error ${upstream}`);
      }
    },
  );

  it("mistral: a 422's pydantic detail, where and why, is the message", async () => {
    const err = await ask("mistral/mistral-small-latest-err422");
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain(
      "mistral: body.fake: Fake mistral error 422 (extra_forbidden)",
    );
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: "invalid_request_error",
      provider_error: { message: "body.fake: Fake mistral error 422 (extra_forbidden)" },
    });
  });
});

describe("Mistral gets only the fields it takes", () => {
  const { client } = startGateway();

  it("streams with include_usage (no stream_options upstream; usage from the last chunk)", async () => {
    const model = "mistral-small-latest-usage";
    const got = await collect(
      await client.chat.completions.create({
        model: `mistral/${model}`,
        messages: [
          { role: "developer", content: "be brief" },
          { role: "user", content: "tell me", name: "ann" },
        ],
        stream: true,
        stream_options: { include_usage: true },
        seed: 7,
        max_completion_tokens: 30,
        user: "u-1",
        logprobs: false,
      }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe("Hello from mistral! You said: tell me");
    expect(got.usage?.completion_tokens).toBe(7);
    const { body } = await fakeReceived("mistral", model);
    expect(body).toEqual({
      model,
      stream: true,
      random_seed: 7,
      max_tokens: 30,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "tell me" },
      ],
    });
  });

  it("refuses logprobs with a 400 naming the capability, before any call", async () => {
    const err = await client.chat.completions
      .create({
        model: "mistral/mistral-small-latest",
        messages: [{ role: "user", content: "x" }],
        logprobs: true,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as { code?: string }).code).toBe("unsupported_capability");
  });
});

describe("every OpenAI chat field reaches each provider as a field it takes", () => {
  const { client } = startGateway();
  const tools = [
    {
      type: "function" as const,
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    },
    { type: "function" as const, function: { name: "get_time" } },
  ];

  // The fakes refuse any field their provider does not know: a 200 means none slipped through.
  it.each(Object.entries(chatModels))("%s, plain and streamed", async (provider, model) => {
    for (const stream of [false, true]) {
      const request = {
        model: `${provider}/${model}-allfields`,
        messages: [
          { role: "developer" as const, content: "be brief" },
          { role: "user" as const, content: "hi", name: "ann" },
        ],
        max_completion_tokens: 20,
        temperature: 0.5,
        top_p: 0.9,
        n: 1,
        stop: ["\n\n"],
        seed: 3,
        presence_penalty: 0.1,
        frequency_penalty: 0.1,
        tools,
        tool_choice: "auto" as const,
        parallel_tool_calls: false,
        logprobs: false,
        user: "u-1",
        // JSON mode through a forced tool (Anthropic, Bedrock) cannot go with the caller's tools.
        ...(provider === "anthropic" || provider === "bedrock"
          ? {}
          : { response_format: { type: "json_object" as const } }),
      };
      if (stream) {
        const got = await collect(
          await client.chat.completions.create({
            ...request,
            stream: true,
            stream_options: { include_usage: true },
          }),
        );
        expect(got.error).toBeUndefined();
        expect(got.usage?.completion_tokens).toBeGreaterThan(0);
      } else {
        const res = await client.chat.completions.create({ ...request, stream: false });
        expect(res.choices[0]?.message.content).toContain(`Hello from ${provider}`);
      }
    }
  });

  it("openai: stream_options only on a streamed request (OpenAI refuses it otherwise)", async () => {
    await client.chat.completions.create({
      model: "openai/gpt-4o-mini-nostream",
      messages: [{ role: "user", content: "x" }],
      stream_options: { include_usage: true },
    });
    const { body } = await fakeReceived("openai", "gpt-4o-mini-nostream");
    expect(body).not.toHaveProperty("stream_options");
  });

  it("cohere: a named tool choice becomes that tool alone, required", async () => {
    await client.chat.completions.create({
      model: "cohere/command-a-03-2025-named",
      messages: [{ role: "user", content: "x" }],
      tools,
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const { body } = await fakeReceived("cohere", "command-a-03-2025-named");
    expect(body.tool_choice).toBe("REQUIRED");
    expect((body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
      "get_time",
    ]);
  });

  it("gemini and anthropic refuse logprobs with a 400 naming the capability", async () => {
    for (const model of ["gemini/gemini-2.5-flash", "anthropic/claude-sonnet-4-5"]) {
      const err = await client.chat.completions
        .create({ model, messages: [{ role: "user", content: "x" }], logprobs: true })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toMatch(/does not support logprobs/);
    }
  });
});

describe("image parts reach each provider that takes images in its own format", () => {
  const { client } = startGateway();
  const imageUrl = `${inject("fakes").urls.openai}/__image.png`;
  const dataUri = `data:image/png;base64,${tinyPng}`;
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    {
      role: "user",
      content: [
        { type: "text", text: "what are these?" },
        { type: "image_url", image_url: { url: imageUrl, detail: "low" } },
        { type: "image_url", image_url: { url: dataUri } },
      ],
    },
  ];
  const ask = (provider: string, model: string) =>
    client.chat.completions.create({ model: `${provider}/${model}`, messages });

  it("openai and mistral: the parts as sent", async () => {
    for (const [provider, model] of [
      ["openai", "gpt-4o-mini-vision"],
      ["mistral", "pixtral-12b-latest"],
    ] as const) {
      const res = await ask(provider, model);
      expect(res.choices[0]?.message.content).toBe(
        `Hello from ${provider}! You said: what are these?`,
      );
      const { body } = await fakeReceived(provider, model);
      expect((body.messages as { content: unknown }[])[0]?.content).toEqual(messages[0]?.content);
    }
  });

  it("anthropic: image blocks, by URL and as base64", async () => {
    await ask("anthropic", "claude-sonnet-4-5-vision");
    const { body } = await fakeReceived("anthropic", "claude-sonnet-4-5-vision");
    expect((body.messages as { content: unknown }[])[0]?.content).toEqual([
      { type: "text", text: "what are these?" },
      { type: "image", source: { type: "url", url: imageUrl } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: tinyPng } },
    ]);
  });

  it.each(["gemini", "vertex"])(
    "%s: inlineData, the URL's bytes fetched by the edge, plain and streamed",
    async (provider) => {
      const inline = { inlineData: { mimeType: "image/png", data: tinyPng } };
      await ask(provider, "gemini-2.5-flash-vision");
      const plain = await fakeReceived(provider, "gemini-2.5-flash-vision");
      expect((plain.body.contents as { parts: unknown }[])[0]?.parts).toEqual([
        { text: "what are these?" },
        inline,
        inline,
      ]);
      const streamed = await collect(
        await client.chat.completions.create({
          model: `${provider}/gemini-2.5-flash-vision-s`,
          messages,
          stream: true,
        }),
      );
      expect(streamed.error).toBeUndefined();
      expect(streamed.text).toBe(`Hello from ${provider}! You said: what are these?`);
    },
  );

  it("cohere: 400 unsupported_capability before any call", async () => {
    const err = await ask("cohere", "command-a-vision-refused").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as { code?: string }).code).toBe("unsupported_capability");
    expect((err as Error).message).toMatch(/cohere.*image/);
    expect((await fakeCalls("cohere"))["command-a-vision-refused"]).toBeUndefined();
  });

  it("an image URL that cannot be fetched is a 400 naming why, before any call", async () => {
    const err = await client.chat.completions
      .create({
        model: "gemini/gemini-2.5-flash-img401",
        messages: [
          {
            role: "user",
            content: [
              {
                type: "image_url",
                image_url: { url: `${imageUrl.replace("/__image.png", "/nope")}` },
              },
            ],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    // The fake wants its key on every path but its image: the edge sends none.
    expect((err as Error).message).toContain("The image URL answered HTTP 401");
    expect((await fakeCalls("gemini"))["gemini-2.5-flash-img401"]).toBeUndefined();
  });
});

describe("the image fetcher's guards", () => {
  const png = Uint8Array.from(atob(tinyPng), (c) => c.charCodeAt(0));
  const serving =
    (answer: (url: string) => Response): typeof fetch =>
    async (input) =>
      answer(String(input));

  it("refuses non-http schemes and private, loopback and link-local hosts in production", async () => {
    const fetchImage = createImageFetcher({ fetch: serving(() => new Response(png)) });
    for (const url of [
      "ftp://example.com/a.png",
      "http://127.0.0.1/a.png",
      "http://2130706433/a.png",
      "http://localhost:8080/a.png",
      "http://10.1.2.3/a.png",
      "http://192.168.0.1/a.png",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/a.png",
      "http://[fd00::1]/a.png",
      "http://[::ffff:127.0.0.1]/a.png",
    ]) {
      await expect(fetchImage(url), url).rejects.toMatchObject({
        status: 400,
        code: "invalid_image_url",
      });
    }
  });

  it("follows a redirect only to a host it may fetch", async () => {
    const fetchImage = createImageFetcher({
      fetch: serving((url) =>
        url.includes("public.example")
          ? new Response(null, { status: 302, headers: { location: "http://10.0.0.5/x.png" } })
          : new Response(png, { headers: { "content-type": "image/png" } }),
      ),
    });
    await expect(fetchImage("https://public.example/a.png")).rejects.toMatchObject({
      message: expect.stringContaining("private"),
    });
  });

  it("reads a public image, and caps its size and the time it takes", async () => {
    const ok = createImageFetcher({
      fetch: serving(() => new Response(png, { headers: { "content-type": "image/png" } })),
    });
    expect(await ok("https://img.example/a.png")).toEqual({ mimeType: "image/png", data: tinyPng });
    const big = createImageFetcher({
      maxBytes: 10,
      fetch: serving(() => new Response(png, { headers: { "content-type": "image/png" } })),
    });
    await expect(big("https://img.example/a.png")).rejects.toMatchObject({
      code: "image_too_large",
    });
    const slow = createImageFetcher({
      timeoutMs: 50,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
    });
    await expect(slow("https://img.example/a.png")).rejects.toMatchObject({
      message: expect.stringContaining("longer than 50 ms"),
    });
    const notImage = createImageFetcher({
      fetch: serving(() => new Response("<html>", { headers: { "content-type": "text/html" } })),
    });
    await expect(notImage("https://img.example/a.png")).rejects.toMatchObject({
      message: expect.stringContaining("not an image"),
    });
  });
});
