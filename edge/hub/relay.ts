/**
 * Requests of the gateway on a site's links: each is sent down the chosen appliance's link and
 * its answer relayed back in order (numbered chunks may arrive out of order). Before any byte of
 * the answer was relayed, a dropped link, an error frame or a 429 / 503 sends the request to
 * another appliance; after that it ends with an error. A client that goes away, or a passed
 * deadline, sends `cancel` down the link.
 */
import { errorResponse } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import type { FrameOf, LinkPath } from "../../shared/protocol/index.ts";
import { encodeSse } from "../../shared/sse/index.ts";
import { chooseAppliance } from "./choice.ts";
import type { ApplianceLinks, ApplianceState } from "./connections.ts";
import { HUB_HEADERS } from "./hub-headers.ts";

interface PendingRequest {
  id: string;
  path: LinkPath;
  body: Record<string, unknown>;
  model: string;
  deadline: number;
  /** The trace context of the edge's attempt, sent on links of protocol 3 and later. */
  traceparent: string | null;
  /** Appliances tried, in order (the last is the current one). */
  tried: string[];
  /** The connection it is on now. */
  connection: string | null;
  /** Whether the client asked for SSE (an error after the head is then an event). */
  streaming: boolean;
  /** Set once the response head went out. */
  resolve: ((res: Response) => void) | null;
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  /** True once any body byte was relayed: from then on there is no failing over. */
  sentBody: boolean;
  /** The next chunk to relay, chunks that came early (by position), and the count at the end. */
  nextSeq: number;
  received: number;
  early: Map<number, string>;
  endAt: number | null;
  timer: ReturnType<typeof setTimeout>;
}

const encoder = new TextEncoder();
const TIMEOUT_MESSAGE = "the appliance did not answer before the deadline";

/** The requests in flight on one site's links. */
export class LinkRelay {
  private readonly pending = new Map<string, PendingRequest>();
  /** When each appliance was last chosen: ties of load go to the one idle longest. */
  private readonly lastChosen = new Map<string, number>();
  private readonly links: ApplianceLinks;

  constructor(links: ApplianceLinks) {
    this.links = links;
  }

  /** Requests of the edge on `connectionId` now. */
  inFlight(connectionId: string): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.connection === connectionId) n++;
    return n;
  }

  /** Serves one OpenAI request through an appliance of the site. */
  async dispatch(request: Request, path: LinkPath): Promise<Response> {
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      return errorResponse(new ApiError(400, "The body is not JSON.", { code: "invalid_json" }));
    }
    const model = typeof body.model === "string" ? body.model : "";
    const deadline = Number(request.headers.get(HUB_HEADERS.deadline)) || Date.now() + 5 * 60_000;
    const id = request.headers.get(HUB_HEADERS.requestId) || crypto.randomUUID();
    if (this.pending.has(id)) {
      return errorResponse(
        new ApiError(409, "Duplicate request id.", { code: "duplicate_request" }),
      );
    }
    return new Promise<Response>((resolve) => {
      const p: PendingRequest = {
        id,
        path,
        body,
        model,
        deadline,
        traceparent: request.headers.get("traceparent"),
        tried: [],
        connection: null,
        streaming: body.stream === true,
        resolve,
        controller: null,
        sentBody: false,
        nextSeq: 0,
        received: 0,
        early: new Map(),
        endAt: null,
        timer: setTimeout(
          () => this.fail(p, new ApiError(504, TIMEOUT_MESSAGE, { code: "timeout" })),
          Math.max(0, deadline - Date.now()),
        ),
      };
      this.pending.set(id, p);
      this.route(p);
    });
  }

  /** Cancels request `id` (the gateway's relay was aborted); unknown ids are ignored. */
  cancelById(id: string): void {
    const p = this.pending.get(id);
    if (p) this.cancel(p);
  }

  /** Requests in flight on a lost link: sent elsewhere when nothing was relayed, else ended. */
  linkLost({ applianceId, connectionId }: ApplianceState): void {
    for (const p of [...this.pending.values()]) {
      // Keyed by connection: a reconnected appliance's new requests are not on the lost link.
      if (p.connection !== connectionId) continue;
      if (p.sentBody) {
        const message = `the link to appliance ${applianceId} dropped mid-answer`;
        this.fail(p, new ApiError(502, message, { code: "link_lost" }));
      } else {
        this.route(p);
      }
    }
  }

  /** The link `model` goes to next, among appliances not tried for this request. */
  private choose(model: string, tried: readonly string[]): WebSocket | null {
    const now = Date.now();
    const candidates = this.links.all().map(({ ws, state }) => ({
      ...state,
      ws,
      online: this.links.isOnline(state, now),
      inFlight: this.inFlight(state.connectionId),
      lastChosen: this.lastChosen.get(state.applianceId) ?? 0,
    }));
    return chooseAppliance(candidates, model, tried)?.ws ?? null;
  }

  /** Sends `p` to the next appliance, or fails it when none is left. */
  private route(p: PendingRequest): void {
    for (;;) {
      const ws = this.choose(p.model, p.tried);
      if (!ws) {
        const message = p.tried.length
          ? `no other appliance of this site serving '${p.model}' is online`
          : `no appliance of this site serving '${p.model}' is online`;
        this.fail(p, new ApiError(503, message, { code: "site_unavailable", retryAfter: 1 }));
        return;
      }
      const { applianceId, connectionId, protocol } = this.links.stateOf(ws);
      // A new attempt starts its body from scratch (nothing of the last one was relayed).
      Object.assign(p, { nextSeq: 0, received: 0, early: new Map(), endAt: null });
      p.tried.push(applianceId);
      p.connection = connectionId;
      this.lastChosen.set(applianceId, Date.now());
      const sent = this.links.send(ws, {
        type: "request",
        id: p.id,
        path: p.path,
        body: p.body,
        deadline: p.deadline,
        ...(p.traceparent && (protocol ?? 0) >= 3 ? { traceparent: p.traceparent } : {}),
      });
      if (sent) return;
    }
  }

  /** A frame answering a request, from the appliance on `state`'s link. */
  answer(
    { applianceId, connectionId }: ApplianceState,
    frame: FrameOf<"response" | "chunk" | "end" | "error">,
  ): void {
    const p = frame.id ? this.pending.get(frame.id) : undefined;
    // Late frames of a request that moved to another appliance (or ended) are dropped.
    if (!p || p.connection !== connectionId) return;
    switch (frame.type) {
      case "response":
        // Full or shutting down, before any output: another appliance may have room.
        if (p.resolve && (frame.status === 429 || frame.status === 503)) {
          if (this.choose(p.model, p.tried)) {
            this.route(p);
            return;
          }
        }
        if (p.resolve) {
          const stream = new ReadableStream<Uint8Array>({
            start: (controller) => {
              p.controller = controller;
            },
            cancel: () => this.cancel(p),
          });
          const headers = new Headers(frame.headers);
          headers.set(HUB_HEADERS.servedBy, applianceId);
          p.resolve(new Response(stream, { status: frame.status, headers }));
          p.resolve = null;
          this.relay(p);
        } else if (frame.status >= 300) {
          // A failover's answer after the first head went out: it can only be an error now.
          const message = `appliance ${applianceId} answered ${frame.status}`;
          this.fail(p, new ApiError(502, message, { code: "link_failover" }));
        }
        return;
      case "chunk":
        // Protocol 1 does not number chunks: arrival order is their order.
        p.early.set(frame.seq ?? p.received, frame.data);
        p.received++;
        this.relay(p);
        return;
      case "end":
        p.endAt = frame.chunks ?? p.received;
        this.relay(p);
        return;
      case "error":
        if (p.sentBody) {
          const message = `appliance ${applianceId}: ${frame.message}`;
          this.fail(p, new ApiError(502, message, { code: frame.code }));
        } else this.route(p);
        return;
    }
  }

  /** Relays the chunks that are next in order (once the head went out), and the end. */
  private relay(p: PendingRequest): void {
    if (p.resolve || !p.controller) return;
    for (let data = p.early.get(p.nextSeq); data !== undefined; data = p.early.get(p.nextSeq)) {
      p.early.delete(p.nextSeq++);
      p.sentBody = true;
      p.controller.enqueue(encoder.encode(data));
    }
    if (p.endAt !== null && p.nextSeq >= p.endAt) {
      this.finish(p);
      p.controller.close();
    }
  }

  /** The client went away: stop the generation on the appliance. */
  private cancel(p: PendingRequest): void {
    if (!this.pending.has(p.id)) return;
    this.finish(p);
    this.sendCancel(p);
  }

  private sendCancel(p: PendingRequest): void {
    const applianceId = p.tried.at(-1);
    for (const { ws, state } of applianceId ? this.links.all(applianceId) : []) {
      if (state.connectionId === p.connection) this.links.send(ws, { type: "cancel", id: p.id });
    }
  }

  private finish(p: PendingRequest): void {
    clearTimeout(p.timer);
    this.pending.delete(p.id);
  }

  /**
   * Ends `p` with `err`: before the head, the error response every route answers; after it, the
   * same envelope as an SSE error event (or a broken body when the client did not stream).
   */
  private fail(p: PendingRequest, err: ApiError): void {
    if (!this.pending.has(p.id)) return;
    this.finish(p);
    if (err.code === "timeout") this.sendCancel(p);
    if (p.resolve) {
      p.resolve(errorResponse(err));
      p.resolve = null;
      return;
    }
    try {
      if (p.streaming) {
        p.controller?.enqueue(encodeSse(err.toEnvelope()));
        p.controller?.close();
      } else {
        p.controller?.error(err);
      }
    } catch {
      // The client is gone already.
    }
  }
}
