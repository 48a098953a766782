/**
 * The appliance's end of the hybrid link: it dials the edge (WebSocket, through a proxy when
 * configured), says hello with its models and capacity, heartbeats its load, serves requests
 * from the edge through the local HTTP app, and cancels them on `cancel`. A lost link is
 * redialled with jittered exponential backoff; local clients are served throughout. Refusals
 * that retrying cannot fix (revoked credential, protocol too old) stop the link and say why.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import {
  CloseCode,
  decodeFrame,
  encodeFrame,
  type Frame,
  isFinalClose,
  type LinkLoad,
  type LinkModel,
  negotiateVersion,
  PROTOCOL_VERSION,
} from "../../shared/protocol/index.ts";
import type { Config } from "../config.ts";
import type { ApplianceMetrics } from "../metrics/metrics.ts";
import { reconnectDelay } from "./backoff.ts";
import { type ServeRequest, serveLinkRequest } from "./serve-request.ts";
import { initialLinkState, type LinkState } from "./state.ts";
import { edgeTransport, linkUrl } from "./transport.ts";

/** What the appliance offers right now. */
export interface Inventory {
  models: LinkModel[];
  /** Requests served at once (sequences). */
  capacity: number;
  load: LinkLoad;
}

/** Options of {@link LinkClient}. */
export interface LinkClientOptions {
  edgeUrl: string;
  applianceId: string;
  credential: string;
  link: Config["link"];
  version: string;
  logger: Logger;
  serve: ServeRequest;
  inventory: () => Inventory;
  metrics?: ApplianceMetrics;
  /** Hears every state change (the daemon writes it for `status`). */
  onState?: (state: LinkState) => void;
  random?: () => number;
}

/** How long the edge may take to accept the hello. */
const WELCOME_TIMEOUT_MS = 15_000;

/** One appliance's link to the edge. */
export class LinkClient {
  #state: LinkState;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #welcomeTimer: NodeJS.Timeout | undefined;
  #lastAckAt = 0;
  readonly #inFlight = new Map<string, AbortController>();
  readonly #protocol: number;

  constructor(private readonly options: LinkClientOptions) {
    this.#protocol = options.link.protocolVersion ?? PROTOCOL_VERSION;
    this.#state = initialLinkState(options.edgeUrl);
  }

  /** The current state (a copy). */
  get state(): LinkState {
    return { ...this.#state };
  }

  /** Dials the edge (and keeps redialling until stopped or refused for good). */
  start(): void {
    this.options.metrics?.linkEnabled.set(1);
    this.#dial();
  }

  /**
   * Closes the link and stops redialling. Requests from the edge in flight get up to `graceMs`
   * to finish (new ones meanwhile meet the draining app's 503, which the edge sends elsewhere);
   * what is left is cancelled.
   */
  async stop(graceMs = 0): Promise<void> {
    this.#stopped = true;
    this.options.metrics?.linkEnabled.set(0);
    clearTimeout(this.#retryTimer);
    const until = Date.now() + graceMs;
    while (this.#inFlight.size > 0 && Date.now() < until && this.#ws) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.#stopTimers();
    const ws = this.#ws;
    this.#ws = null;
    this.#cancelAll();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
      ws.close(CloseCode.normal, "appliance stopping");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      ws.terminate();
    }
    this.#set({ status: "stopped", protocol: null, connectedAt: null, retryAt: null });
  }

  #set(patch: Partial<LinkState>): void {
    this.#state = { ...this.#state, ...patch, updatedAt: Date.now() };
    this.options.metrics?.linkConnected.set(this.#state.status === "connected" ? 1 : 0);
    try {
      this.options.onState?.(this.state);
    } catch (err) {
      this.options.logger.warn({ err }, "link: state listener failed");
    }
  }

  #dial(): void {
    if (this.#stopped) return;
    const { options } = this;
    const transport = edgeTransport(options.link);
    this.#set({ status: "connecting", retryAt: null });
    const ws = new WebSocket(linkUrl(options.edgeUrl), {
      headers: { authorization: `Bearer ${options.credential}` },
      agent: transport.agent,
      ...(transport.ca ? { ca: transport.ca } : {}),
      handshakeTimeout: WELCOME_TIMEOUT_MS,
      maxPayload: 16 * 1024 * 1024,
    });
    this.#ws = ws;
    let finalReason: string | null = null;
    ws.on("unexpected-response", (_req, res) => {
      // The upgrade was answered with plain HTTP: 401 is a revoked or unknown credential.
      if (res.statusCode === 401) {
        finalReason =
          "the edge refused this appliance's site credential (revoked or unknown): enroll again";
      }
      const error = finalReason ?? `the edge answered ${res.statusCode} instead of a WebSocket`;
      res.resume();
      ws.terminate();
      this.#set({ lastError: error });
    });
    ws.on("open", () => {
      const { models, capacity } = options.inventory();
      this.#send(ws, {
        type: "hello",
        protocol: this.#protocol,
        applianceId: options.applianceId,
        version: options.version,
        models,
        ...(this.#protocol >= 2 ? { capacity } : {}),
      });
      this.#welcomeTimer = setTimeout(() => {
        this.#set({ lastError: "the edge did not accept the hello in time" });
        ws.terminate();
      }, WELCOME_TIMEOUT_MS);
    });
    ws.on("message", (data, isBinary) => {
      const decoded = decodeFrame(isBinary ? new Uint8Array(data as Buffer) : data.toString());
      if (!decoded.ok) {
        options.logger.warn({ reason: decoded.reason }, "link: frame refused");
        this.#send(ws, { type: "error", code: "malformed_frame", message: decoded.reason });
        return;
      }
      this.#onFrame(ws, decoded.frame);
    });
    ws.on("error", (err) => {
      this.#set({ lastError: err.message });
    });
    ws.on("close", (code, reasonBuffer) => {
      const reason = reasonBuffer.toString();
      this.#stopTimers();
      this.#cancelAll();
      if (this.#ws === ws) this.#ws = null;
      if (this.#stopped) return;
      const wasConnected = this.#state.status === "connected";
      if (finalReason || isFinalClose(code)) {
        const lastError = finalReason ?? (reason || `closed by the edge (${code})`);
        options.logger.error(
          { code, reason: lastError },
          "link: refused by the edge; not redialling",
        );
        this.#set({ status: "refused", protocol: null, connectedAt: null, lastError });
        return;
      }
      if (wasConnected) {
        options.logger.warn({ code, reason }, "link: lost; redialling");
        this.#set({ lastError: reason || `link closed (${code})` });
      }
      this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    const delay = reconnectDelay(
      this.#attempt++,
      { baseMs: this.options.link.backoffBaseMs, maxMs: this.options.link.backoffMaxMs },
      this.options.random,
    );
    this.#set({
      status: "waiting",
      protocol: null,
      connectedAt: null,
      retryAt: Date.now() + delay,
    });
    this.#retryTimer = setTimeout(() => {
      this.options.metrics?.linkReconnects.inc();
      this.#set({ reconnects: this.#state.reconnects + 1 });
      this.#dial();
    }, delay);
  }

  #onFrame(ws: WebSocket, frame: Frame): void {
    const { logger } = this.options;
    switch (frame.type) {
      case "welcome": {
        clearTimeout(this.#welcomeTimer);
        // The edge picks the version; it must be one this side speaks.
        const agreed = negotiateVersion(frame.protocol, this.#protocol);
        if (!agreed.ok || agreed.version !== frame.protocol) {
          const reason = agreed.ok ? `the edge chose protocol ${frame.protocol}` : agreed.reason;
          this.#send(ws, { type: "error", code: "protocol_version", message: reason });
          ws.close(CloseCode.protocolTooOld, reason.slice(0, 120));
          return;
        }
        this.#attempt = 0;
        this.#lastAckAt = Date.now();
        this.#set({
          status: "connected",
          protocol: frame.protocol,
          connectedAt: Date.now(),
          lastError: null,
        });
        logger.info({ edge: this.options.edgeUrl, protocol: frame.protocol }, "link: connected");
        this.#startHeartbeats(ws, frame.heartbeatMs, frame.protocol);
        return;
      }
      case "heartbeat_ack": {
        this.#lastAckAt = Date.now();
        const rttMs = Math.max(0, Date.now() - frame.sentAt);
        this.options.metrics?.linkRtt.set(rttMs / 1000);
        this.#set({ rttMs, lastHeartbeatAt: this.#lastAckAt });
        return;
      }
      case "request": {
        const controller = new AbortController();
        this.#inFlight.set(frame.id, controller);
        const timer = setTimeout(
          () => controller.abort(),
          Math.max(0, frame.deadline - Date.now()),
        );
        void serveLinkRequest(
          frame,
          this.options.serve,
          (f) => this.#send(ws, f),
          controller.signal,
        )
          .catch((err) => logger.error({ err }, "link: serving a request failed"))
          .finally(() => {
            clearTimeout(timer);
            this.#inFlight.delete(frame.id);
          });
        return;
      }
      case "cancel":
        this.#inFlight.get(frame.id)?.abort();
        return;
      case "error":
        logger.warn(
          { code: frame.code, message: frame.message },
          "link: the edge reports an error",
        );
        this.#set({ lastError: `${frame.code}: ${frame.message}` });
        return;
      default:
        this.#send(ws, {
          type: "error",
          code: "unexpected_frame",
          message: `an edge does not send ${frame.type} frames`,
        });
    }
  }

  #startHeartbeats(ws: WebSocket, everyMs: number, protocol: number): void {
    const beat = () => {
      // Without acks (protocol 1) the edge's close is what tells a dead link.
      if (protocol >= 2 && Date.now() - this.#lastAckAt > 3 * everyMs) {
        this.#set({ lastError: "no heartbeat answer from the edge" });
        ws.terminate();
        return;
      }
      const { load, models } = this.options.inventory();
      this.#send(ws, { type: "heartbeat", load, models, sentAt: Date.now() });
    };
    beat();
    this.#heartbeatTimer = setInterval(beat, everyMs);
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#welcomeTimer);
  }

  #cancelAll(): void {
    for (const controller of this.#inFlight.values()) controller.abort();
    this.#inFlight.clear();
  }

  #send(ws: WebSocket, frame: Frame): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(frame));
  }
}
