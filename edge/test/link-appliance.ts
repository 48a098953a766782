/**
 * An appliance played inside the worker test: it dials the gateway's link endpoint over a real
 * WebSocket (through the site's Durable Object), says hello, heartbeats on demand and answers
 * requests with a script, recording every frame it receives.
 */
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameOf,
  type LinkModel,
  PROTOCOL_VERSION,
} from "../../shared/protocol/index.ts";

type Call = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** How a played appliance answers one request. */
export type Answer = (req: FrameOf<"request">, link: PlayedAppliance) => void | Promise<void>;

/** An OpenAI chat chunk as SSE text. */
export function chunkEvent(id: string, content: string, finish: string | null = null): string {
  const chunk = {
    id,
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Sends a stream's head and one chunk per word, and nothing to end it. */
export function streamWords(link: PlayedAppliance, id: string, words: string[]): void {
  link.send({
    type: "response",
    id,
    status: 200,
    headers: { "content-type": "text/event-stream" },
  });
  for (const word of words) link.chunk(id, chunkEvent(id, word));
}

/** Answers like an appliance: SSE chunks of `words` then `[DONE]`, or one JSON completion. */
export function answerWith(words: string[]): Answer {
  return (req, link) => {
    if (req.body.stream) {
      streamWords(link, req.id, words);
      link.chunk(req.id, chunkEvent(req.id, "", "stop"));
      link.chunk(req.id, "data: [DONE]\n\n");
    } else {
      const completion = {
        id: "chatcmpl-x",
        object: "chat.completion",
        created: 1,
        model: String(req.body.model),
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: words.join("") },
            finish_reason: "stop",
          },
        ],
        usage: {
          prompt_tokens: 3,
          completion_tokens: words.length,
          total_tokens: 3 + words.length,
        },
      };
      link.send({
        type: "response",
        id: req.id,
        status: 200,
        headers: { "content-type": "application/json" },
      });
      link.chunk(req.id, JSON.stringify(completion));
    }
    link.end(req.id);
  };
}

/** Options of {@link playAppliance}. */
export interface PlayOptions {
  credential: string;
  applianceId: string;
  models?: LinkModel[];
  protocol?: number;
  capacity?: number;
  /** Skip the hello (to test what the hub does without one). */
  noHello?: boolean;
  answer?: Answer;
}

/** A connected, played appliance. */
export interface PlayedAppliance {
  id: string;
  received: Frame[];
  /** Resolves with the close code once the hub closes the link. */
  closed: Promise<number>;
  send(frame: Frame | string): void;
  /** Sends a numbered chunk of request `id`'s body (as protocol 2 does). */
  chunk(id: string, data: string): void;
  /** Ends request `id`'s body, saying how many chunks it had. */
  end(id: string): void;
  heartbeat(load?: { active: number; queued: number }): void;
  /** Waits until a received frame matches. */
  waitFor<T extends Frame["type"]>(
    type: T,
    match?: (f: FrameOf<T>) => boolean,
  ): Promise<FrameOf<T>>;
  close(): void;
  answer: Answer;
}

/** Dials the link endpoint as an appliance; returns the upgrade's status when refused. */
export async function playAppliance(
  call: Call,
  options: PlayOptions,
): Promise<PlayedAppliance | { refused: number; body: string }> {
  const res = await call("http://edge/link/v1/connect", {
    headers: { upgrade: "websocket", authorization: `Bearer ${options.credential}` },
  });
  const ws = res.webSocket;
  if (!ws) return { refused: res.status, body: await res.text() };
  ws.accept();
  const received: Frame[] = [];
  const waiters: (() => void)[] = [];
  const sent = new Map<string, number>();
  let closeCode: (code: number) => void = () => {};
  const played: PlayedAppliance = {
    id: options.applianceId,
    received,
    closed: new Promise((resolve) => {
      closeCode = resolve;
    }),
    send: (frame) => ws.send(typeof frame === "string" ? frame : encodeFrame(frame)),
    chunk: (id, data) => {
      const seq = sent.get(id) ?? 0;
      sent.set(id, seq + 1);
      played.send({ type: "chunk", id, data, seq });
    },
    end: (id) => played.send({ type: "end", id, chunks: sent.get(id) ?? 0 }),
    heartbeat: (load = { active: 0, queued: 0 }) =>
      played.send({ type: "heartbeat", load, sentAt: Date.now() }),
    waitFor: (type, match) =>
      new Promise((resolve) => {
        const check = () => {
          const hit = received.find(
            (f) => f.type === type && (!match || match(f as FrameOf<typeof type>)),
          );
          if (hit) resolve(hit as FrameOf<typeof type>);
          else waiters.push(check);
        };
        check();
      }),
    close: () => ws.close(1000, "bye"),
    answer: options.answer ?? answerWith(["Hello", " world"]),
  };
  ws.addEventListener("message", (event) => {
    const decoded = decodeFrame(event.data as string);
    if (!decoded.ok) throw new Error(decoded.reason);
    received.push(decoded.frame);
    for (const w of waiters.splice(0)) w();
    if (decoded.frame.type === "request") void played.answer(decoded.frame, played);
  });
  ws.addEventListener("close", (event) => closeCode(event.code));
  if (!options.noHello) {
    played.send({
      type: "hello",
      protocol: options.protocol ?? PROTOCOL_VERSION,
      applianceId: options.applianceId,
      version: "test",
      models: options.models ?? [{ id: "tiny", contextSize: 512 }],
      ...(options.capacity ? { capacity: options.capacity } : {}),
    });
  }
  return played;
}

/** Narrows a {@link playAppliance} result to a connected appliance. */
export function connected(result: Awaited<ReturnType<typeof playAppliance>>): PlayedAppliance {
  if ("refused" in result) throw new Error(`link refused: ${result.refused} ${result.body}`);
  return result;
}
