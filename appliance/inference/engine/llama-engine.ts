import type { ChatCompletionRequest } from "../../../shared/api/schemas/chat.ts";
import type { CompletionRequest } from "../../../shared/api/schemas/completions.ts";
import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import { toChatHistory } from "../chat-format.ts";
import type { ModelLease, SequenceLease } from "../loaded-model.ts";
import type { ModelHost } from "../model-host.ts";
import { chatPrompt, runChat } from "./chat.ts";
import { completionPrompts, runCompletion } from "./completion.ts";
import { runEmbedding } from "./embedding.ts";
import { EngineEvents } from "./events.ts";
import type {
  EmbeddingResult,
  Engine,
  GenerationOptions,
  GenerationResult,
  PromptMeasure,
} from "./types.ts";

/** Options of {@link LlamaEngine}. */
export interface LlamaEngineOptions {
  /** Where an event listener's error goes (it never fails the request). */
  onListenerError?: (err: unknown) => void;
}

/**
 * The engine on node-llama-cpp: each call pins its model from the host for as long as it runs,
 * and each choice holds one sequence of the model's pool while it generates (the pool decodes
 * all active sequences together). Chat, completion and embedding live in their own modules.
 */
export class LlamaEngine implements Engine {
  readonly events: EngineEvents;
  #nextId = 1;

  constructor(
    private readonly host: ModelHost,
    options: LlamaEngineOptions = {},
  ) {
    this.events = new EngineEvents(options.onListenerError);
  }

  chat(req: ChatCompletionRequest, options: GenerationOptions): Promise<GenerationResult> {
    return this.#generation(req.model, options, (lease, observed) => runChat(lease, req, observed));
  }

  complete(req: CompletionRequest, options: GenerationOptions): Promise<GenerationResult> {
    // Refused before the model is loaded, as any malformed request.
    completionPrompts(req);
    return this.#generation(req.model, options, (lease, observed) =>
      runCompletion(lease, req, observed),
    );
  }

  embed(req: EmbeddingRequest): Promise<EmbeddingResult> {
    return this.#withModel(req.model, (lease) => runEmbedding(lease, req));
  }

  measurePrompts(
    model: string,
    prompts: ChatCompletionRequest["messages"][],
  ): Promise<PromptMeasure> {
    return this.#withModel(model, async (lease) => ({
      model: lease.row.name,
      promptTokens: prompts.map((messages) => chatPrompt(lease, toChatHistory(messages)).length),
      tokensPerSecond: lease.loaded.throughput.tokensPerSecond(),
      contextSize: lease.loaded.contextSize,
    }));
  }

  async withSequence<T>(
    model: string,
    signal: AbortSignal,
    fn: (lease: SequenceLease) => Promise<T>,
  ): Promise<T> {
    const lease = await this.host.acquire(model, { signal });
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  async #withModel<T>(model: string, fn: (lease: ModelLease) => Promise<T>): Promise<T> {
    const lease = await this.host.pin(model);
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  /** Runs a generation on a pinned model and reports it through `events`. */
  async #generation(
    requested: string,
    options: GenerationOptions,
    run: (lease: ModelLease, options: GenerationOptions) => Promise<GenerationResult>,
  ): Promise<GenerationResult> {
    const id = this.#nextId++;
    const priority = options.priority ?? "interactive";
    let model = requested;
    let version = "";
    this.events.emit("start", { id, model, priority, at: performance.now() });
    const observed: GenerationOptions = {
      ...options,
      onStart: (served) => {
        model = served.model;
        version = String(served.version);
        options.onStart?.(served);
      },
      onPrompt: (prompt) => {
        const at = performance.now();
        this.events.emit("prompt", { id, model, version, priority, ...prompt, at });
        options.onPrompt?.(prompt);
      },
      onTokens: (count) => {
        this.events.emit("tokens", { id, model, version, priority, count, at: performance.now() });
        options.onTokens?.(count);
      },
    };
    let ok = false;
    try {
      const result = await this.#withModel(requested, (lease) => run(lease, observed));
      ok = true;
      return result;
    } finally {
      this.events.emit("end", { id, model, version, priority, ok, at: performance.now() });
    }
  }
}
