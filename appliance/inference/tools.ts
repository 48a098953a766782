/**
 * Function calling. With `tool_choice: "auto"` the model's own chat wrapper documents the tools
 * and detects its calls (node-llama-cpp functions). When a call is required (`"required"` or a
 * named function), the output is constrained by a JSON grammar to exactly one call, so any model
 * can be made to call a tool.
 */
import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper } from "node-llama-cpp";
import { ApiError } from "../../shared/api/errors.ts";
import type { ChatCompletionRequest, Tool } from "../../shared/api/schemas/chat.ts";
import { randomId } from "../../shared/auth/api-keys.ts";
import { toChatFunctions } from "./chat-format.ts";

/** How a request uses its tools. */
export type ToolPlan =
  | { mode: "none" }
  | { mode: "auto"; functions: ChatModelFunctions; maxParallel: number | undefined }
  | { mode: "forced"; tools: Tool[]; schema: Record<string, unknown>; instructions: string };

/** A tool call as the API returns it. */
export interface GeneratedToolCall {
  id: string;
  name: string;
  /** JSON text, as OpenAI sends it. */
  arguments: string;
}

/** True when the wrapper knows a syntax for function calls. */
export function wrapperSupportsFunctions(wrapper: ChatWrapper): boolean {
  const call = wrapper.settings.functions?.call;
  return Boolean(call && (typeof call.prefix === "string" ? call.prefix.length > 0 : true));
}

const anyObject = { type: "object" } as const;

/** Decides how a chat request's tools are served; 400 for a choice that names no given tool. */
export function planTools(req: ChatCompletionRequest, wrapper: ChatWrapper): ToolPlan {
  const tools = req.tools ?? [];
  const choice = req.tool_choice ?? (tools.length > 0 ? "auto" : "none");
  if (tools.length === 0) {
    if (choice !== "none") {
      throw new ApiError(400, "tool_choice needs tools.", {
        param: "tool_choice",
        code: "invalid_value",
      });
    }
    return { mode: "none" };
  }
  if (choice === "none") return { mode: "none" };
  if (choice === "auto") {
    if (!wrapperSupportsFunctions(wrapper)) {
      throw new ApiError(
        400,
        `The model's chat template (${wrapper.wrapperName}) has no function-calling syntax; use tool_choice "required" or a named function instead.`,
        { param: "tools", code: "tools_unsupported" },
      );
    }
    return {
      mode: "auto",
      functions: toChatFunctions(tools),
      maxParallel: req.parallel_tool_calls === false ? 1 : undefined,
    };
  }
  const chosen =
    choice === "required"
      ? tools
      : tools.filter((tool) => tool.function.name === choice.function.name);
  if (chosen.length === 0) {
    throw new ApiError(
      400,
      `tool_choice names '${(choice as { function: { name: string } }).function.name}', which is not among tools.`,
      {
        param: "tool_choice",
        code: "invalid_value",
      },
    );
  }
  const variants = chosen.map((tool) => ({
    type: "object",
    properties: {
      name: { const: tool.function.name },
      arguments: tool.function.parameters ?? anyObject,
    },
    required: ["name", "arguments"],
    additionalProperties: false,
  }));
  const schema =
    variants.length === 1 ? (variants[0] as Record<string, unknown>) : { oneOf: variants };
  const catalogue = chosen
    .map(
      (tool) =>
        `- ${tool.function.name}: ${tool.function.description ?? ""} parameters: ${JSON.stringify(tool.function.parameters ?? anyObject)}`,
    )
    .join("\n");
  return {
    mode: "forced",
    tools: chosen,
    schema,
    instructions: `Call one of these functions. Answer only with JSON {"name": ..., "arguments": {...}}.\n${catalogue}`,
  };
}

/** The history with the forced-call instructions in front. */
export function withToolInstructions(
  history: ChatHistoryItem[],
  plan: ToolPlan,
): ChatHistoryItem[] {
  return plan.mode === "forced"
    ? [{ type: "system", text: plan.instructions }, ...history]
    : history;
}

/** Turns a forced call's JSON output into a tool call. */
export function parseForcedCall(text: string): GeneratedToolCall {
  const call = JSON.parse(text) as { name: string; arguments: unknown };
  return { id: `call_${randomId()}`, name: call.name, arguments: JSON.stringify(call.arguments) };
}

/** Turns node-llama-cpp's detected calls into tool calls. */
export function fromFunctionCalls(
  calls: readonly { functionName: string; params: unknown }[],
): GeneratedToolCall[] {
  return calls.map((call) => ({
    id: `call_${randomId()}`,
    name: call.functionName,
    arguments: JSON.stringify(call.params ?? {}),
  }));
}
