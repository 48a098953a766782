export { type ChoiceTurn, generateChoices } from "./choices.ts";
export {
  type EngineEventMap,
  EngineEvents,
  type GenerationEnded,
  type GenerationPrompt,
  type GenerationStarted,
  type GenerationTokens,
} from "./events.ts";
export { LlamaEngine, type LlamaEngineOptions } from "./llama-engine.ts";
export type {
  EmbeddingResult,
  Engine,
  GeneratedChoice,
  GenerationOptions,
  GenerationResult,
  PromptMeasure,
  PromptTokens,
} from "./types.ts";
