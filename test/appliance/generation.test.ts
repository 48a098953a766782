import Ajv from "ajv";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";
import { personSchema } from "../helpers/schemas.ts";

describe("generation features on a real appliance (stories260K)", () => {
  let appliance: ApplianceProcess;
  let client: OpenAI;
  const model = "stories260K";

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    client = new OpenAI({ baseURL: `${appliance.url}/v1`, apiKey: "open", maxRetries: 0 });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("enforces a nested json_schema with enums: 20 seeds at temperature 1 all validate", async () => {
    const validate = new Ajv({ strict: false }).compile(personSchema);
    for (let seed = 0; seed < 20; seed++) {
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Describe a person as JSON." }],
        temperature: 1,
        seed,
        response_format: {
          type: "json_schema",
          json_schema: { name: "person", schema: personSchema, strict: true },
        },
      });
      const choice = res.choices[0];
      expect(choice?.finish_reason, `seed ${seed}`).toBe("stop");
      const parsed = JSON.parse(choice?.message.content ?? "");
      expect(validate(parsed), `seed ${seed}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("gives valid JSON for json_object", async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "JSON please" }],
      seed: 3,
      max_tokens: 120,
      response_format: { type: "json_object" },
    });
    if (res.choices[0]?.finish_reason === "stop")
      expect(() => JSON.parse(res.choices[0]?.message.content ?? "")).not.toThrow();
    else expect(res.choices[0]?.finish_reason).toBe("length");
  });

  it("returns n=3 choices with their own indexes", async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "A story" }],
      n: 3,
      max_tokens: 12,
      temperature: 1,
      seed: 5,
    });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const choice of res.choices) expect(choice.message.content?.length).toBeGreaterThan(0);
    expect(res.usage?.completion_tokens).toBe(36);
  });

  it("stops at a stop string the output really reaches, without including it", async () => {
    const body = { model, prompt: "Once upon a time", max_tokens: 60, temperature: 0 };
    const free = await client.completions.create(body);
    const text = free.choices[0]?.text ?? "";
    // A word the unconstrained greedy output contains, a little way in.
    const word = text.split(/\s+/).filter((w) => /^[a-z]{3,}$/.test(w))[2];
    expect(word, `no usable word in: ${text}`).toBeDefined();
    const stopped = await client.completions.create({ ...body, stop: [` ${word}`] });
    expect(stopped.choices[0]?.finish_reason).toBe("stop");
    expect(stopped.choices[0]?.text).toBe(text.slice(0, text.indexOf(` ${word}`)));
  });

  it("serves legacy completions plain and streamed with the same seeded text", async () => {
    const body = { model, prompt: "The little dog", max_tokens: 16, temperature: 0.9, seed: 9 };
    const plain = await client.completions.create(body);
    expect(plain.object).toBe("text_completion");
    expect(plain.choices[0]?.finish_reason).toBe("length");
    expect(plain.usage?.completion_tokens).toBe(16);
    let streamed = "";
    let finish: string | null = null;
    for await (const chunk of await client.completions.create({ ...body, stream: true })) {
      streamed += chunk.choices[0]?.text ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(streamed).toBe(plain.choices[0]?.text);
    expect(finish).toBe("length");
  });

  it("embeds a batch exactly as each text alone, in float and base64", async () => {
    const texts = ["a happy cat", "the sun is big", "Lily went to the park"];
    const batch = await client.embeddings.create({ model, input: texts, encoding_format: "float" });
    expect(batch.data.map((d) => d.index)).toEqual([0, 1, 2]);
    for (const [i, text] of texts.entries()) {
      const alone = await client.embeddings.create({
        model,
        input: text,
        encoding_format: "float",
      });
      expect(batch.data[i]?.embedding).toEqual(alone.data[0]?.embedding);
    }
    // The SDK asks for base64 by default and decodes it to floats.
    const decoded = await client.embeddings.create({ model, input: texts });
    for (const [i, item] of decoded.data.entries()) {
      const expected = batch.data[i]?.embedding ?? [];
      expect(item.embedding).toHaveLength(expected.length);
      for (const [j, v] of item.embedding.entries())
        expect(v).toBeCloseTo(expected[j] ?? Number.NaN, 5);
    }
    expect(batch.usage.prompt_tokens).toBeGreaterThan(0);
  });

  const weatherTool = {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Current weather of a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } },
        required: ["city", "unit"],
        additionalProperties: false,
      },
    },
  };
  const timeTool = {
    type: "function" as const,
    function: {
      name: "get_time",
      parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
    },
  };

  it("calls a named tool with arguments valid against its parameters, plain and streamed", async () => {
    const validate = new Ajv({ strict: false }).compile(weatherTool.function.parameters);
    for (let seed = 0; seed < 5; seed++) {
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "What is the weather in Oslo?" }],
        tools: [weatherTool, timeTool],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        seed,
        temperature: 1,
      });
      const choice = res.choices[0];
      expect(choice?.finish_reason).toBe("tool_calls");
      expect(choice?.message.content).toBeNull();
      const call = choice?.message.tool_calls?.[0];
      expect(call?.type).toBe("function");
      if (call?.type !== "function") throw new Error("no function call");
      expect(call.function.name).toBe("get_weather");
      expect(call.id).toMatch(/^call_/);
      expect(validate(JSON.parse(call.function.arguments)), call.function.arguments).toBe(true);
    }
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "What time is it in Tokyo?" }],
      tools: [weatherTool, timeTool],
      tool_choice: "required",
      seed: 1,
      stream: true,
    });
    const names: string[] = [];
    let args = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (delta.function?.name) names.push(delta.function.name);
        args += delta.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(names).toHaveLength(1);
    expect(["get_weather", "get_time"]).toContain(names[0]);
    expect(() => JSON.parse(args)).not.toThrow();
    expect(finish).toBe("tool_calls");
  });

  it("documents tools in the prompt for tool_choice auto, and continues after a tool result", async () => {
    const base = {
      model,
      messages: [{ role: "user" as const, content: "Weather in Oslo?" }],
      max_tokens: 8,
      seed: 2,
    };
    const plain = await client.chat.completions.create(base);
    const withTools = await client.chat.completions.create({
      ...base,
      tools: [weatherTool],
      tool_choice: "auto",
    });
    expect(withTools.usage?.prompt_tokens).toBeGreaterThan((plain.usage?.prompt_tokens ?? 0) + 20);
    expect(["stop", "length", "tool_calls"]).toContain(withTools.choices[0]?.finish_reason);

    const followUp = await client.chat.completions.create({
      model,
      max_tokens: 8,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"celsius"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temperature": 3}' },
      ],
    });
    expect(followUp.choices).toHaveLength(1);
  });

  it("refuses a tool_choice that names no given tool", async () => {
    await expect(
      client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "hi" }],
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "nope" } },
      }),
    ).rejects.toMatchObject({ status: 400, param: "tool_choice" });
  });
});
