/**
 * The model catalogue: per `provider/model`, what it can do (chat, embeddings, vision, tools,
 * JSON), its context window and its list prices per million tokens, with the date the prices
 * were taken. The edge ships {@link BUILT_IN_CATALOGUE} as example data; the operator updates or
 * extends it with the `MODEL_CATALOGUE` var (the same shape; its entries replace the built-in
 * ones of the same name). Budgets and cost metering price direct names and alias targets from
 * it; an alias target's own price in the routing policy still wins.
 */
import { z } from "zod";
import { type ModelCapability, modelCapabilities } from "../../shared/api/schemas/models.ts";
import { parseJsonConfig } from "../lib/json-config.ts";

const capabilities = modelCapabilities;
export type Capability = ModelCapability;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");

export const CatalogueEntry = z.object({
  capabilities: z.array(z.enum(capabilities)).min(1),
  /** The context window in tokens. */
  contextTokens: z.number().int().positive().optional(),
  /** USD per million input / output tokens. */
  inputPerMillion: z.number().min(0).optional(),
  outputPerMillion: z.number().min(0).optional(),
  /** When these prices were taken (default: the catalogue's `pricesAsOf`). */
  pricesAsOf: Day.optional(),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const Catalogue = z.object({
  /** The format's version. */
  version: z.literal(1),
  /** When the prices were taken, unless an entry says otherwise. */
  pricesAsOf: Day,
  models: z.record(z.string().regex(/^[a-z0-9-]+\/.+$/, "must be provider/model"), CatalogueEntry),
});
export type Catalogue = z.infer<typeof Catalogue>;

const chatAll: Capability[] = ["chat", "vision", "tools", "json"];
const chatText: Capability[] = ["chat", "tools", "json"];
const embeddings: Capability[] = ["embeddings"];

/**
 * Example data: public list prices as of the date below, for the operator to check and update
 * (`MODEL_CATALOGUE`) before budgets depend on them.
 */
export const BUILT_IN_CATALOGUE: Catalogue = {
  version: 1,
  pricesAsOf: "2025-06-01",
  models: {
    "openai/gpt-4o": {
      capabilities: chatAll,
      contextTokens: 128_000,
      inputPerMillion: 2.5,
      outputPerMillion: 10,
    },
    "openai/gpt-4o-mini": {
      capabilities: chatAll,
      contextTokens: 128_000,
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
    },
    "openai/gpt-4.1": {
      capabilities: chatAll,
      contextTokens: 1_047_576,
      inputPerMillion: 2,
      outputPerMillion: 8,
    },
    "openai/gpt-4.1-mini": {
      capabilities: chatAll,
      contextTokens: 1_047_576,
      inputPerMillion: 0.4,
      outputPerMillion: 1.6,
    },
    "openai/text-embedding-3-small": {
      capabilities: embeddings,
      contextTokens: 8191,
      inputPerMillion: 0.02,
      outputPerMillion: 0,
    },
    "openai/text-embedding-3-large": {
      capabilities: embeddings,
      contextTokens: 8191,
      inputPerMillion: 0.13,
      outputPerMillion: 0,
    },
    "anthropic/claude-3-5-haiku-20241022": {
      capabilities: chatAll,
      contextTokens: 200_000,
      inputPerMillion: 0.8,
      outputPerMillion: 4,
    },
    "anthropic/claude-sonnet-4-20250514": {
      capabilities: chatAll,
      contextTokens: 200_000,
      inputPerMillion: 3,
      outputPerMillion: 15,
    },
    "anthropic/claude-sonnet-4-5": {
      capabilities: chatAll,
      contextTokens: 200_000,
      inputPerMillion: 3,
      outputPerMillion: 15,
    },
    "gemini/gemini-2.5-flash": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 0.3,
      outputPerMillion: 2.5,
    },
    "gemini/gemini-2.0-flash": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 0.1,
      outputPerMillion: 0.4,
    },
    "gemini/gemini-2.5-pro": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 1.25,
      outputPerMillion: 10,
    },
    "gemini/text-embedding-004": {
      capabilities: embeddings,
      contextTokens: 2048,
      inputPerMillion: 0,
      outputPerMillion: 0,
    },
    // Gemini on Vertex AI: Vertex's own list prices (2.0 Flash costs more there).
    "vertex/gemini-2.5-flash": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 0.3,
      outputPerMillion: 2.5,
    },
    "vertex/gemini-2.5-pro": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 1.25,
      outputPerMillion: 10,
    },
    "vertex/gemini-2.0-flash": {
      capabilities: chatAll,
      contextTokens: 1_048_576,
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
    },
    "vertex/gemini-embedding-001": {
      capabilities: embeddings,
      contextTokens: 2048,
      inputPerMillion: 0.15,
      outputPerMillion: 0,
    },
    // Priced per 1,000 characters ($0.000025): about $0.10 per million tokens.
    "vertex/text-embedding-005": {
      capabilities: embeddings,
      contextTokens: 2048,
      inputPerMillion: 0.1,
      outputPerMillion: 0,
    },
    "mistral/mistral-small-latest": {
      capabilities: chatText,
      contextTokens: 32_000,
      inputPerMillion: 0.1,
      outputPerMillion: 0.3,
    },
    "mistral/mistral-large-latest": {
      capabilities: chatText,
      contextTokens: 128_000,
      inputPerMillion: 2,
      outputPerMillion: 6,
    },
    "mistral/pixtral-12b-2409": {
      capabilities: ["chat", "vision"],
      contextTokens: 128_000,
      inputPerMillion: 0.15,
      outputPerMillion: 0.15,
    },
    "ai21/jamba-large": {
      capabilities: chatText,
      contextTokens: 256_000,
      inputPerMillion: 2,
      outputPerMillion: 8,
    },
    "ai21/jamba-mini": {
      capabilities: chatText,
      contextTokens: 256_000,
      inputPerMillion: 0.2,
      outputPerMillion: 0.4,
    },
    "mistral/mistral-embed": {
      capabilities: embeddings,
      contextTokens: 8192,
      inputPerMillion: 0.1,
      outputPerMillion: 0,
    },
    "cohere/command-a-03-2025": {
      capabilities: ["chat", "tools", "json"],
      contextTokens: 256_000,
      inputPerMillion: 2.5,
      outputPerMillion: 10,
    },
    "cohere/command-r-plus": {
      capabilities: ["chat", "tools", "json"],
      contextTokens: 128_000,
      inputPerMillion: 2.5,
      outputPerMillion: 10,
    },
    "cohere/command-r": {
      capabilities: ["chat", "tools", "json"],
      contextTokens: 128_000,
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
    },
    "cohere/embed-english-v3.0": {
      capabilities: embeddings,
      contextTokens: 512,
      inputPerMillion: 0.1,
      outputPerMillion: 0,
    },
    // Bedrock's on-demand prices in us-east-1; JSON mode needs a forced tool (Claude, Nova, Mistral Large).
    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0": {
      capabilities: chatAll,
      contextTokens: 200_000,
      inputPerMillion: 3,
      outputPerMillion: 15,
    },
    "bedrock/meta.llama3-1-8b-instruct-v1:0": {
      capabilities: ["chat", "tools"],
      contextTokens: 128_000,
      inputPerMillion: 0.22,
      outputPerMillion: 0.22,
    },
  },
};

/**
 * The catalogue in force: the built-in one with the operator's `MODEL_CATALOGUE` (JSON text or
 * an object, the same shape) over it, each operator entry dated by the operator's `pricesAsOf`.
 */
export function readCatalogue(raw: unknown): Catalogue {
  if (raw === undefined || raw === null || raw === "") return BUILT_IN_CATALOGUE;
  const operator = parseJsonConfig("MODEL_CATALOGUE", Catalogue, raw);
  const models: Catalogue["models"] = { ...BUILT_IN_CATALOGUE.models };
  for (const [name, entry] of Object.entries(operator.models)) {
    models[name] = { ...entry, pricesAsOf: entry.pricesAsOf ?? operator.pricesAsOf };
  }
  return { version: 1, pricesAsOf: BUILT_IN_CATALOGUE.pricesAsOf, models };
}

/**
 * What the catalogue says of a model name: its own entry, or for an alias what its targets
 * together offer (any of them may answer: the capabilities of at least one, the smallest
 * context). Undefined when the catalogue knows none of it.
 */
export function describeModel(
  catalogue: Catalogue,
  targets: readonly string[],
): { capabilities: Capability[]; context_length?: number } | undefined {
  const entries = targets
    .map((name) => catalogueEntry(catalogue, name))
    .filter((entry) => entry !== undefined);
  if (entries.length === 0) return undefined;
  const offered = new Set(entries.flatMap((e) => e.capabilities));
  const contexts = entries.map((e) => e.contextTokens);
  const known = contexts.every((n) => n !== undefined);
  return {
    capabilities: capabilities.filter((cap) => offered.has(cap)),
    ...(known && entries.length === targets.length
      ? { context_length: Math.min(...(contexts as number[])) }
      : {}),
  };
}

/** The entry of `provider/model`, or undefined when the catalogue does not know it. */
export function catalogueEntry(catalogue: Catalogue, model: string): CatalogueEntry | undefined {
  return Object.hasOwn(catalogue.models, model) ? catalogue.models[model] : undefined;
}
