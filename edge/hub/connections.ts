/**
 * A site's appliance links: WebSockets accepted through the hibernation API (each link's state
 * is kept on its socket, so it survives the object being evicted), the hello that agrees a
 * protocol version, heartbeats, and the alarm that closes a link gone silent.
 */
import { errorResponse } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import {
  CloseCode,
  encodeFrame,
  type Frame,
  type FrameOf,
  type LinkLoad,
  type LinkModel,
  negotiateVersion,
} from "../../shared/protocol/index.ts";
import { HUB_HEADERS } from "./hub-headers.ts";

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

/** The links of one site's hub. */
export class ApplianceLinks {
  /** Connections this hub closed (they may linger in `getWebSockets` while closing). */
  private readonly closed = new Set<string>();
  private readonly ctx: DurableObjectState;
  private readonly lost: (state: ApplianceState) => void;

  /**
   * @param ctx the Durable Object's state (sockets, alarm)
   * @param lost hears each link that is gone, to fail its requests over
   */
  constructor(ctx: DurableObjectState, lost: (state: ApplianceState) => void) {
    this.ctx = ctx;
    this.lost = lost;
  }

  /** Accepts an appliance's WebSocket (the gateway checked its credential). */
  accept(request: Request): Response {
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

  stateOf(ws: WebSocket): ApplianceState {
    return ws.deserializeAttachment() as ApplianceState;
  }

  /** Said hello, not closed by the hub, and heard from within three heartbeat intervals. */
  isOnline(state: ApplianceState, now = Date.now()): boolean {
    return (
      state.protocol !== null &&
      !this.closed.has(state.connectionId) &&
      now - state.lastHeartbeat < 3 * state.heartbeatMs
    );
  }

  /** Every open link with its state (of one appliance when `applianceId` is given). */
  all(applianceId?: string): { ws: WebSocket; state: ApplianceState }[] {
    const sockets =
      applianceId === undefined ? this.ctx.getWebSockets() : this.ctx.getWebSockets(applianceId);
    return sockets.map((ws) => ({ ws, state: this.stateOf(ws) }));
  }

  /** Sends `frame` down `ws`; false when the link is gone. */
  send(ws: WebSocket, frame: Frame): boolean {
    try {
      ws.send(encodeFrame(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Agrees a protocol version with the appliance, or refuses it and closes the link. */
  hello(ws: WebSocket, state: ApplianceState, frame: FrameOf<"hello">): void {
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

  /** Records a heartbeat (load, and models when they changed); acked from protocol 2 on. */
  heartbeat(ws: WebSocket, state: ApplianceState, frame: FrameOf<"heartbeat">): void {
    state.load = frame.load;
    state.lastHeartbeat = Date.now();
    if (frame.models) state.models = frame.models;
    ws.serializeAttachment(state);
    if ((state.protocol ?? 0) >= 2) this.send(ws, { type: "heartbeat_ack", sentAt: frame.sentAt });
  }

  /** The appliance closed its end: close ours (with its code where it gave one). */
  closedByPeer(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason.slice(0, 120));
    } catch {
      // Already closed.
    }
    this.lost(this.stateOf(ws));
  }

  /** Closes `applianceId`'s sockets; their requests fail over. */
  drop(applianceId: string, code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets(applianceId)) {
      this.closed.add(this.stateOf(ws).connectionId);
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
      this.lost(this.stateOf(ws));
    }
  }

  /** The alarm: a silent appliance is closed (and failed over); the next check is armed. */
  async checkHeartbeats(): Promise<void> {
    const now = Date.now();
    let every = Number.POSITIVE_INFINITY;
    for (const { state } of this.all()) {
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
}
