/**
 * The fixed-latency scenario (`…lat50…`): parsed from the model name, combined with the others,
 * and a call to such a model still gets its ordinary answer (read by the openai SDK). No timing
 * is asserted: the benches that use it measure it.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeKeys } from "./index.ts";
import { startFakeOpenAi } from "./openai.ts";
import { latencyOf, scenarioFor } from "./scenario.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeOpenAi("openai", fakeKeys.openai);
});
afterAll(() => fake.close());

describe("the fixed-latency scenario", () => {
  it("parses from the model name, alone or beside another scenario", () => {
    expect(latencyOf("gpt-4o-mini-lat50")).toBe(50);
    expect(latencyOf("gpt-lat7-flaky429x1")).toBe(7);
    expect(latencyOf("gpt-4o-mini-latest")).toBe(0);
    expect(latencyOf("gpt-4o-mini")).toBe(0);
    expect(scenarioFor("gpt-lat50", 1)).toEqual({ kind: "ok", tool: false });
    expect(scenarioFor("gpt-lat7-flaky429x1", 1)).toMatchObject({ kind: "error", status: 429 });
  });

  it("answers as usual after waiting", async () => {
    const openai = new OpenAI({
      baseURL: `${fake.url}/v1`,
      apiKey: fakeKeys.openai,
      maxRetries: 0,
    });
    const res = await openai.chat.completions.create({
      model: "gpt-4o-mini-lat20",
      messages: [{ role: "user", content: "hi there" }],
      max_tokens: 8,
    });
    expect(res.choices[0]?.message.content).toBe("Hello from openai! You said: hi there");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini-lat20",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from openai! You said: hi");
    expect(fake.calls()["gpt-4o-mini-lat20"]).toBe(2);
  });
});
