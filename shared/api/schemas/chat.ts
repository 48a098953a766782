import { z } from "@hono/zod-openapi";
import {
  Choices,
  FinishReason,
  MaxTokens,
  ModelName,
  Penalty,
  Seed,
  Stop,
  StreamOptions,
  Temperature,
  TopP,
  Usage,
} from "./common.ts";

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
/** Message content: a string or an array of text parts. */
const Content = z.union([z.string(), z.array(TextPart).min(1)]);

/** An image by URL: `https://…`, or the bytes themselves as a `data:image/…;base64,` URI. */
export const ImagePart = z
  .object({
    type: z.literal("image_url"),
    image_url: z.object({
      url: z.string().regex(/^(https?:\/\/|data:)/i, "must be an http(s) URL or a data: URI"),
      detail: z.enum(["auto", "low", "high"]).optional(),
    }),
  })
  .openapi("ImagePart");
export type ImagePart = z.infer<typeof ImagePart>;

/**
 * An image part as parsed: `text` is never there (the object schema strips unknown keys); typed
 * so, code that joins `part.text` over every part reads an image as no text.
 */
type ParsedImagePart = ImagePart & { text?: undefined };

/** A user message's content: text, or text and image parts (images go where a model takes them). */
const UserContent: z.ZodType<string | ({ type: "text"; text: string } | ParsedImagePart)[]> =
  z.union([z.string(), z.array(z.discriminatedUnion("type", [TextPart, ImagePart])).min(1)]);

const FunctionCall = z.object({ name: z.string().min(1), arguments: z.string() });
export const ToolCall = z
  .object({ id: z.string(), type: z.literal("function"), function: FunctionCall })
  .openapi("ToolCall");
export type ToolCall = z.infer<typeof ToolCall>;

export const ChatMessage = z
  .discriminatedUnion("role", [
    z.object({ role: z.literal("system"), content: Content, name: z.string().optional() }),
    z.object({ role: z.literal("developer"), content: Content, name: z.string().optional() }),
    z.object({ role: z.literal("user"), content: UserContent, name: z.string().optional() }),
    z.object({
      role: z.literal("assistant"),
      content: Content.nullish(),
      name: z.string().optional(),
      tool_calls: z.array(ToolCall).optional(),
    }),
    z.object({ role: z.literal("tool"), content: Content, tool_call_id: z.string() }),
  ])
  .openapi("ChatMessage");
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A JSON Schema object, as sent by clients; checked for shape where it is compiled. */
const JsonSchemaObject = z.record(z.string(), z.unknown());

export const ResponseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: JsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

export const Tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"),
    description: z.string().optional(),
    parameters: JsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});
export type Tool = z.infer<typeof Tool>;

export const ToolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);
export type ToolChoice = z.infer<typeof ToolChoice>;

export const ChatCompletionRequest = z
  .object({
    model: ModelName,
    messages: z.array(ChatMessage).min(1, "messages must hold at least one message"),
    max_tokens: MaxTokens,
    max_completion_tokens: MaxTokens,
    temperature: Temperature,
    top_p: TopP,
    n: Choices,
    stop: Stop,
    seed: Seed,
    stream: z.boolean().nullish(),
    stream_options: StreamOptions,
    presence_penalty: Penalty,
    frequency_penalty: Penalty,
    response_format: ResponseFormat.nullish(),
    tools: z.array(Tool).max(128).nullish(),
    tool_choice: ToolChoice.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    user: z.string().max(256).optional(),
  })
  .openapi("ChatCompletionRequest");
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.string().nullable().optional(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          refusal: z.null().optional(),
          tool_calls: z.array(ToolCall).optional(),
        }),
        logprobs: z.null(),
        finish_reason: FinishReason,
      }),
    ),
    usage: Usage,
  })
  .openapi("ChatCompletion");
export type ChatCompletion = z.infer<typeof ChatCompletion>;

/** One SSE chunk of a streamed chat completion. */
export const ChatCompletionChunk = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.string().nullable().optional(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({
          role: z.literal("assistant").optional(),
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                index: z.number().int(),
                id: z.string().optional(),
                type: z.literal("function").optional(),
                function: z.object({
                  name: z.string().optional(),
                  arguments: z.string().optional(),
                }),
              }),
            )
            .optional(),
        }),
        logprobs: z.null().optional(),
        finish_reason: FinishReason.nullable(),
      }),
    ),
    usage: Usage.nullable().optional(),
  })
  .openapi("ChatCompletionChunk");
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/** The image parts of a request's messages, with the index of the message each is in. */
export function imagePartsOf(
  messages: readonly ChatMessage[],
): { message: number; part: ImagePart }[] {
  return messages.flatMap((m, message) =>
    m.role === "user" && Array.isArray(m.content)
      ? m.content.flatMap((part) => (part.type === "image_url" ? [{ message, part }] : []))
      : [],
  );
}
