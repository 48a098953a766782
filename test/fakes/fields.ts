/**
 * The top-level request fields each real API accepts, so each fake refuses the rest as its
 * provider does (OpenAI, Anthropic, Cohere, Gemini and Bedrock with a 400; Mistral's 422 is in
 * mistral.ts). Lists from each provider's API reference and official SDK request types.
 */

/** OpenAI `POST /v1/chat/completions`. */
export const openAiChatFields = new Set([
  "model",
  "messages",
  "audio",
  "frequency_penalty",
  "function_call",
  "functions",
  "logit_bias",
  "logprobs",
  "max_completion_tokens",
  "max_tokens",
  "metadata",
  "modalities",
  "n",
  "parallel_tool_calls",
  "prediction",
  "presence_penalty",
  "prompt_cache_key",
  "reasoning_effort",
  "response_format",
  "safety_identifier",
  "seed",
  "service_tier",
  "stop",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "user",
  "verbosity",
  "web_search_options",
]);

/** Anthropic `POST /v1/messages`. */
export const anthropicMessageFields = new Set([
  "model",
  "messages",
  "max_tokens",
  "system",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
  "service_tier",
  "container",
  "mcp_servers",
  "context_management",
]);

/** Cohere `POST /v2/chat`. */
export const cohereChatFields = new Set([
  "model",
  "messages",
  "stream",
  "tools",
  "strict_tools",
  "documents",
  "citation_options",
  "response_format",
  "safety_mode",
  "max_tokens",
  "stop_sequences",
  "temperature",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "k",
  "p",
  "logprobs",
  "tool_choice",
  "thinking",
  "priority",
]);

/** Gemini `generateContent` / `streamGenerateContent`. */
export const geminiRequestFields = new Set([
  "contents",
  "tools",
  "toolConfig",
  "safetySettings",
  "systemInstruction",
  "generationConfig",
  "cachedContent",
]);

/** Gemini's `generationConfig`. */
export const geminiGenerationConfigFields = new Set([
  "stopSequences",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "candidateCount",
  "maxOutputTokens",
  "temperature",
  "topP",
  "topK",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseLogprobs",
  "logprobs",
  "enableEnhancedCivicAnswers",
  "speechConfig",
  "thinkingConfig",
  "mediaResolution",
]);

/** Bedrock `Converse` / `ConverseStream` (the model id is in the path). */
export const bedrockConverseFields = new Set([
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "guardrailConfig",
  "projectIdentifier",
  "additionalModelRequestFields",
  "promptVariables",
  "additionalModelResponseFieldPaths",
  "requestMetadata",
  "performanceConfig",
  "serviceTier",
  "outputConfig",
]);

/** Bedrock's `inferenceConfig`. */
export const bedrockInferenceConfigFields = new Set([
  "maxTokens",
  "temperature",
  "topP",
  "stopSequences",
]);

/** Bedrock's content block members (a block holds exactly one). */
export const bedrockContentBlockFields = new Set([
  "text",
  "image",
  "document",
  "video",
  "audio",
  "toolUse",
  "toolResult",
  "guardContent",
  "cachePoint",
  "reasoningContent",
  "citationsContent",
  "searchResult",
]);

/** The first key of `body` not in `allowed`, if any. */
export function unknownField(body: object | undefined, allowed: Set<string>): string | undefined {
  return Object.keys(body ?? {}).find((key) => !allowed.has(key));
}
