/**
 * What a fake does is chosen by the model name, so a test inside workerd (which cannot reach the
 * fakes' Node objects) steers them through ordinary requests:
 *
 * - `…err503…`: always that status, in the provider's error shape;
 * - `…flaky429x2…`: that status for the first 2 calls of this exact model name, then success;
 * - `…ra7…`: `Retry-After: 7` on 429 / 503 answers (default 1);
 * - `…cut…`: the socket is destroyed mid-answer; `…noterm…`: a stream ends cleanly but without
 *   its terminal event; `…streamerr…`: an in-band error event mid-stream; `…stall…`: a stream
 *   sends half its chunks, then nothing more while the socket stays open; `…linger…`: a stream
 *   sends everything, terminal event included, but keeps the socket open (Gemini);
 * - `…hang…`: never answers; `…tool…`: answers with a tool call;
 * - `…lat50…`: every call waits 50 ms before it is handled (whatever it then answers), a
 *   provider's fixed latency for benches; it combines with any of the above.
 */
import type { ServerResponse } from "node:http";

/** What to do for one call. */
export type Scenario =
  | { kind: "ok"; tool: boolean }
  | { kind: "error"; status: number; retryAfter: number }
  | { kind: "cut" | "noterm" | "streamerr" | "stall" | "linger" | "hang"; tool: boolean };

/** Decides the scenario of a call to `model` that is its `call`-th. */
export function scenarioFor(model: string, call: number): Scenario {
  const retryAfter = Number(/ra(\d+)/.exec(model)?.[1] ?? 1);
  const err = /err(\d{3})/.exec(model);
  if (err) return { kind: "error", status: Number(err[1]), retryAfter };
  const flaky = /flaky(\d{3})x(\d+)/.exec(model);
  if (flaky && call <= Number(flaky[2])) {
    return { kind: "error", status: Number(flaky[1]), retryAfter };
  }
  const tool = /tool/.test(model);
  for (const kind of ["cut", "noterm", "streamerr", "stall", "linger", "hang"] as const) {
    if (model.includes(kind)) return { kind, tool };
  }
  return { kind: "ok", tool };
}

/** Milliseconds a call to `model` waits before it is handled (`…lat50…`; 0 without). */
export function latencyOf(model: string): number {
  return Number(/lat(\d+)/.exec(model)?.[1] ?? 0);
}

/** A scenario in which the fake answers (with text, a tool call, or a broken stream). */
export type LiveScenario = Exclude<Scenario, { kind: "error" }>;

/**
 * Decides this call's scenario and acts out the ones that need no body: `error` is answered
 * through `sendError` (the provider's error shape), `hang` never is. Returns the scenario the
 * handler goes on with, or undefined when it has nothing more to do.
 */
export function playScenario(
  provider: string,
  model: string,
  call: number,
  sendError: (status: number, message: string, retryAfter: number) => void,
): LiveScenario | undefined {
  const scenario = scenarioFor(model, call);
  if (scenario.kind === "error") {
    sendError(scenario.status, `Fake ${provider} error ${scenario.status}`, scenario.retryAfter);
    return undefined;
  }
  if (scenario.kind === "hang") return undefined; // the socket stays open, unanswered
  return scenario;
}

/** Starts a JSON answer, sends the first bytes of it, then drops the connection. */
export function cutJsonAnswer(res: ServerResponse, start: string): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.write(start);
  cutConnection(res);
}

/**
 * Streams `pieces` through `send` and acts out the broken-stream scenarios half-way: `cut`
 * drops the socket, `noterm` ends cleanly without a terminal event, `stall` goes silent,
 * `streamerr` sends the provider's in-band error (`sendStreamError`). Returns true when the
 * stream should now be finished normally; `last` marks the final piece of such a stream.
 */
export function streamPieces(
  res: ServerResponse,
  scenario: LiveScenario,
  pieces: string[],
  send: (piece: string, last: boolean) => void,
  sendStreamError: () => void,
): boolean {
  const half = Math.ceil(pieces.length / 2);
  for (const piece of pieces.slice(0, half)) send(piece, false);
  switch (scenario.kind) {
    case "cut":
      cutConnection(res);
      return false;
    case "noterm":
      res.end();
      return false;
    case "stall":
      return false; // keeps the socket open, sends nothing more
    case "streamerr":
      sendStreamError();
      res.end();
      return false;
  }
  const rest = pieces.slice(half);
  for (const [i, piece] of rest.entries()) send(piece, i === rest.length - 1);
  return true;
}

/** The text of the last user message (OpenAI, Anthropic and Cohere messages). */
export function lastUserText(messages: { role: string; content?: unknown }[]): string {
  return contentText(messages.findLast((m) => m.role === "user")?.content);
}

/** The reply every fake gives, so tests can check the translated text. */
export function replyText(provider: string, lastUser: string): string {
  return `Hello from ${provider}! You said: ${lastUser}`;
}

/** The reply in stream pieces (words with their trailing space). */
export function replyPieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

/** A crude token count: words. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** A deterministic embedding of a text, exact in float32. */
export function embeddingOf(text: string, index: number): number[] {
  return [text.length, index, 0.25, -0.5];
}

/** The tool call the fakes make in `tool` scenarios. */
export const fakeToolCall = { name: "get_weather", arguments: { city: "Paris" } };

/** A JSON schema, as far as the fake reads one. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

/**
 * A value that fits `schema` (a forced tool's input, as a model would give it): strings from
 * the reply text, the first item of arrays.
 */
export function inputFor(schema: JsonSchema, text: string): unknown {
  switch (schema.type) {
    case "string":
      return text;
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [inputFor(schema.items ?? {}, text)];
    default:
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, inputFor(sub, text)]),
      );
  }
}

/** Writes one SSE event. */
export function writeSse(res: ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
}

/** Sends a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Starts an SSE answer. */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
}

/** Ends the stream by destroying the socket, as a dropped connection would. */
export function cutConnection(res: ServerResponse): void {
  // Let what was written reach the client first, then drop the socket.
  setTimeout(() => res.socket?.destroy(), 20);
}

/** Headers of a 429 / 503 error answer. */
export function retryHeaders(status: number, retryAfter: number): Record<string, string> {
  return status === 429 || status === 503 || status === 529
    ? { "retry-after": String(retryAfter) }
    : {};
}

/** Text of a message content (string or parts). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = part as { text?: unknown; type?: string };
        return typeof p.text === "string" ? p.text : "";
      })
      .join("");
  }
  return "";
}
