/**
 * Prompt-prefix reuse on the real llama.cpp, in-process: a request without a seed takes the free
 * sequence already holding most of its prompt and evaluates only the rest (checked against
 * node-llama-cpp's own token meters, not only our counter), while a seeded request still starts
 * from a cleared sequence and reproduces. tiny-random never ends early, so every generation is
 * exactly max_tokens long.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeEngine } from "../../appliance/metrics/engine.ts";
import { ApplianceMetrics } from "../../appliance/metrics/metrics.ts";
import { type InProcessAppliance, inProcessAppliance } from "../helpers/in-process.ts";
import { TINY_RANDOM_MODEL } from "../helpers/models.ts";

const model = "tiny-random";
const SEQUENCES = 2;
const system =
  "You write short synthetic customer reviews for a catalogue of kitchen tools. Each review " +
  "names the product, gives a rating from one to five, mentions one thing the reviewer liked " +
  "and one they did not, and stays under sixty words. Never invent prices or brand names.";

type Body = {
  choices: { message?: { content: string }; text?: string }[];
  usage: { prompt_tokens: number; completion_tokens: number };
};

describe("prompt-prefix reuse", () => {
  let appliance: InProcessAppliance;
  const metrics = new ApplianceMetrics();

  beforeAll(async () => {
    appliance = await inProcessAppliance([{ path: TINY_RANDOM_MODEL, name: model }], {
      inference: { sequences: SEQUENCES },
    });
    observeEngine(appliance.services.engine, metrics);
  });
  afterAll(async () => {
    await appliance?.close();
  });

  const chat = async (user: string, extra: Record<string, unknown> = {}) => {
    const res = await appliance.post("/v1/chat/completions", {
      model,
      messages: [
        { role: "system", content: system },
        { role: "user", content: user },
      ],
      max_tokens: 3,
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as unknown as Body;
  };
  /** A counter's value, summed over its label sets. */
  const counter = async (name: string) => {
    let sum = 0;
    for (const line of (await metrics.scrape()).body.split("\n"))
      if (line.startsWith(`${name}{`)) sum += Number(line.split(" ").pop());
    return sum;
  };
  const prompts = async () => ({
    reused: await counter("textnlp_prompt_tokens_reused_total"),
    evaluated: await counter("textnlp_prompt_tokens_evaluated_total"),
  });
  /**
   * Tokens llama.cpp decoded without logits, over all the model's sequences, from their own
   * token meters: a prompt pass adds its evaluated tokens less the last one (decoded for its
   * logits, so metered as output), reused ones add nothing.
   */
  const decodedInputTokens = async () => {
    const { host } = appliance.services;
    const leases = await Promise.all(Array.from({ length: SEQUENCES }, () => host.acquire(model)));
    const sum = leases.reduce((s, l) => s + l.sequence.tokenMeter.usedInputTokens, 0);
    for (const lease of leases) lease.release();
    return sum;
  };

  it("a seeded request gives the same output on a fresh or a used sequence, and reuses nothing", async () => {
    // First in this file: the model is freshly loaded, so this runs on a sequence never used.
    const seeded = { seed: 11, temperature: 1, max_tokens: 12 };
    const fresh = await chat("Review a pepper mill.", seeded);
    // Both sequences now hold prompts: one this very request's (unseeded), one another's.
    await Promise.all([chat("Review a pepper mill."), chat("Review a colander.")]);
    const before = await prompts();
    const used = await chat("Review a pepper mill.", seeded);
    expect((await prompts()).reused).toBe(before.reused);
    expect(used.choices[0]?.message?.content).toBe(fresh.choices[0]?.message?.content);
    expect(used.usage.completion_tokens).toBe(12);
  });

  it("a second request with the same system prompt evaluates only what follows it, even after unrelated ones", async () => {
    const lease = await appliance.services.host.pin(model);
    const systemTokens = lease.model.tokenize(system).length;
    lease.release();
    expect(systemTokens).toBeGreaterThan(40);

    // Both sequences hold short unrelated prompts. Once the first request's sequence has been
    // free longest, an unrelated request (sharing only the template's first tokens) must take
    // the other one rather than erase the system prompt, and the second request find it.
    const unrelated = async (content: string) => {
      const res = await appliance.post("/v1/chat/completions", {
        model,
        messages: [{ role: "user", content }],
        max_tokens: 2,
      });
      expect(res.status).toBe(200);
    };
    await Promise.all([unrelated("Count to three."), unrelated("Name a colour.")]);
    await chat("Review a bread knife.");
    await unrelated("Say hello.");
    await unrelated("Name a colour.");
    const before = await prompts();
    const decodedBefore = await decodedInputTokens();
    const second = await chat("Review a cast iron pan.");
    const after = await prompts();
    const reused = after.reused - before.reused;
    const evaluated = after.evaluated - before.evaluated;
    expect(reused).toBeGreaterThanOrEqual(systemTokens);
    expect(reused + evaluated).toBe(second.usage.prompt_tokens);
    // llama.cpp really decoded only the rest of the prompt.
    const decoded = await decodedInputTokens();
    expect(decoded - decodedBefore).toBe(evaluated - 1);
    // The same prompt again: all but its last token is in the cache.
    await chat("Review a cast iron pan.");
    expect((await prompts()).evaluated - after.evaluated).toBe(1);
    expect(await decodedInputTokens()).toBe(decoded);
  });

  it("a completion reuses its shared prefix too; n > 1 reuses the prompt for every choice", async () => {
    const complete = (prompt: string, n = 1) =>
      appliance.post("/v1/completions", { model, prompt, max_tokens: 2, n });
    expect((await complete(`${system} Product: whisk.`)).status).toBe(200);
    const before = await prompts();
    const decodedBefore = await decodedInputTokens();
    const res = await complete(`${system} Product: ladle.`, 2);
    expect(res.status).toBe(200);
    const after = await prompts();
    // Each pass decodes its evaluated tokens but the last without logits.
    expect((await decodedInputTokens()) - decodedBefore).toBe(
      after.evaluated - before.evaluated - 2,
    );
    const promptTokens = (res.body as unknown as Body).usage.prompt_tokens;
    // Two passes: the first finds the system text cached, the second its whole prompt.
    expect(after.reused + after.evaluated - before.reused - before.evaluated).toBe(
      2 * promptTokens,
    );
    expect(after.reused - before.reused).toBeGreaterThan(promptTokens + 40);
  });

  it("parallel requests, seeded and not, chat and completion, all answer in full", async () => {
    const before = await prompts();
    const requests = Array.from({ length: 8 }, (_, i) =>
      i % 4 === 3
        ? appliance.post("/v1/completions", {
            model,
            prompt: `${system} Product ${i}.`,
            max_tokens: 4,
          })
        : appliance.post("/v1/chat/completions", {
            model,
            messages: [
              { role: "system", content: system },
              { role: "user", content: `Review tool number ${i}.` },
            ],
            max_tokens: 4,
            ...(i % 2 === 0 ? { seed: i } : {}),
          }),
    );
    const results = await Promise.all(requests);
    let promptTokens = 0;
    for (const res of results) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { usage } = res.body as unknown as Body;
      expect(usage.completion_tokens).toBe(4);
      promptTokens += usage.prompt_tokens;
    }
    const after = await prompts();
    expect(after.reused + after.evaluated - before.reused - before.evaluated).toBe(promptTokens);
    expect(after.reused).toBeGreaterThan(before.reused);
  });
});
