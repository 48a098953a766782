/**
 * One Durable Object per site: it holds the site's appliance WebSockets (hibernation API, so an
 * idle site costs nothing) and serves OpenAI requests by sending them down one of them. To the
 * gateway it is an OpenAI-compatible upstream: `POST /v1/chat/completions` and
 * `/v1/completions` answer as the appliance does (JSON, or SSE relayed chunk by chunk).
 *
 * Each request goes to an online appliance that has the model, the least loaded first. A link
 * that drops (or misses heartbeats) before any byte of an answer was relayed has its requests
 * sent to another appliance; after that they end with an error event. A client that goes away
 * (the body is cancelled) or a passed deadline sends `cancel` down the link.
 */
import { DurableObject } from "cloudflare:workers";
import { errorResponse } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import {
  CloseCode,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameOf,
  type LinkLoad,
  type LinkModel,
  type LinkPath,
  negotiateVersion,
} from "../../shared/protocol/index.ts";
import { encodeSse } from "../../shared/sse/index.ts";
import type { Bindings } from "../env.ts";

/** What the hub knows of one appliance, kept on its socket (it survives hibernation). */
export interface ApplianceState {
  applianceId: string;
  /** This connection (an appliance that reconnects gets a new one). */
  connectionId: string;
  /** The agreed protocol version; null until the hello. */
  protocol: number | null;
  version: string;
  models: LinkModel[];
  capacity: number;
  load: LinkLoad;
  connectedAt: number;
  lastHeartbeat: number;
  /** The heartbeat interval asked of it (from the gateway's settings at connect). */
  heartbeatMs: number;
}

/** One appliance as `GET /status` reports it. */
export interface ApplianceStatus extends ApplianceState {
  online: boolean;
  /** Requests of the edge in flight on it now. */
  inFlight: number;
}

/** Header names the gateway and the hub agree on. */
export const HUB_HEADERS = {
  applianceId: "x-textnlp-appliance",
  /** The heartbeat interval for a new link, in ms. */
  heartbeatMs: "x-textnlp-heartbeat-ms",
  /** The gateway's id of a request, to cancel it by. */
  requestId: "x-textnlp-link-request",
  /** Epoch ms after which a request is cancelled. */
  deadline: "x-textnlp-deadline",
  /** The appliance that answered (for tests and logs). */
  servedBy: "x-textnlp-appliance",
} as const;

interface PendingRequest {
  id: string;
  path: LinkPath;
  body: Record<string, unknown>;
  model: string;
  deadline: number;
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

/** The Durable Object of one site. */
export class SiteHub extends DurableObject<Bindings> {
  private readonly pending = new Map<string, PendingRequest>();
  /** When each appliance was last chosen: ties of load go to the one idle longest. */
  private readonly lastChosen = new Map<string, number>();
  /** Connections this hub closed (they may linger in `getWebSockets` while closing). */
  private readonly closed = new Set<string>();

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/connect":
        return this.acceptLink(request);
      case "/status":
        return Response.json(this.status());
      case "/cancel": {
        const p = this.pending.get(url.searchParams.get("id") ?? "");
        if (p) this.cancel(p);
        return new Response(null, { status: 204 });
      }
      case "/revoke":
        this.drop(url.searchParams.get("appliance") ?? "", CloseCode.revoked, "revoked");
        return new Response(null, { status: 204 });
      case "/v1/chat/completions":
      case "/v1/completions":
        return this.dispatch(request, url.pathname);
      default:
        return errorResponse(new ApiError(404, "No such hub route.", { code: "route_not_found" }));
    }
  }

  /** Accepts an appliance's WebSocket (the gateway checked its credential). */
  private acceptLink(request: Request): Response {
    const applianceId = request.headers.get(HUB_HEADERS.applianceId);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !applianceId) {
      return errorResponse(
        new ApiError(426, "Expected a WebSocket upgrade.", { code: "upgrade_required" }),
      );
    }
    // A reconnect replaces the old socket (it may be half-open after a network change).
    this.drop(applianceId, CloseCode.replaced, "replaced by a new connection");
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [applianceId]);
    const now = Date.now();
    const heartbeatMs = Number(request.headers.get(HUB_HEADERS.heartbeatMs)) || 10_000;
    const state: ApplianceState = {
      applianceId,
      connectionId: crypto.randomUUID(),
      protocol: null,
      version: "",
      models: [],
      capacity: 1,
      load: { active: 0, queued: 0 },
      connectedAt: now,
      lastHeartbeat: now,
      heartbeatMs,
    };
    server.serializeAttachment(state);
    void this.armAlarm(heartbeatMs);
    return new Response(null, { status: 101, webSocket: client });
  }

  private stateOf(ws: WebSocket): ApplianceState {
    return ws.deserializeAttachment() as ApplianceState;
  }

  private isOnline(state: ApplianceState, now = Date.now()): boolean {
    return (
      state.protocol !== null &&
      !this.closed.has(state.connectionId) &&
      now - state.lastHeartbeat < 3 * state.heartbeatMs
    );
  }

  private inFlight(connectionId: string): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.connection === connectionId) n++;
    return n;
  }

  /** Every connected appliance with its state. */
  status(): ApplianceStatus[] {
    const now = Date.now();
    return this.ctx.getWebSockets().map((ws) => {
      const state = this.stateOf(ws);
      return {
        ...state,
        online: this.isOnline(state, now),
        inFlight: this.inFlight(state.connectionId),
      };
    });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const decoded = decodeFrame(message);
    const state = this.stateOf(ws);
    if (!decoded.ok) {
      console.warn(`site hub: frame refused from ${state.applianceId}: ${decoded.reason}`);
      this.send(ws, { type: "error", code: "malformed_frame", message: decoded.reason });
      return;
    }
    const frame = decoded.frame;
    if (frame.type === "hello") return this.hello(ws, state, frame);
    if (state.protocol === null) {
      this.send(ws, { type: "error", code: "hello_expected", message: "send hello first" });
      ws.close(CloseCode.badHello, "hello expected");
      return;
    }
    switch (frame.type) {
      case "heartbeat":
        state.load = frame.load;
        state.lastHeartbeat = Date.now();
        if (frame.models) state.models = frame.models;
        ws.serializeAttachment(state);
        if (state.protocol >= 2) this.send(ws, { type: "heartbeat_ack", sentAt: frame.sentAt });
        return;
      case "response":
      case "chunk":
      case "end":
      case "error":
        return this.answer(state, frame);
      default:
        this.send(ws, {
          type: "error",
          code: "unexpected_frame",
          message: `an appliance does not send ${frame.type} frames`,
        });
    }
  }

  private hello(ws: WebSocket, state: ApplianceState, frame: FrameOf<"hello">): void {
    const agreed = negotiateVersion(frame.protocol);
    if (!agreed.ok) {
      console.warn(`site hub: appliance ${state.applianceId} refused: ${agreed.reason}`);
      this.send(ws, { type: "error", code: "protocol_version", message: agreed.reason });
      ws.close(CloseCode.protocolTooOld, agreed.reason.slice(0, 120));
      return;
    }
    if (frame.applianceId !== state.applianceId) {
      const reason = `hello names ${frame.applianceId}, but the credential is ${state.applianceId}'s`;
      this.send(ws, { type: "error", code: "wrong_appliance", message: reason });
      ws.close(CloseCode.badHello, "hello names another appliance");
      return;
    }
    Object.assign(state, {
      protocol: agreed.version,
      version: frame.version,
      models: frame.models,
      capacity: frame.capacity ?? 1,
      lastHeartbeat: Date.now(),
    });
    ws.serializeAttachment(state);
    this.send(ws, { type: "welcome", protocol: agreed.version, heartbeatMs: state.heartbeatMs });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason.slice(0, 120));
    } catch {
      // Already closed.
    }
    this.linkLost(this.stateOf(ws));
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.linkLost(this.stateOf(ws));
  }

  /** Closes `applianceId`'s sockets and fails its requests over. */
  private drop(applianceId: string, code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets(applianceId)) {
      this.closed.add(this.stateOf(ws).connectionId);
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
      this.linkLost(this.stateOf(ws));
    }
  }

  /** Requests in flight on a lost link: sent elsewhere when nothing was relayed, else ended. */
  private linkLost({ applianceId, connectionId }: ApplianceState): void {
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

  /** Checks heartbeats while sockets are open: a silent appliance is closed and failed over. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let every = Number.POSITIVE_INFINITY;
    for (const ws of this.ctx.getWebSockets()) {
      const state = this.stateOf(ws);
      // A link must say hello within one interval, and then not fall silent for three.
      const limit = state.protocol === null ? state.heartbeatMs : 3 * state.heartbeatMs;
      if (now - state.lastHeartbeat >= limit) {
        this.drop(state.applianceId, CloseCode.heartbeatMissed, "no heartbeat");
      } else {
        every = Math.min(every, state.heartbeatMs);
      }
    }
    if (Number.isFinite(every)) await this.armAlarm(every);
  }

  /** Makes sure a heartbeat check runs within `inMs` while links are open. */
  private async armAlarm(inMs: number): Promise<void> {
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > Date.now() + inMs) await this.ctx.storage.setAlarm(Date.now() + inMs);
  }

  private send(ws: WebSocket, frame: Frame): boolean {
    try {
      ws.send(encodeFrame(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Serves one OpenAI request through an appliance of the site. */
  private async dispatch(request: Request, path: LinkPath): Promise<Response> {
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

  /** The least loaded online appliance with `model`, not tried yet for this request. */
  private choose(model: string, tried: readonly string[]): WebSocket | null {
    const now = Date.now();
    let best: { ws: WebSocket; score: number; chosen: number } | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      const state = this.stateOf(ws);
      if (!this.isOnline(state, now) || tried.includes(state.applianceId)) continue;
      if (!state.models.some((m) => m.id === model)) continue;
      // Reported load lags behind (heartbeats): the edge's own in-flight count keeps up.
      const reported = state.load.active + state.load.queued;
      const busy = Math.max(reported, this.inFlight(state.connectionId));
      const score = busy / state.capacity;
      const chosen = this.lastChosen.get(state.applianceId) ?? 0;
      if (!best || score < best.score || (score === best.score && chosen < best.chosen)) {
        best = { ws, score, chosen };
      }
    }
    return best?.ws ?? null;
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
      const { applianceId, connectionId } = this.stateOf(ws);
      // A new attempt starts its body from scratch (nothing of the last one was relayed).
      Object.assign(p, { nextSeq: 0, received: 0, early: new Map(), endAt: null });
      p.tried.push(applianceId);
      p.connection = connectionId;
      this.lastChosen.set(applianceId, Date.now());
      const sent = this.send(ws, {
        type: "request",
        id: p.id,
        path: p.path,
        body: p.body,
        deadline: p.deadline,
      });
      if (sent) return;
    }
  }

  /** A frame answering a request, from `applianceId`. */
  private answer(
    { applianceId, connectionId }: ApplianceState,
    frame: FrameOf<"response" | "chunk" | "end" | "error">,
  ) {
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
    for (const ws of applianceId ? this.ctx.getWebSockets(applianceId) : []) {
      if (this.stateOf(ws).connectionId === p.connection) {
        this.send(ws, { type: "cancel", id: p.id });
      }
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
