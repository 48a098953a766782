/**
 * A cached answer is the complete (non-streamed) response body. A streamed miss is assembled
 * into that form from the chunks the client was sent; a hit asked for as a stream is replayed
 * from it as OpenAI chunks (role, content, tool calls, finish reason, optional usage, `[DONE]`).
 * One form for both means a streamed answer serves a plain request and the other way round.
 */
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import type { Completion } from "../../../shared/api/schemas/completions.ts";
import type { CachedRoute } from "./key.ts";

/** What the cache stores for one request. */
export interface CachedAnswer {
  route: CachedRoute;
  /** The response body as first sent (ChatCompletion, Completion or EmbeddingList). */
  body: Record<string, unknown>;
  /** The target that answered (`provider/model`). */
  target: string | null;
  /** When it was stored (ms since the epoch), for the `age` header. */
  storedAt: number;
}

type ChatChoice = ChatCompletion["choices"][number];
type ToolCall = NonNullable<ChatChoice["message"]["tool_calls"]>[number];

/** Builds the ChatCompletion that a complete stream of chunks amounts to. */
export function assembleChat(chunks: ChatCompletionChunk[], usage: Usage): ChatCompletion | null {
  const first = chunks[0];
  if (!first) return null;
  const choices = new Map<
    number,
    { content: string; tools: Map<number, ToolCall>; finish: ChatChoice["finish_reason"] | null }
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
    out.push({
      index,
      message: {
        role: "assistant",
        content: tools.length > 0 && choice.content === "" ? null : choice.content,
        ...(tools.length > 0 ? { tool_calls: tools } : {}),
      },
      logprobs: null,
      finish_reason: choice.finish,
    });
  }
  return {
    id: first.id,
    object: "chat.completion",
    created: first.created,
    model: first.model,
    ...(first.system_fingerprint ? { system_fingerprint: first.system_fingerprint } : {}),
    choices: out,
    usage,
  };
}

/** Builds the Completion that a complete stream of legacy completion chunks amounts to. */
export function assembleCompletion(chunks: Completion[], usage: Usage): Completion | null {
  const first = chunks[0];
  if (!first) return null;
  const choices = new Map<
    number,
    { text: string; finish: Completion["choices"][0]["finish_reason"] | null }
  >();
  for (const chunk of chunks) {
    for (const c of chunk.choices) {
      const choice = choices.get(c.index) ?? { text: "", finish: null };
      choice.text += c.text;
      if (c.finish_reason) choice.finish = c.finish_reason;
      choices.set(c.index, choice);
    }
  }
  const out: Completion["choices"] = [];
  for (const [index, choice] of [...choices].sort(([a], [b]) => a - b)) {
    if (!choice.finish) return null;
    out.push({ index, text: choice.text, logprobs: null, finish_reason: choice.finish });
  }
  return {
    id: first.id,
    object: "text_completion",
    created: first.created,
    model: first.model,
    choices: out,
    usage,
  };
}

/** The chunks a cached chat answer is replayed as. */
export function replayChat(body: ChatCompletion, includeUsage: boolean): unknown[] {
  const head = {
    id: body.id,
    object: "chat.completion.chunk",
    created: body.created,
    model: body.model,
    ...(body.system_fingerprint ? { system_fingerprint: body.system_fingerprint } : {}),
  };
  const chunk = (index: number, delta: Record<string, unknown>, finish: string | null) => ({
    ...head,
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks: unknown[] = [];
  for (const choice of body.choices) {
    const { content, tool_calls: tools } = choice.message;
    chunks.push(chunk(choice.index, { role: "assistant", content: "" }, null));
    if (content) chunks.push(chunk(choice.index, { content }, null));
    if (tools?.length) {
      chunks.push(
        chunk(choice.index, { tool_calls: tools.map((call, index) => ({ index, ...call })) }, null),
      );
    }
    chunks.push(chunk(choice.index, {}, choice.finish_reason));
  }
  if (includeUsage) chunks.push({ ...head, choices: [], usage: body.usage });
  return chunks;
}

/** The chunks a cached legacy completion is replayed as. */
export function replayCompletion(body: Completion, includeUsage: boolean): unknown[] {
  const head = { id: body.id, object: "text_completion", created: body.created, model: body.model };
  const chunks: unknown[] = body.choices.map((choice) => ({ ...head, choices: [choice] }));
  if (includeUsage && body.usage) chunks.push({ ...head, choices: [], usage: body.usage });
  return chunks;
}
