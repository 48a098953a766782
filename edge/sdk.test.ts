import { describe, expect, it } from "vitest";
import { createClient, TextNlpError } from "../shared/sdk/index.ts";
import { startGateway } from "./test/gateway.ts";

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
});
