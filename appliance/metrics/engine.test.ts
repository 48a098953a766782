import { describe, expect, it } from "vitest";
import { EngineEvents } from "../inference/engine/events.ts";
import type { Engine } from "../inference/engine/index.ts";
import { observeEngine } from "./engine.ts";
import { ApplianceMetrics } from "./metrics.ts";

describe("observeEngine", () => {
  it("turns engine events into prompt, token, first-token and speed metrics, per model version", async () => {
    const events = new EngineEvents();
    const metrics = new ApplianceMetrics();
    const stop = observeEngine({ events } as Engine, metrics);
    const base = { priority: "interactive" as const };
    events.emit("start", { id: 1, model: "alias", ...base, at: 1000 });
    events.emit("prompt", {
      id: 1,
      model: "m",
      version: "1",
      ...base,
      reused: 0,
      evaluated: 40,
      at: 1100,
    });
    events.emit("tokens", { id: 1, model: "m", version: "1", ...base, count: 1, at: 1500 });
    events.emit("tokens", { id: 1, model: "m", version: "1", ...base, count: 10, at: 2500 });
    events.emit("end", { id: 1, model: "m", version: "1", ...base, ok: true, at: 2600 });
    // A failed generation counts its tokens but gives no speed.
    events.emit("start", { id: 2, model: "m", priority: "batch", at: 3000 });
    events.emit("prompt", {
      id: 2,
      model: "m",
      version: "2",
      priority: "batch",
      reused: 30,
      evaluated: 12,
      at: 3050,
    });
    events.emit("tokens", {
      id: 2,
      model: "m",
      version: "2",
      priority: "batch",
      count: 3,
      at: 3100,
    });
    events.emit("tokens", {
      id: 2,
      model: "m",
      version: "2",
      priority: "batch",
      count: 3,
      at: 3200,
    });
    events.emit("end", { id: 2, model: "m", version: "2", priority: "batch", ok: false, at: 3300 });
    const text = (await metrics.scrape()).body;
    expect(text).toContain(
      'textnlp_tokens_generated_total{model="m",version="1",priority="interactive"} 11',
    );
    expect(text).toContain(
      'textnlp_tokens_generated_total{model="m",version="2",priority="batch"} 6',
    );
    expect(text).toContain(
      'textnlp_prompt_tokens_evaluated_total{model="m",version="1",priority="interactive"} 40',
    );
    expect(text).toContain(
      'textnlp_prompt_tokens_reused_total{model="m",version="1",priority="interactive"} 0',
    );
    expect(text).toContain(
      'textnlp_prompt_tokens_evaluated_total{model="m",version="2",priority="batch"} 12',
    );
    expect(text).toContain(
      'textnlp_prompt_tokens_reused_total{model="m",version="2",priority="batch"} 30',
    );
    expect(text).toContain('textnlp_time_to_first_token_seconds_sum{model="m",version="1"} 0.5');
    expect(text).toContain('textnlp_time_to_first_token_seconds_count{model="m",version="1"} 1');
    expect(text).toContain('textnlp_time_to_first_token_seconds_sum{model="m",version="2"} 0.1');
    // 10 tokens after the first, in one second.
    expect(text).toContain('textnlp_generation_tokens_per_second_sum{model="m",version="1"} 10');
    expect(text).toContain('textnlp_generation_tokens_per_second_count{model="m",version="1"} 1');
    stop();
    events.emit("tokens", { id: 3, model: "m", version: "1", ...base, count: 5, at: 4000 });
    expect((await metrics.scrape()).body).toContain(
      'textnlp_tokens_generated_total{model="m",version="1",priority="interactive"} 11',
    );
  });

  it("a listener that throws is reported, and the others still run", () => {
    const errors: unknown[] = [];
    const events = new EngineEvents((err) => errors.push(err));
    let seen = 0;
    events.on("end", () => {
      throw new Error("boom");
    });
    events.on("end", () => seen++);
    events.emit("end", {
      id: 1,
      model: "m",
      version: "1",
      priority: "interactive",
      ok: true,
      at: 0,
    });
    expect(seen).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
