/**
 * The phases of a generation on the appliance, as children of the span that asked for it (an
 * API request's server span, under the caller's `traceparent`: a client's header, or the edge's
 * attempt carried in the link frame; or a job's model call):
 *
 * - `queue wait`: from the call until it holds a sequence (waiting behind other requests, and
 *   loading the model when it was not loaded);
 * - `prompt processing`: from then until the first generated token, with the prompt tokens the
 *   sequence reused from its KV cache and those it evaluated;
 * - `generation`: from the first token to the end, with the tokens generated and the time to
 *   first token (also on the request's span).
 *
 * Attributes are picked one by one (model, token counts, status, error codes): never a prompt,
 * completion, key or secret. A phase a failed or cancelled call was in is marked failed.
 */
import type { Span } from "@opentelemetry/api";
import { toApiError } from "../../shared/api/app.ts";
import type { GenerationOptions, GenerationResult } from "../inference/engine/index.ts";
import { type ApplianceTracer, type OpenSpan, spanFailed } from "./tracer.ts";

/** A span that others start under: a request's, or a job's model call. */
export class SpanScope {
  constructor(
    readonly tracer: ApplianceTracer,
    readonly open: OpenSpan,
  ) {}

  /** A child of the scope's span. */
  child(name: string): Span {
    return this.tracer.start(name, this.open.context).span;
  }
}

/** The phases of one generation, as its callbacks report them. */
class GenerationSpans {
  readonly #scope: SpanScope;
  readonly #began = performance.now();
  #phase: Span;
  #stage: "queue" | "prompt" | "generate" = "queue";
  #reused = 0;
  #evaluated = 0;
  #tokens = 0;

  constructor(scope: SpanScope) {
    this.#scope = scope;
    this.#phase = scope.child("queue wait");
  }

  /** `options` with the phase changes added to its callbacks. */
  hooks(options: GenerationOptions): GenerationOptions {
    return {
      ...options,
      onStart: (model) => {
        this.#next("prompt", "prompt processing");
        this.#phase.setAttribute("gen_ai.request.model", model.name);
        options.onStart?.(model);
      },
      onPrompt: (prompt) => {
        this.#reused += prompt.reused;
        this.#evaluated += prompt.evaluated;
        options.onPrompt?.(prompt);
      },
      onTokens: (count) => {
        if (this.#stage !== "generate") this.#firstToken();
        this.#tokens += count;
        options.onTokens?.(count);
      },
    };
  }

  /** The call ended with `result`. */
  ended(result: GenerationResult): void {
    this.#phase.setAttributes({
      "gen_ai.response.model": result.model,
      "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
      "gen_ai.usage.output_tokens": result.usage.completion_tokens,
    });
    this.#close();
  }

  /** The call failed (or was cancelled: `signal` aborted). */
  failed(err: unknown, signal: AbortSignal): void {
    this.#phase.setAttribute("gen_ai.usage.output_tokens", this.#tokens);
    spanFailed(this.#phase, signal.aborted ? "cancelled" : (toApiError(err).code ?? "error"));
    this.#close();
  }

  #firstToken(): void {
    // A call answered from the KV cache alone may produce a token without `onStart` first.
    if (this.#stage === "queue") this.#next("prompt", "prompt processing");
    const ttft = Math.round((performance.now() - this.#began) * 10) / 10;
    this.#next("generate", "generation");
    this.#phase.setAttribute("textnlp.time_to_first_token_ms", ttft);
    this.#scope.open.span.setAttribute("textnlp.time_to_first_token_ms", ttft);
  }

  #next(stage: "prompt" | "generate", name: string): void {
    this.#close();
    this.#stage = stage;
    this.#phase = this.#scope.child(name);
  }

  #close(): void {
    if (this.#stage === "prompt") {
      this.#phase.setAttributes({
        "textnlp.prompt.reused_tokens": this.#reused,
        "textnlp.prompt.evaluated_tokens": this.#evaluated,
      });
    }
    this.#phase.end();
  }
}

/**
 * `generate` with its phases traced under `scope`'s span; `generate` itself when nothing is
 * traced.
 */
export function tracedGeneration(
  scope: SpanScope | undefined,
  generate: (options: GenerationOptions) => Promise<GenerationResult>,
): (options: GenerationOptions) => Promise<GenerationResult> {
  if (!scope) return generate;
  return async (options) => {
    const spans = new GenerationSpans(scope);
    try {
      const result = await generate(spans.hooks(options));
      spans.ended(result);
      return result;
    } catch (err) {
      spans.failed(err, options.signal);
      throw err;
    }
  };
}
