/**
 * Pure conversions between OpenAI chat messages and node-llama-cpp's chat history, so prompt
 * formatting is tested without loading a model. The chat wrapper (the model's own template)
 * turns the history into tokens.
 */
import type {
  ChatHistoryItem,
  ChatModelFunctionCall,
  ChatModelFunctions,
  ChatModelResponse,
} from "node-llama-cpp";
import { ApiError, invalidRequest } from "../../shared/api/errors.ts";
import { type ChatMessage, imagePartsOf, type Tool } from "../../shared/api/schemas/chat.ts";

/** The text of a message's content (parts joined). */
export function contentText(content: ChatMessage["content"]): string {
  if (content == null) return "";
  return typeof content === "string"
    ? content
    : content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/**
 * The appliance's models read text only: a request with an image part is a 400
 * `unsupported_capability` before any generation starts, not an image silently dropped.
 */
export function refuseImages(messages: readonly ChatMessage[]): void {
  const [image] = imagePartsOf(messages);
  if (!image) return;
  throw new ApiError(400, "The appliance's models do not support image input.", {
    code: "unsupported_capability",
    param: `messages.${image.message}.content`,
  });
}

function parseArguments(raw: string, param: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidRequest(`${param} is not valid JSON.`, param);
  }
}

/**
 * Builds the chat history for a generation: system and developer messages become system items,
 * assistant tool calls become function calls whose results come from the matching tool messages.
 * The history ends with an open model response (continuing a trailing assistant message).
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  refuseImages(messages);
  const history: ChatHistoryItem[] = [];
  const pendingCalls = new Map<string, ChatModelFunctionCall>();
  messages.forEach((message, index) => {
    switch (message.role) {
      case "system":
      case "developer":
        history.push({ type: "system", text: contentText(message.content) });
        break;
      case "user":
        history.push({ type: "user", text: contentText(message.content) });
        break;
      case "assistant": {
        const response: ChatModelResponse["response"] = [];
        const text = contentText(message.content);
        if (text) response.push(text);
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          const item: ChatModelFunctionCall = {
            type: "functionCall",
            name: call.function.name,
            params: parseArguments(
              call.function.arguments,
              `messages.${index}.tool_calls.${callIndex}.function.arguments`,
            ),
            result: undefined,
          };
          pendingCalls.set(call.id, item);
          response.push(item);
        });
        history.push({ type: "model", response });
        break;
      }
      case "tool": {
        const call = pendingCalls.get(message.tool_call_id);
        if (!call) {
          throw invalidRequest(
            `messages.${index}.tool_call_id '${message.tool_call_id}' does not answer a tool call of an earlier assistant message.`,
            `messages.${index}.tool_call_id`,
          );
        }
        const text = contentText(message.content);
        try {
          call.result = JSON.parse(text);
        } catch {
          call.result = text;
        }
        pendingCalls.delete(message.tool_call_id);
        break;
      }
    }
  });
  const last = history[history.length - 1];
  if (last?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

/** OpenAI tools as node-llama-cpp function definitions. */
export function toChatFunctions(tools: readonly Tool[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const tool of tools) {
    functions[tool.function.name] = {
      description: tool.function.description,
      params: tool.function.parameters as ChatModelFunctions[string]["params"],
    };
  }
  return functions;
}

/** Normalises `stop` to a list. */
export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop == null) return [];
  return typeof stop === "string" ? [stop] : stop;
}
