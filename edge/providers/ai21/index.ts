/**
 * AI21 Studio (Jamba) on the OpenAI-compatible base: `POST {base}/v1/chat/completions` with a
 * bearer key, OpenAI's response and chunk shapes, `[DONE]` at the end and usage on the last
 * chunk. Its request model is narrower than OpenAI's and refuses what it does not know, so the
 * body is built from the fields it takes: message content as a string (text parts joined; no
 * images), no `developer` role or `name`, `json_object` as the only JSON mode (a `json_schema`
 * is a 400), `tool_choice` only as `auto`, no penalties, seed, logprobs or `stream_options`.
 * Errors come as FastAPI's `{"detail": …}`. There is no embeddings route and no model list.
 */
import {
  type ChatCompletionRequest,
  type ChatMessage,
  imagePartsOf,
} from "../../../shared/api/schemas/chat.ts";
import { capabilityError } from "../errors.ts";
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";

/** OpenAI chat fields AI21 takes under the same name and meaning. */
const sentAsIs = ["model", "temperature", "top_p", "max_tokens", "n", "stop", "stream", "tools"];

/** A message's content as the string AI21 takes. */
function contentText(content: ChatMessage["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => ("text" in part ? part.text : "")).join("");
}

/** A message as AI21 takes it. */
function ai21Message(message: ChatMessage): Record<string, unknown> {
  const content = contentText(message.content);
  switch (message.role) {
    case "tool":
      return { role: "tool", content, tool_call_id: message.tool_call_id };
    case "assistant":
      return {
        role: "assistant",
        content,
        ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      };
    case "developer":
      return { role: "system", content };
    default:
      return { role: message.role, content };
  }
}

/** Refuses what AI21 cannot do, before any call. */
function checkSupported(req: ChatCompletionRequest): void {
  if (imagePartsOf(req.messages).length > 0) throw capabilityError("ai21", "image input");
  if (req.logprobs) throw capabilityError("ai21", "logprobs");
  if (req.response_format?.type === "json_schema") {
    throw capabilityError("ai21", "JSON schema output (json_object is supported)");
  }
  const choice = req.tool_choice;
  if (choice != null && choice !== "auto")
    throw capabilityError("ai21", `tool_choice other than "auto"`);
}

export const ai21 = createOpenAiCompatibleProvider({
  name: "ai21",
  defaultBaseUrl: "https://api.ai21.com/studio",
  listsModels: false,
  chat: {
    streamOptions: false,
    body(body, req) {
      checkSupported(req);
      const out: Record<string, unknown> = {};
      for (const key of sentAsIs) if (body[key] != null) out[key] = body[key];
      out.messages = req.messages.map(ai21Message);
      if (req.max_completion_tokens != null) out.max_tokens = req.max_completion_tokens;
      if (req.response_format) out.response_format = { type: req.response_format.type };
      return out;
    },
  },
  embeddings: false,
});
