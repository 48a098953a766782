import type { ChatCompletionRequest } from "../../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import type { CompletionRequest } from "../../../shared/api/schemas/completions.ts";
import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import type { ModelProvenance } from "../../../shared/db/schema/index.ts";
import type { ResolvedModel } from "../../store/queries/models.ts";
import type { RequestPriority, SequenceLease } from "../loaded-model.ts";
import type { GeneratedToolCall } from "../tools.ts";
import type { EngineEvents } from "./events.ts";

/** One generated choice. */
export interface GeneratedChoice {
  text: string;
  finishReason: FinishReason;
  toolCalls?: GeneratedToolCall[];
}

/** What a chat or completion generation returns. */
export interface GenerationResult {
  /** The name the model answers as (`name@N` when a version was asked for or drawn). */
  model: string;
  /** The exact version that generated it. */
  provenance: ModelProvenance;
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
  priority?: RequestPriority;
  /** Tokens generated so far (counted even when the request is later cancelled). */
  onTokens?: (count: number) => void;
  /**
   * Called once the request holds a sequence and is about to generate (past this, no 4xx), with
   * the model as the request resolved it.
   */
  onStart?: (model: ResolvedModel) => void;
  /**
   * Before each sampling pass: prompt tokens the sequence already held (kept in its KV cache)
   * and those it evaluates now.
   */
  onPrompt?: (prompt: PromptTokens) => void;
}

/** A prompt's tokens as one sampling pass meets them. */
export interface PromptTokens {
  /** Already in the sequence's KV cache from an earlier request, so not evaluated again. */
  reused: number;
  /** Evaluated by this pass. */
  evaluated: number;
}

/** Embeddings of a request's inputs, in order. */
export interface EmbeddingResult {
  model: string;
  provenance: ModelProvenance;
  vectors: number[][];
  promptTokens: number;
}

/** Prompt sizes under a model's own chat template, for job estimates. */
export interface PromptMeasure {
  model: string;
  promptTokens: number[];
  /** Recent tokens per busy second, or null without enough history. */
  tokensPerSecond: number | null;
  contextSize: number;
}

/**
 * What the routes, jobs and validators ask of inference. Every call pins its model for as long
 * as it runs; `events` reports generations as they happen (metrics listen there).
 */
export interface Engine {
  readonly events: EngineEvents;
  /**
   * Chat completion. `response_format` JSON and forced tool calls are grammar-constrained,
   * validated, and re-sampled (new seed) when a value still fails validation.
   */
  chat(req: ChatCompletionRequest, options: GenerationOptions): Promise<GenerationResult>;
  /** Legacy text completion. */
  complete(req: CompletionRequest, options: GenerationOptions): Promise<GenerationResult>;
  /** Embeds each input on its own, so a batch equals its texts embedded alone. */
  embed(req: EmbeddingRequest): Promise<EmbeddingResult>;
  /** Prompt tokens of chat messages under a model's template, and its recent speed. Loads it. */
  measurePrompts(
    model: string,
    prompts: ChatCompletionRequest["messages"][],
  ): Promise<PromptMeasure>;
  /**
   * Runs `fn` on one leased sequence of a model, queued like any request (for scoring text
   * rather than generating it, such as perplexity); 404 when the name is unknown.
   */
  withSequence<T>(
    model: string,
    signal: AbortSignal,
    fn: (lease: SequenceLease) => Promise<T>,
  ): Promise<T>;
}
