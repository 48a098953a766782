import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../api/schemas/chat.ts";
import type { SampleCheckpoint } from "./job-runner.ts";
import {
  type CompleteChat,
  createTemplateSampleGenerator,
  inputTaskOf,
  variablesOf,
} from "./sample-generator.ts";

const noCheckpoint: SampleCheckpoint = { load: async () => ({}), save: async () => {} };

describe("a comparison's sample generator", () => {
  it("generates each input on every model in turn, with the same prompt and seed", async () => {
    const calls: ChatCompletionRequest[] = [];
    const complete: CompleteChat = async (request) => {
      calls.push(request);
      return {
        text: `${request.model} says hi`,
        finishReason: "stop",
        promptTokens: 3,
        completionTokens: 2,
        provenance: { name: request.model, version: 7, sha256: "ab" },
      };
    };
    const options = {
      template: { prompt: "Tell about {{ topic }} and {{ n }}." },
      rows: (row: number) => ({ topic: ["owls", "cats"][row] }),
      samplers: { n: { type: "range" as const, min: 0, max: 1e9, integer: true } },
      seed: 42,
      model: "ignored",
      models: ["a@1", "a@2", "b"],
      params: {},
      complete,
    };
    const generate = createTemplateSampleGenerator(options);
    const signal = new AbortController().signal;
    const tasks = [0, 1].flatMap((row) =>
      Array.from({ length: 6 }, (_, sample) => ({ row, sample })),
    );
    const samples = [];
    for (const task of tasks) samples.push(await generate(task, signal, noCheckpoint));

    // Key s of a row: model s % 3, inputs of sample floor(s / 3).
    expect(calls.map((c) => c.model)).toEqual(Array(4).fill(["a@1", "a@2", "b"]).flat());
    expect(samples.map((s) => s.provenance?.name)).toEqual(calls.map((c) => c.model));
    for (let pair = 0; pair < 4; pair++) {
      const [first, ...others] = calls.slice(pair * 3, pair * 3 + 3);
      for (const other of others) {
        expect(other.messages).toEqual(first?.messages);
        expect(other.seed).toBe(first?.seed);
      }
    }
    // Two inputs a row differ, like two samples of a one-model job.
    expect(calls[0]?.messages).not.toEqual(calls[3]?.messages);
    expect(calls[0]?.seed).not.toBe(calls[3]?.seed);
    expect(calls[0]?.messages).not.toEqual(calls[6]?.messages);
    // A failed key records the variables its pair was rendered with.
    expect(variablesOf(options, { row: 1, sample: 4 })).toEqual(samples[9]?.variables);
    expect(inputTaskOf({ row: 1, sample: 5 }, 3)).toEqual({ row: 1, sample: 1 });
    expect(inputTaskOf({ row: 1, sample: 5 })).toEqual({ row: 1, sample: 5 });
  });
});
