import {
  type ChatHistoryItem,
  type ChatModelFunctions,
  LlamaChat,
  type Token,
} from "node-llama-cpp";
import type { ChatCompletionRequest } from "../../../shared/api/schemas/chat.ts";
import { toChatHistory } from "../chat-format.ts";
import type { ModelLease } from "../loaded-model.ts";
import {
  fromFunctionCalls,
  type GeneratedToolCall,
  parseForcedCall,
  planTools,
  type ToolPlan,
  withToolInstructions,
} from "../tools.ts";
import { type ChoiceTurn, generateChoices } from "./choices.ts";
import { closeWithinBudget, type JsonBudget, planJsonBudget } from "./json-budget.ts";
import { llamaSampling, outputBudget, sampleWithStops } from "./sampling.ts";
import {
  type Constraint,
  responseFormatConstraint,
  sampleValidJson,
  schemaConstraint,
} from "./structured-output.ts";
import type { GeneratedChoice, GenerationOptions, GenerationResult } from "./types.ts";

/** A chat request checked against its model: every 4xx is raised while planning. */
interface ChatPlan {
  req: ChatCompletionRequest;
  lease: ModelLease;
  history: ChatHistoryItem[];
  tools: ToolPlan;
  /** Functions the model's own template documents (`tool_choice: "auto"`). */
  functions?: ChatModelFunctions;
  /** The prompt as LlamaChat evaluates it (the history under the model's template). */
  prompt: Token[];
  maxTokens: number;
  constraint?: Constraint;
  /** How a constrained value is kept within `maxTokens` (not with functions: no grammar then). */
  jsonBudget?: JsonBudget;
}

/** A chat completion on a leased model. */
export async function runChat(
  lease: ModelLease,
  req: ChatCompletionRequest,
  options: GenerationOptions,
): Promise<GenerationResult> {
  const plan = await planChat(lease, req);
  const chatPlan = {
    count: req.n ?? 1,
    promptTokens: plan.prompt.length,
    promptOf: () => plan.prompt,
    seeded: req.seed != null,
  };
  return generateChoices(lease, chatPlan, options, (turn) => chatChoice(plan, turn, options));
}

/**
 * Chat messages under the leased model's own template, tokenized as LlamaChat does on its first
 * evaluation (the history ends with the open model response; functions documented as given).
 */
export function chatPrompt(
  lease: ModelLease,
  history: ChatHistoryItem[],
  functions?: ChatModelFunctions,
): Token[] {
  const { chatWrapper, model } = lease.loaded;
  return chatWrapper
    .generateContextState({ chatHistory: history, availableFunctions: functions })
    .contextText.tokenize(model.tokenizer);
}

async function planChat(lease: ModelLease, req: ChatCompletionRequest): Promise<ChatPlan> {
  const tools = planTools(req, lease.loaded.chatWrapper);
  const history = withToolInstructions(toChatHistory(req.messages), tools);
  const functions = tools.mode === "auto" ? tools.functions : undefined;
  const prompt = chatPrompt(lease, history, functions);
  const requested = req.max_completion_tokens ?? req.max_tokens;
  const maxTokens = outputBudget(lease.loaded.contextSize, prompt.length, requested);
  const llama = lease.model.llama;
  const constraint =
    tools.mode === "forced"
      ? await schemaConstraint(llama, tools.schema, "tools")
      : await responseFormatConstraint(llama, req.response_format);
  const jsonBudget =
    constraint && !functions
      ? planJsonBudget(lease.model, constrainedSchema(req, tools), maxTokens, limitParam(req))
      : undefined;
  return { req, lease, history, tools, functions, prompt, maxTokens, constraint, jsonBudget };
}

/** The schema a constrained chat follows; undefined for any JSON object. */
function constrainedSchema(
  req: ChatCompletionRequest,
  tools: ToolPlan,
): Record<string, unknown> | undefined {
  if (tools.mode === "forced") return tools.schema;
  const format = req.response_format;
  return format?.type === "json_schema" ? format.json_schema.schema : undefined;
}

/** The request field that limits output, if the client set one. */
function limitParam(req: ChatCompletionRequest) {
  if (req.max_completion_tokens != null) return "max_completion_tokens" as const;
  return req.max_tokens != null ? ("max_tokens" as const) : undefined;
}

async function chatChoice(
  plan: ChatPlan,
  turn: ChoiceTurn,
  options: GenerationOptions,
): Promise<GeneratedChoice> {
  const { constraint, req } = plan;
  if (!constraint) {
    const { generated, calls } = await sampleChat(plan, turn, options, req.seed, true);
    return calls.length > 0
      ? { ...generated, toolCalls: calls, finishReason: "tool_calls" }
      : generated;
  }
  const clientMaxTokens = req.max_completion_tokens ?? req.max_tokens;
  const { generated, valid } = await sampleValidJson(
    constraint,
    clientMaxTokens,
    async (attempt) => {
      const seed = req.seed == null ? undefined : req.seed + attempt;
      return (await sampleChat(plan, turn, options, seed, false)).generated;
    },
  );
  if (plan.tools.mode === "forced" && valid) {
    return { text: "", toolCalls: [parseForcedCall(generated.text)], finishReason: "tool_calls" };
  }
  // Constrained output is checked before anything is sent, so it is released whole.
  options.onText?.(turn.choice, generated.text);
  return generated;
}

/** One sampling pass of a chat choice, with the function calls the model made. */
async function sampleChat(
  plan: ChatPlan,
  turn: ChoiceTurn,
  options: GenerationOptions,
  seed: number | null | undefined,
  stream: boolean,
): Promise<{ generated: GeneratedChoice; calls: GeneratedToolCall[] }> {
  const { req, functions, tools } = plan;
  const chat = new LlamaChat({
    contextSequence: turn.sequence,
    chatWrapper: plan.lease.loaded.chatWrapper,
    autoDisposeSequence: false,
  });
  let calls: GeneratedToolCall[] = [];
  const steering =
    plan.jsonBudget &&
    closeWithinBudget(plan.lease.model, turn.sequence, plan.jsonBudget, plan.maxTokens);
  try {
    const generated = await sampleWithStops(
      { choice: turn.choice, options, stop: req.stop, stream },
      async ({ signal, onTextChunk }) => {
        turn.countPrompt();
        const result = await chat.generateResponse(structuredClone(plan.history), {
          ...llamaSampling({ ...req, seed }, plan.maxTokens),
          signal,
          stopOnAbortSignal: true,
          onTextChunk,
          onToken: (tokens: Token[]) => {
            steering?.onToken(tokens);
            turn.countTokens(tokens.length);
          },
          // Function calling and a grammar exclude each other in node-llama-cpp.
          ...(functions
            ? {
                functions,
                maxParallelFunctionCalls: tools.mode === "auto" ? tools.maxParallel : undefined,
              }
            : { grammar: plan.constraint?.grammar, tokenBias: steering?.tokenBias }),
        });
        calls = fromFunctionCalls(result.functionCalls ?? []);
        return result.metadata.stopReason;
      },
    );
    return { generated, calls };
  } finally {
    chat.dispose();
  }
}
