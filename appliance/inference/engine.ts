import type { ValidateFunction } from "ajv";
import {
  type ChatHistoryItem,
  LlamaChat,
  LlamaCompletion,
  type LlamaContextSequence,
  type LlamaGrammar,
  type Token,
} from "node-llama-cpp";
import { ApiError, invalidRequest } from "../../shared/api/errors.ts";
import type { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../shared/api/schemas/common.ts";
import type { CompletionRequest } from "../../shared/api/schemas/completions.ts";
import type { EmbeddingRequest } from "../../shared/api/schemas/embeddings.ts";
import { stopList, toChatHistory } from "./chat-format.ts";
import { compileResponseSchema, isValidJson } from "./json-schema.ts";
import type { LoadedModel, ModelHost } from "./model-host.ts";
import { StopStringMatcher } from "./stop-strings.ts";
import {
  fromFunctionCalls,
  type GeneratedToolCall,
  parseForcedCall,
  planTools,
  withToolInstructions,
} from "./tools.ts";

/** One generated choice. */
export interface GeneratedChoice {
  text: string;
  finishReason: FinishReason;
  toolCalls?: GeneratedToolCall[];
}

/** Output constrained by a grammar and checked by a validator. */
interface Constraint {
  grammar: LlamaGrammar;
  validate?: ValidateFunction;
}

/** What a chat or completion generation returns. */
export interface GenerationResult {
  model: string;
  choices: GeneratedChoice[];
  usage: Usage;
}

/** Callbacks and limits of one generation. */
export interface GenerationOptions {
  /** Aborted when the client disconnects or the request times out. */
  signal: AbortSignal;
  /** Text as it is generated, per choice (streaming). */
  onText?: (choiceIndex: number, text: string) => void;
  /** Job work yields to interactive requests for the same model. */
  priority?: "interactive" | "batch";
  /** Tokens generated so far (counted even when the request is later cancelled). */
  onTokens?: (count: number) => void;
  /** Called once the request holds a sequence and is about to generate: past this, no 4xx. */
  onStart?: (model: string) => void;
}

type Sampling = {
  maxTokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  stop?: string | string[] | null;
};

const MAX_JSON_ATTEMPTS = 4;

function samplingOptions(req: Sampling, maxTokens: number) {
  const penalties = req.presence_penalty || req.frequency_penalty;
  return {
    maxTokens,
    temperature: req.temperature ?? 1,
    topP: req.top_p ?? undefined,
    seed: req.seed ?? undefined,
    repeatPenalty: penalties
      ? { presencePenalty: req.presence_penalty ?? 0, frequencyPenalty: req.frequency_penalty ?? 0 }
      : undefined,
  };
}

function finishReason(stopReason: string): FinishReason {
  if (stopReason === "maxTokens") return "length";
  if (stopReason === "functionCalls") return "tool_calls";
  return "stop";
}

/** Room left for output; 400 when the prompt alone does not fit. */
function outputBudget(
  loaded: LoadedModel,
  promptTokens: number,
  requested: number | null | undefined,
): number {
  const room = loaded.contextSize - promptTokens - 1;
  if (room < 1) {
    throw new ApiError(
      400,
      `This model's context holds ${loaded.contextSize} tokens, but the prompt has ${promptTokens}. Shorten the messages.`,
      { param: "messages", code: "context_length_exceeded" },
    );
  }
  return Math.min(room, requested ?? room);
}

/**
 * Runs chat, completion and embedding requests on loaded models. Each choice holds one sequence
 * of the model's pool while it generates; the pool decodes all active sequences together.
 */
export class InferenceEngine {
  constructor(private readonly host: ModelHost) {}

  /**
   * Chat completion. `response_format` JSON and forced tool calls are grammar-constrained,
   * validated, and re-sampled (new seed) when a value still fails validation.
   */
  async chat(req: ChatCompletionRequest, options: GenerationOptions): Promise<GenerationResult> {
    const loaded = await this.host.acquire(req.model);
    const plan = planTools(req, loaded.chatWrapper);
    const history = withToolInstructions(toChatHistory(req.messages), plan);
    const functions = plan.mode === "auto" ? plan.functions : undefined;
    const promptTokens = loaded.chatWrapper
      .generateContextState({ chatHistory: history, availableFunctions: functions })
      .contextText.tokenize(loaded.model.tokenizer).length;
    const requested = req.max_completion_tokens ?? req.max_tokens;
    const maxTokens = outputBudget(loaded, promptTokens, requested);
    const constraint =
      plan.mode === "forced"
        ? await this.#schemaGrammar(loaded, plan.schema, "tools")
        : await this.#grammarFor(loaded, req);
    return this.#generate(
      loaded,
      req.n ?? 1,
      promptTokens,
      options,
      async (sequence, choice, count) => {
        for (let attempt = 0; ; attempt++) {
          const chat = new LlamaChat({
            contextSequence: sequence,
            chatWrapper: loaded.chatWrapper,
            autoDisposeSequence: false,
          });
          try {
            const seed = req.seed == null ? undefined : req.seed + attempt;
            let calls: GeneratedToolCall[] = [];
            const generated = await this.#sample(
              choice,
              options,
              req.stop,
              !constraint,
              async (signal, onTextChunk) => {
                const common = {
                  ...samplingOptions({ ...req, seed }, maxTokens),
                  signal,
                  stopOnAbortSignal: true,
                  onTextChunk,
                  onToken: (tokens: Token[]) => count(tokens.length),
                };
                const freshHistory = structuredClone(history) as ChatHistoryItem[];
                if (functions) {
                  const result = await chat.generateResponse(freshHistory, {
                    ...common,
                    functions,
                    maxParallelFunctionCalls: plan.mode === "auto" ? plan.maxParallel : undefined,
                  });
                  calls = fromFunctionCalls(result.functionCalls ?? []);
                  return result.metadata.stopReason;
                }
                const result = await chat.generateResponse(freshHistory, {
                  ...common,
                  grammar: constraint?.grammar,
                });
                return result.metadata.stopReason;
              },
            );
            if (constraint) {
              const invalid = !isValidJson(generated.text, constraint.validate);
              // Without a client max_tokens, "length" means the context filled up: a fresh sample may fit.
              if (invalid && (generated.finishReason === "stop" || requested == null)) {
                if (attempt + 1 < MAX_JSON_ATTEMPTS) continue;
                throw new ApiError(
                  500,
                  `The model produced no valid JSON after ${MAX_JSON_ATTEMPTS} attempts.`,
                  {
                    code: "invalid_model_output",
                  },
                );
              }
              if (plan.mode === "forced" && !invalid) {
                return {
                  text: "",
                  toolCalls: [parseForcedCall(generated.text)],
                  finishReason: "tool_calls" as const,
                };
              }
              // Constrained output is checked before anything is sent, so it is released whole.
              options.onText?.(choice, generated.text);
              return generated;
            }
            if (calls.length > 0)
              return { ...generated, toolCalls: calls, finishReason: "tool_calls" as const };
            return generated;
          } finally {
            chat.dispose();
          }
        }
      },
    );
  }

  /**
   * Prompt tokens of chat messages under a model's own template, and the model's recent
   * throughput (tokens per busy second, or null without enough history). Loads the model.
   */
  async measurePrompts(
    model: string,
    prompts: ChatCompletionRequest["messages"][],
  ): Promise<{
    model: string;
    promptTokens: number[];
    tokensPerSecond: number | null;
    contextSize: number;
  }> {
    const loaded = await this.host.acquire(model);
    const promptTokens = prompts.map(
      (messages) =>
        loaded.chatWrapper
          .generateContextState({ chatHistory: toChatHistory(messages) })
          .contextText.tokenize(loaded.model.tokenizer).length,
    );
    return {
      model: loaded.row.name,
      promptTokens,
      tokensPerSecond: loaded.throughput.tokensPerSecond(),
      contextSize: loaded.contextSize,
    };
  }

  /** Legacy text completion. */
  async complete(req: CompletionRequest, options: GenerationOptions): Promise<GenerationResult> {
    const prompts = typeof req.prompt === "string" ? [req.prompt] : req.prompt;
    if (prompts.length > 1 && (req.n ?? 1) > 1)
      throw invalidRequest("Use either several prompts or n > 1, not both.", "n");
    const loaded = await this.host.acquire(req.model);
    const tokenized = prompts.map((p) => loaded.model.tokenize(p, false).length + 1);
    const promptTokens = tokenized.reduce((a, b) => a + b, 0);
    const maxTokens = outputBudget(loaded, Math.max(...tokenized), req.max_tokens ?? 16);
    const count = prompts.length > 1 ? prompts.length : (req.n ?? 1);
    return this.#generate(
      loaded,
      count,
      promptTokens,
      options,
      async (sequence, choice, countTokens) => {
        const prompt = prompts[prompts.length > 1 ? choice : 0] as string;
        if (req.echo) options.onText?.(choice, prompt);
        const completion = new LlamaCompletion({
          contextSequence: sequence,
          autoDisposeSequence: false,
        });
        try {
          const generated = await this.#sample(
            choice,
            options,
            req.stop,
            true,
            async (signal, onTextChunk) => {
              const result = await completion.generateCompletionWithMeta(prompt, {
                ...samplingOptions(req, maxTokens),
                signal,
                stopOnAbortSignal: true,
                onTextChunk,
                onToken: (tokens: Token[]) => countTokens(tokens.length),
              });
              return result.metadata.stopReason;
            },
          );
          return req.echo ? { ...generated, text: prompt + generated.text } : generated;
        } finally {
          completion.dispose();
        }
      },
    );
  }

  /**
   * Runs `fn` on one leased sequence of a model, queued like any request (for scoring text
   * rather than generating it, such as perplexity). The model's name is resolved as requests'
   * are: 404 when unknown.
   */
  async withSequence<T>(
    modelName: string,
    signal: AbortSignal,
    fn: (loaded: LoadedModel, sequence: LlamaContextSequence) => Promise<T>,
  ): Promise<T> {
    const loaded = await this.host.acquire(modelName);
    loaded.active++;
    try {
      const lease = await loaded.pool.acquire(signal);
      try {
        return await fn(loaded, lease.item);
      } finally {
        lease.release();
      }
    } finally {
      loaded.active--;
      loaded.lastUsed = Date.now();
    }
  }

  /** Embeds each input on its own, so a batch equals its texts embedded alone. */
  async embed(
    req: EmbeddingRequest,
  ): Promise<{ model: string; vectors: number[][]; promptTokens: number }> {
    const loaded = await this.host.acquire(req.model);
    const inputs: (string | Token[])[] =
      typeof req.input === "string"
        ? [req.input]
        : typeof req.input[0] === "number"
          ? [req.input as Token[]]
          : (req.input as (string | Token[])[]);
    const vectors: number[][] = [];
    let promptTokens = 0;
    loaded.active++;
    try {
      for (const [index, input] of inputs.entries()) {
        const tokens = typeof input === "string" ? loaded.model.tokenize(input) : input;
        if (tokens.length > loaded.contextSize) {
          throw new ApiError(
            400,
            `input ${index} has ${tokens.length} tokens; this model embeds at most ${loaded.contextSize}.`,
            {
              param: "input",
              code: "context_length_exceeded",
            },
          );
        }
        promptTokens += tokens.length;
        const embedding = await loaded.withEmbedding((ctx) => ctx.getEmbeddingFor(input));
        vectors.push([...embedding.vector]);
      }
    } finally {
      loaded.active--;
    }
    const dims = vectors[0]?.length ?? 0;
    if (req.dimensions !== undefined && req.dimensions !== dims) {
      throw invalidRequest(
        `This model's embeddings have ${dims} dimensions; dimensions=${req.dimensions} is not available.`,
        "dimensions",
      );
    }
    return { model: loaded.row.name, vectors, promptTokens };
  }

  /**
   * Runs one sampling pass with stop strings matched on the text (see StopStringMatcher): text is
   * released to `onText` as it is decided when `stream` is true, and generation is cut at a stop.
   */
  async #sample(
    choice: number,
    options: GenerationOptions,
    stop: string | string[] | null | undefined,
    stream: boolean,
    generate: (signal: AbortSignal, onTextChunk: (text: string) => void) => Promise<string>,
  ): Promise<GeneratedChoice> {
    const matcher = new StopStringMatcher(stopList(stop));
    const stopper = new AbortController();
    const release = (text: string) => {
      if (stream && text) options.onText?.(choice, text);
    };
    const stopReason = await generate(AbortSignal.any([options.signal, stopper.signal]), (text) => {
      release(matcher.push(text));
      if (matcher.stopped) stopper.abort();
    });
    // stopOnAbortSignal returns quietly; a client disconnect or timeout must still fail.
    options.signal.throwIfAborted();
    release(matcher.flush());
    return {
      text: matcher.text,
      finishReason: matcher.stopped ? "stop" : finishReason(stopReason),
    };
  }

  async #grammarFor(
    loaded: LoadedModel,
    req: ChatCompletionRequest,
  ): Promise<Constraint | undefined> {
    const format = req.response_format;
    if (!format || format.type === "text") return undefined;
    if (format.type === "json_object" || !format.json_schema.schema) {
      return { grammar: await loaded.model.llama.getGrammarFor("json") };
    }
    return this.#schemaGrammar(
      loaded,
      format.json_schema.schema,
      "response_format.json_schema.schema",
    );
  }

  /** A grammar and validator for a JSON Schema; 400 naming `param` when it cannot be enforced. */
  async #schemaGrammar(
    loaded: LoadedModel,
    schema: Record<string, unknown>,
    param: string,
  ): Promise<Constraint> {
    const validate = compileResponseSchema(schema, param);
    const llama = loaded.model.llama;
    try {
      // Checked above as a JSON Schema; node-llama-cpp enforces the subset a grammar can express.
      const gbnfSchema = schema as Parameters<typeof llama.createGrammarForJsonSchema>[0];
      return { grammar: await llama.createGrammarForJsonSchema(gbnfSchema), validate };
    } catch (err) {
      throw invalidRequest(
        `${param} cannot be enforced: ${(err as Error).message}`,
        param,
        "invalid_json_schema",
      );
    }
  }

  /** Generates `count` choices one after another on one leased sequence. */
  async #generate(
    loaded: LoadedModel,
    count: number,
    promptTokens: number,
    options: GenerationOptions,
    run: (
      sequence: LlamaContextSequence,
      choice: number,
      countTokens: (n: number) => void,
    ) => Promise<GeneratedChoice>,
  ): Promise<GenerationResult> {
    let completionTokens = 0;
    loaded.active++;
    try {
      const choices: GeneratedChoice[] = [];
      // Choices run one after another on one lease: a request never holds more than one
      // sequence, so pool and queue sizes bound requests exactly.
      const lease = await loaded.pool.acquire(options.signal, options.priority);
      try {
        options.onStart?.(loaded.row.name);
        for (let choice = 0; choice < count; choice++) {
          // A clean sequence makes a seeded request reproducible whatever ran on it before.
          if (lease.item.nextTokenIndex > 0) await lease.item.clearHistory();
          choices.push(
            await run(lease.item, choice, (n) => {
              completionTokens += n;
              loaded.throughput.record(n);
              options.onTokens?.(n);
            }),
          );
        }
      } finally {
        lease.release();
      }
      return {
        model: loaded.row.name,
        choices,
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      };
    } finally {
      loaded.active--;
      loaded.lastUsed = Date.now();
    }
  }
}
