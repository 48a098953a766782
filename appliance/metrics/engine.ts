import type { Engine } from "../inference/engine/index.ts";
import type { ApplianceMetrics } from "./metrics.ts";

interface Timing {
  startedAt: number;
  firstAt?: number;
  lastAt: number;
  tokens: number;
}

/**
 * Observes the engine's generations through its events: prompt tokens evaluated and reused,
 * generated tokens, time to first token and decoding speed. Tokens are counted as they are generated, so cancelled requests count what
 * they used. Returns a function that stops observing.
 */
export function observeEngine(engine: Engine, metrics: ApplianceMetrics): () => void {
  const timings = new Map<number, Timing>();
  const off = [
    engine.events.on("start", ({ id, at }) => {
      timings.set(id, { startedAt: at, lastAt: 0, tokens: 0 });
    }),
    engine.events.on("prompt", ({ model, version, priority, reused, evaluated }) => {
      metrics.promptTokensEvaluated.inc({ model, version, priority }, evaluated);
      metrics.promptTokensReused.inc({ model, version, priority }, reused);
    }),
    engine.events.on("tokens", ({ id, model, version, priority, count, at }) => {
      metrics.tokensGenerated.inc({ model, version, priority }, count);
      const timing = timings.get(id);
      if (!timing) return;
      if (timing.firstAt === undefined) {
        timing.firstAt = at;
        metrics.timeToFirstToken.observe({ model, version }, (at - timing.startedAt) / 1000);
      }
      timing.lastAt = at;
      timing.tokens += count;
    }),
    engine.events.on("end", ({ id, model, version, ok }) => {
      const timing = timings.get(id);
      timings.delete(id);
      // The first token only marks the start: speed is over the tokens after it.
      if (!ok || !timing || timing.firstAt === undefined) return;
      const { firstAt, lastAt, tokens } = timing;
      if (tokens > 1 && lastAt > firstAt)
        metrics.tokensPerSecond.observe(
          { model, version },
          (tokens - 1) / ((lastAt - firstAt) / 1000),
        );
    }),
  ];
  return () => {
    for (const stop of off) stop();
  };
}
