/**
 * AI21 Studio's chat (Jamba): OpenAI's paths and shapes under `/studio/v1`, a FastAPI request
 * model that refuses unknown fields (./pydantic.ts) and takes content only as a string, errors as
 * `{"detail": …}`, usage on the last chunk of every stream. Field lists are those of AI21's
 * Python SDK (`ai21.models.chat`: the chat request and its message types).
 */
import { type ChatRules, chatValidationErrors, type ValidationError } from "./pydantic.ts";

const ai21Rules: ChatRules = {
  requestFields: new Set([
    "model",
    "messages",
    "temperature",
    "top_p",
    "max_tokens",
    "n",
    "stop",
    "stream",
    "tools",
    "response_format",
    "documents",
  ]),
  messageFields: {
    system: new Set(["role", "content"]),
    user: new Set(["role", "content"]),
    assistant: new Set(["role", "content", "tool_calls"]),
    tool: new Set(["role", "content", "tool_call_id"]),
  },
  contentParts: "string",
};

/** The 422 errors AI21 would answer for this chat body (empty when it would accept it). */
export const ai21ChatErrors = (body: Record<string, unknown>): ValidationError[] => {
  const errors = chatValidationErrors(ai21Rules, body);
  const format = (body.response_format as { type?: unknown } | undefined)?.type;
  if (format !== undefined && format !== "text" && format !== "json_object") {
    errors.push({
      type: "literal_error",
      loc: ["body", "response_format", "type"],
      msg: "Input should be 'text' or 'json_object'",
      input: format,
    });
  }
  return errors;
};

/** AI21's error body: FastAPI's `detail`, words or the validation list. */
export const ai21ErrorBody = (detail: string | ValidationError[]) => ({ detail });
