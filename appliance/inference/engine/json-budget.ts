/**
 * JSON that ends: a grammar keeps output valid JSON, but cannot count tokens, so a small model
 * can open a string and fill `max_tokens` without closing it. Near the end of the budget the
 * sampler is steered (token bias, read before every token) to close strings, objects and arrays;
 * the grammar still decides what is allowed, so the value stays valid.
 */
import { type LlamaContextSequence, type LlamaModel, type Token, TokenBias } from "node-llama-cpp";
import { ApiError } from "../../../shared/api/errors.ts";
import { JsonScanner, minimalJson } from "../json-shape.ts";

/** How many tokens a constrained generation keeps for closing its value. */
export interface JsonBudget {
  /** Tokens of the smallest valid value (undefined where the schema does not tell). */
  minimalTokens?: number;
  /** Closing starts when fewer tokens than this (plus two per open container) are left. */
  reserve: number;
}

/** Reserve when the schema's smallest value is unknown (recursive references, allOf). */
const UNKNOWN_RESERVE = 48;
/** Room for whitespace, and for a string or container opened just before closing. */
const SLACK = 8;
/** Logit biases while closing: decisive for closers, discouraging what makes the value longer. */
const CLOSE = 30;
const AVOID = -30;
const DISCOURAGE = -10;

/**
 * The token budget of a constrained generation; 400 when the schema's smallest valid value
 * cannot fit in `maxTokens` (naming the client's limit, or the messages when the context is
 * what is short).
 */
export function planJsonBudget(
  model: LlamaModel,
  schema: Record<string, unknown> | undefined,
  maxTokens: number,
  limitParam: "max_tokens" | "max_completion_tokens" | undefined,
): JsonBudget {
  const minimal = minimalJson(schema);
  if (!minimal) return { reserve: UNKNOWN_RESERVE };
  const tokens = (text: string) => model.tokenize(text).length;
  const minimalTokens = tokens(minimal.text);
  if (minimalTokens > maxTokens) {
    const message = `The smallest JSON value the response format allows takes ${minimalTokens} tokens, but only ${maxTokens} are available.`;
    throw limitParam
      ? new ApiError(400, `${message} Raise ${limitParam}.`, {
          param: limitParam,
          code: "max_tokens_too_small",
        })
      : new ApiError(400, `${message} Shorten the messages.`, {
          param: "messages",
          code: "context_length_exceeded",
        });
  }
  // Closing may have to finish a nested part the model just opened, and then the rest.
  const largestPart = Math.max(0, ...minimal.parts.map(tokens));
  return { minimalTokens, reserve: minimalTokens + largestPart + SLACK };
}

/** The biases of one model's vocabulary while closing, by where the value stands. */
interface ClosingBiases {
  none: TokenBias;
  inString: TokenBias;
  inObject: TokenBias;
  inArray: TokenBias;
  /** After the value: only end-of-sequence is left to want. */
  ended: TokenBias;
}

const biasCache = new WeakMap<LlamaModel, ClosingBiases>();

/**
 * Sorts the vocabulary once per model by what each token does to a JSON text. Inside a string:
 * a quote ends it. In an object: `}` ends it; a comma stays neutral, since the grammar demands
 * one while required properties remain. In an array: `]` ends it and a comma is avoided. New
 * objects and arrays and whitespace are avoided, further digits discouraged (a number must end
 * too).
 */
function closingBiases(model: LlamaModel): ClosingBiases {
  const cached = biasCache.get(model);
  if (cached) return cached;
  const biases = {
    none: new TokenBias(model.tokenizer),
    inString: new TokenBias(model.tokenizer),
    inObject: new TokenBias(model.tokenizer),
    inArray: new TokenBias(model.tokenizer),
    ended: new TokenBias(model.tokenizer),
  };
  const metadata = model.fileInfo.metadata as unknown as {
    tokenizer?: { ggml?: { tokens?: readonly unknown[] } };
  };
  const size = metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  for (let id = 0; id < size; id++) {
    const token = id as Token;
    const text = model.detokenize([token]).trim();
    if (text === "") {
      // Whitespace is optional between JSON tokens, in node-llama-cpp's grammars and llama.cpp's.
      for (const bias of [biases.inObject, biases.inArray, biases.ended])
        bias.set(token, { logit: AVOID });
      continue;
    }
    // A quote, possibly with the containers it then closes.
    if (/^"[}\]]*$/.test(text)) biases.inString.set(token, { logit: CLOSE });
    if (/^}[}\]]*$/.test(text)) biases.inObject.set(token, { logit: CLOSE });
    if (/^][}\]]*$/.test(text)) biases.inArray.set(token, { logit: CLOSE });
    if (text === ",") biases.inArray.set(token, { logit: AVOID });
    if (/^[{[]/.test(text)) {
      biases.inObject.set(token, { logit: AVOID });
      biases.inArray.set(token, { logit: AVOID });
    }
    if (/^[0-9.eE+-]+$/.test(text)) {
      biases.inObject.set(token, { logit: DISCOURAGE });
      biases.inArray.set(token, { logit: DISCOURAGE });
    }
  }
  biasCache.set(model, biases);
  return biases;
}

/** What steers one sampling pass: node-llama-cpp's `tokenBias`, and its `onToken` feed. */
export interface BudgetSteering {
  tokenBias: () => TokenBias;
  onToken: (tokens: readonly Token[]) => void;
}

/**
 * Steers one sampling pass on `sequence`: neutral until the budget runs low, then pushing
 * towards the end of the value. `tokenBias` is called before every sampled token. Where the
 * value stands is read from two prefixes of the same token stream, whichever is longer: the
 * tokens `onToken` reports (current, unless node-llama-cpp holds them back to match stop
 * triggers) and the sequence's own tokens (always complete, but one token behind the sampler,
 * since they include a batch only once it is decoded; the prompt shows at the second call).
 */
export function closeWithinBudget(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  budget: JsonBudget,
  maxTokens: number,
): BudgetSteering {
  const biases = closingBiases(model);
  const scanner = new JsonScanner();
  const heard: Token[] = [];
  let calls = 0;
  let start = 0;
  let fed = 0;
  let closing = false;
  const tokenBias = () => {
    calls++;
    if (calls === 1) return biases.none;
    const context = sequence.contextTokens;
    if (calls === 2) start = context.length;
    const stream = heard.length >= context.length - start ? heard : context.slice(start);
    for (; fed < stream.length; fed++) scanner.push(model.detokenize([stream[fed] as Token]));
    const sampled = calls - 1;
    closing ||= sampled + budget.reserve + 2 * scanner.depth >= maxTokens;
    if (!closing) return biases.none;
    if (scanner.inString) return biases.inString;
    if (scanner.container === "{") return biases.inObject;
    if (scanner.container === "[") return biases.inArray;
    return scanner.closed ? biases.ended : biases.none;
  };
  return { tokenBias, onToken: (tokens) => heard.push(...tokens) };
}
