/**
 * The OpenAI response shapes both servers answer with, built in one place: completions and
 * their stream chunks, a complete stream assembled into the answer it amounts to, and a stored
 * answer replayed as a stream. The edge's adapters and cache and the appliance's routes build
 * through here, so the two halves cannot drift apart in what a client sees.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatMessage } from "./schemas/chat.ts";
import type { Usage } from "./schemas/common.ts";
import type { Completion } from "./schemas/completions.ts";

export type ChatChoice = ChatCompletion["choices"][number];
export type ChatToolCall = NonNullable<ChatChoice["message"]["tool_calls"]>[number];
export type ChunkChoice = ChatCompletionChunk["choices"][number];
export type CompletionChoice = Completion["choices"][number];

/** What every OpenAI completion and chunk a server emits carries. */
export interface ResponseContext {
  id: string;
  created: number;
  /** The name reported as `model`. */
  model: string;
  /** `system_fingerprint`, written only when given (`null` included: the appliance sends it). */
  systemFingerprint?: string | null;
}

/** The text of a message's content (a string, or its text parts joined; images are not text). */
export function messageText(content: ChatMessage["content"]): string {
  return typeof content === "string"
    ? content
    : (content ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** A tool call's JSON arguments as an object; `{}` when they do not parse (providers want one). */
export function parseToolArguments(args: string): unknown {
  try {
    return JSON.parse(args || "{}");
  } catch {
    return {};
  }
}

/** OpenAI usage from prompt and completion counts. */
export function usageOf(prompt: number, completion: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** The keys every answer and chunk starts with, in OpenAI's order. */
const head = <O extends string>(ctx: ResponseContext, object: O) => ({
  id: ctx.id,
  object,
  created: ctx.created,
  model: ctx.model,
});

const fingerprint = (ctx: ResponseContext) =>
  ctx.systemFingerprint !== undefined ? { system_fingerprint: ctx.systemFingerprint } : {};

/** Options of {@link assistantChoice}. */
export interface AssistantChoiceOptions {
  /** Writes `refusal: null` in the message (the appliance's answers carry it). */
  refusal?: null;
}

/** An assistant choice: `content` null when nothing was said, `tool_calls` only when there are some. */
export function assistantChoice(
  index: number,
  content: string | null,
  toolCalls: ChatToolCall[] | undefined,
  finishReason: ChatChoice["finish_reason"],
  options: AssistantChoiceOptions = {},
): ChatChoice {
  return {
    index,
    message: {
      role: "assistant",
      content,
      ...("refusal" in options ? { refusal: options.refusal } : {}),
      ...(toolCalls && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    logprobs: null,
    finish_reason: finishReason,
  };
}

/** A chat completion stamped with `ctx`'s id, time and model. */
export function chatCompletion(
  ctx: ResponseContext,
  choices: ChatChoice[],
  usage: Usage,
): ChatCompletion {
  return { ...head(ctx, "chat.completion"), ...fingerprint(ctx), choices, usage };
}

/**
 * A chat chunk stamped with `ctx`'s id, time and model; `usage` is written when given (`null`
 * on every chunk but the last when a client asked for `include_usage`).
 */
export function chatChunk(
  ctx: ResponseContext,
  choices: ChunkChoice[],
  usage?: Usage | null,
): ChatCompletionChunk {
  return {
    ...head(ctx, "chat.completion.chunk"),
    ...fingerprint(ctx),
    choices,
    ...(usage !== undefined ? { usage } : {}),
  };
}

/** One choice of a chunk, with OpenAI's `logprobs: null`. */
export function chunkChoice(
  index: number,
  delta: ChunkChoice["delta"],
  finishReason: ChunkChoice["finish_reason"] = null,
): ChunkChoice {
  return { index, delta, logprobs: null, finish_reason: finishReason };
}

/** For streams with one choice: the chunks (one) carrying `delta` and an optional finish reason. */
export function singleChoiceChunks(ctx: ResponseContext) {
  return (
    delta: ChunkChoice["delta"],
    finish: ChunkChoice["finish_reason"] = null,
  ): ChatCompletionChunk[] => [chatChunk(ctx, [{ index: 0, delta, finish_reason: finish }])];
}

/**
 * The chunks that end choice `index` of a stream: its tool calls (when there are any), then its
 * finish reason.
 */
export function choiceEndChunks(
  ctx: ResponseContext,
  index: number,
  toolCalls: ChatToolCall[] | undefined,
  finishReason: ChunkChoice["finish_reason"],
  usage?: null,
): ChatCompletionChunk[] {
  const tools = toolCalls?.length
    ? [
        chatChunk(
          ctx,
          [chunkChoice(index, { tool_calls: toolCalls.map((call, i) => ({ index: i, ...call })) })],
          usage,
        ),
      ]
    : [];
  return [...tools, chatChunk(ctx, [chunkChoice(index, {}, finishReason)], usage)];
}

/** A legacy text completion (or one of its stream chunks) stamped with `ctx`; `usage` when set. */
export function textCompletion(
  ctx: ResponseContext,
  choices: CompletionChoice[],
  usage?: Usage | null,
): Completion {
  return { ...head(ctx, "text_completion"), choices, ...(usage ? { usage } : {}) };
}

/** The last chunk of a stream, carrying usage, when the client asked for `include_usage`. */
export function usageChunk(
  kind: "chat" | "completion",
  ctx: ResponseContext,
  usage: Usage,
): ChatCompletionChunk | Completion {
  return kind === "chat" ? chatChunk(ctx, [], usage) : textCompletion(ctx, [], usage);
}

/** The context an answer or chunk was stamped with (`system_fingerprint` only when set). */
function contextOf(body: ChatCompletion | ChatCompletionChunk | Completion): ResponseContext {
  const systemFingerprint = "system_fingerprint" in body ? body.system_fingerprint : undefined;
  return {
    id: body.id,
    created: body.created,
    model: body.model,
    ...(systemFingerprint ? { systemFingerprint } : {}),
  };
}

/** Builds the ChatCompletion that a complete stream of chunks amounts to; null when cut short. */
export function assembleChat(chunks: ChatCompletionChunk[], usage: Usage): ChatCompletion | null {
  const first = chunks[0];
  if (!first) return null;
  const choices = new Map<
    number,
    {
      content: string;
      tools: Map<number, ChatToolCall>;
      finish: ChatChoice["finish_reason"] | null;
    }
  >();
  for (const chunk of chunks) {
    for (const c of chunk.choices) {
      let choice = choices.get(c.index);
      if (!choice) {
        choice = { content: "", tools: new Map(), finish: null };
        choices.set(c.index, choice);
      }
      choice.content += c.delta.content ?? "";
      for (const t of c.delta.tool_calls ?? []) {
        const call = choice.tools.get(t.index) ?? {
          id: "",
          type: "function" as const,
          function: { name: "", arguments: "" },
        };
        if (t.id) call.id = t.id;
        call.function.name += t.function.name ?? "";
        call.function.arguments += t.function.arguments ?? "";
        choice.tools.set(t.index, call);
      }
      if (c.finish_reason) choice.finish = c.finish_reason;
    }
  }
  const out: ChatChoice[] = [];
  for (const [index, choice] of [...choices].sort(([a], [b]) => a - b)) {
    // A choice without its finish reason did not complete: such a stream is not an answer.
    if (!choice.finish) return null;
    const tools = [...choice.tools].sort(([a], [b]) => a - b).map(([, call]) => call);
    const content = tools.length > 0 && choice.content === "" ? null : choice.content;
    out.push(assistantChoice(index, content, tools, choice.finish));
  }
  return chatCompletion(contextOf(first), out, usage);
}

/** Builds the Completion that a complete stream of legacy completion chunks amounts to. */
export function assembleCompletion(chunks: Completion[], usage: Usage): Completion | null {
  const first = chunks[0];
  if (!first) return null;
  const choices = new Map<
    number,
    { text: string; finish: CompletionChoice["finish_reason"] | null }
  >();
  for (const chunk of chunks) {
    for (const c of chunk.choices) {
      const choice = choices.get(c.index) ?? { text: "", finish: null };
      choice.text += c.text;
      if (c.finish_reason) choice.finish = c.finish_reason;
      choices.set(c.index, choice);
    }
  }
  const out: CompletionChoice[] = [];
  for (const [index, choice] of [...choices].sort(([a], [b]) => a - b)) {
    if (!choice.finish) return null;
    out.push({ index, text: choice.text, logprobs: null, finish_reason: choice.finish });
  }
  return textCompletion(contextOf(first), out, usage);
}

/**
 * The chunks a stored chat answer is replayed as: per choice its role, content, tool calls and
 * finish reason; then usage when asked for.
 */
export function replayChat(body: ChatCompletion, includeUsage: boolean): ChatCompletionChunk[] {
  const ctx = contextOf(body);
  const chunks: ChatCompletionChunk[] = [];
  for (const choice of body.choices) {
    const { content, tool_calls: tools } = choice.message;
    chunks.push(chatChunk(ctx, [chunkChoice(choice.index, { role: "assistant", content: "" })]));
    if (content) chunks.push(chatChunk(ctx, [chunkChoice(choice.index, { content })]));
    chunks.push(...choiceEndChunks(ctx, choice.index, tools, choice.finish_reason));
  }
  if (includeUsage) chunks.push(chatChunk(ctx, [], body.usage));
  return chunks;
}

/** The chunks a stored legacy completion is replayed as. */
export function replayCompletion(body: Completion, includeUsage: boolean): Completion[] {
  const ctx = contextOf(body);
  const chunks = body.choices.map((choice) => textCompletion(ctx, [choice]));
  if (includeUsage && body.usage) chunks.push(textCompletion(ctx, [], body.usage));
  return chunks;
}
