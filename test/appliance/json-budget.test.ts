/**
 * JSON that ends within max_tokens (stories260K, in-process through app.request()): without
 * steering, this model opens a string under the json_object grammar and fills the budget
 * (finish_reason "length", content not JSON, in 20 of 20 seeds at 256 tokens).
 */
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessAppliance, inProcessAppliance } from "../helpers/in-process.ts";
import { STORIES_MODEL } from "../helpers/models.ts";
import { personSchema } from "../helpers/schemas.ts";

type Completion = {
  choices: { message: { content: string }; finish_reason: string }[];
  usage: { completion_tokens: number };
};

describe("JSON that ends within max_tokens (stories260K)", () => {
  let appliance: InProcessAppliance;
  const chat = (seed: number, extra: Record<string, unknown>) =>
    appliance.post("/v1/chat/completions", {
      model: "stories260K",
      messages: [{ role: "user", content: "Describe a person as JSON." }],
      temperature: 1,
      seed,
      max_tokens: 256,
      ...extra,
    });

  beforeAll(async () => {
    appliance = await inProcessAppliance([{ path: STORIES_MODEL }]);
  });
  afterAll(async () => {
    await appliance?.close();
  });

  it("json_object with max_tokens 256: 20 of 20 seeds parse, with finish_reason stop", async () => {
    for (let seed = 0; seed < 20; seed++) {
      const res = await chat(seed, { response_format: { type: "json_object" } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { choices, usage } = res.body as unknown as Completion;
      const content = choices[0]?.message.content ?? "";
      expect(choices[0]?.finish_reason, `seed ${seed}: ${content}`).toBe("stop");
      expect(typeof JSON.parse(content), `seed ${seed}`).toBe("object");
      expect(usage.completion_tokens).toBeLessThanOrEqual(256);
    }
  });

  it("json_schema with max_tokens 256: 20 of 20 seeds validate, with finish_reason stop", async () => {
    const validate = new Ajv({ strict: false }).compile(personSchema);
    for (let seed = 0; seed < 20; seed++) {
      const res = await chat(seed, {
        response_format: {
          type: "json_schema",
          json_schema: { name: "person", schema: personSchema, strict: true },
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { choices } = res.body as unknown as Completion;
      const content = choices[0]?.message.content ?? "";
      expect(choices[0]?.finish_reason, `seed ${seed}: ${content}`).toBe("stop");
      expect(validate(JSON.parse(content)), `seed ${seed}: ${content}`).toBe(true);
    }
  });

  it("a schema whose smallest value cannot fit in max_tokens is a 400 naming the limit", async () => {
    const format = {
      response_format: { type: "json_schema", json_schema: { name: "p", schema: personSchema } },
    };
    const res = await chat(0, { ...format, max_tokens: 8 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      param: "max_tokens",
      code: "max_tokens_too_small",
      type: "invalid_request_error",
    });
    const completion = await chat(0, {
      ...format,
      max_tokens: undefined,
      max_completion_tokens: 8,
    });
    expect((completion.body.error as { param: string }).param).toBe("max_completion_tokens");
    // The smallest json_object, {}, fits in a few tokens.
    const tiny = await chat(0, { response_format: { type: "json_object" }, max_tokens: 8 });
    expect(tiny.status).toBe(200);
    const { choices } = tiny.body as unknown as Completion;
    expect(choices[0]?.finish_reason).toBe("stop");
    expect(JSON.parse(choices[0]?.message.content ?? "")).toBeTypeOf("object");
  });
});
