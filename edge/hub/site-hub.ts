/**
 * One Durable Object per site: it holds the site's appliance WebSockets (hibernation API, so an
 * idle site costs nothing) and serves OpenAI requests by sending them down one of them. To the
 * gateway it is an OpenAI-compatible upstream (the `site` provider's transport):
 * `POST /v1/chat/completions` and `/v1/completions` answer as the appliance does (JSON, or SSE
 * relayed chunk by chunk).
 *
 * Its parts: the links and their heartbeats (connections.ts), which appliance serves a request
 * (choice.ts), and the requests in flight with their failover and relay (relay.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { errorResponse } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { CloseCode, decodeFrame } from "../../shared/protocol/index.ts";
import type { Bindings } from "../env.ts";
import { ApplianceLinks, type ApplianceStatus } from "./connections.ts";
import { LinkRelay } from "./relay.ts";

export type { ApplianceState, ApplianceStatus } from "./connections.ts";
export { HUB_HEADERS } from "./hub-headers.ts";

/** The Durable Object of one site. */
export class SiteHub extends DurableObject<Bindings> {
  private readonly links = new ApplianceLinks(this.ctx, (state) => this.relay.linkLost(state));
  private readonly relay = new LinkRelay(this.links);

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/connect":
        return this.links.accept(request);
      case "/status":
        return Response.json(this.status());
      case "/cancel":
        this.relay.cancelById(url.searchParams.get("id") ?? "");
        return new Response(null, { status: 204 });
      case "/revoke":
        this.links.drop(url.searchParams.get("appliance") ?? "", CloseCode.revoked, "revoked");
        return new Response(null, { status: 204 });
      case "/v1/chat/completions":
      case "/v1/completions":
        return this.relay.dispatch(request, url.pathname);
      default:
        return errorResponse(new ApiError(404, "No such hub route.", { code: "route_not_found" }));
    }
  }

  /** Every connected appliance with its state. */
  status(): ApplianceStatus[] {
    const now = Date.now();
    return this.links.all().map(({ state }) => ({
      ...state,
      online: this.links.isOnline(state, now),
      inFlight: this.relay.inFlight(state.connectionId),
    }));
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const decoded = decodeFrame(message);
    const state = this.links.stateOf(ws);
    if (!decoded.ok) {
      console.warn(`site hub: frame refused from ${state.applianceId}: ${decoded.reason}`);
      this.links.send(ws, { type: "error", code: "malformed_frame", message: decoded.reason });
      return;
    }
    const frame = decoded.frame;
    if (frame.type === "hello") return this.links.hello(ws, state, frame);
    if (state.protocol === null) {
      this.links.send(ws, { type: "error", code: "hello_expected", message: "send hello first" });
      ws.close(CloseCode.badHello, "hello expected");
      return;
    }
    switch (frame.type) {
      case "heartbeat":
        return this.links.heartbeat(ws, state, frame);
      case "response":
      case "chunk":
      case "end":
      case "error":
        return this.relay.answer(state, frame);
      default:
        this.links.send(ws, {
          type: "error",
          code: "unexpected_frame",
          message: `an appliance does not send ${frame.type} frames`,
        });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.links.closedByPeer(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.relay.linkLost(this.links.stateOf(ws));
  }

  /** Checks heartbeats while sockets are open: a silent appliance is closed and failed over. */
  override async alarm(): Promise<void> {
    await this.links.checkHeartbeats();
  }
}
