import type { Engine, GenerationOptions, GenerationResult } from "../inference/engine/index.ts";
import type { ApplianceMetrics } from "./metrics.ts";

/**
 * Wraps the engine's chat and completion calls to observe tokens, time to first token and
 * decoding speed, leaving the engine itself free of metrics code. Tokens are counted as they
 * are generated, so cancelled requests count what they used.
 */
export function instrumentEngine(engine: Engine, metrics: ApplianceMetrics): void {
  const observe = async (
    requested: string,
    options: GenerationOptions,
    call: (options: GenerationOptions) => Promise<GenerationResult>,
  ): Promise<GenerationResult> => {
    const started = performance.now();
    const priority = options.priority ?? "interactive";
    let model = requested;
    let firstAt: number | undefined;
    let lastAt = 0;
    let tokens = 0;
    const result = await call({
      ...options,
      onStart(resolved) {
        model = resolved;
        options.onStart?.(resolved);
      },
      onTokens(n) {
        const at = performance.now();
        if (firstAt === undefined) {
          firstAt = at;
          metrics.timeToFirstToken.observe({ model }, (at - started) / 1000);
        }
        lastAt = at;
        tokens += n;
        metrics.tokensGenerated.inc({ model, priority }, n);
        options.onTokens?.(n);
      },
    });
    // The first token only marks the start: speed is over the tokens after it.
    if (firstAt !== undefined && tokens > 1 && lastAt > firstAt)
      metrics.tokensPerSecond.observe({ model }, (tokens - 1) / ((lastAt - firstAt) / 1000));
    return result;
  };
  const chat = engine.chat.bind(engine);
  const complete = engine.complete.bind(engine);
  engine.chat = (req, options) => observe(req.model, options, (o) => chat(req, o));
  engine.complete = (req, options) => observe(req.model, options, (o) => complete(req, o));
}
