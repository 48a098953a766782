/**
 * The frames of the hybrid link (edge <-> appliance), one JSON object per WebSocket text
 * message, as a discriminated union on `type`. The appliance dials out, says `hello`, the edge
 * answers `welcome`; then heartbeats flow up and requests flow down, each answered by a
 * response head, stream chunks and an end (or an error), and cancellable by id.
 */
import { z } from "zod";

const Id = z.string().min(1).max(128);
/** Epoch milliseconds. */
const Millis = z.number().int().nonnegative();

/** One model an appliance serves, with its context size in tokens. */
export const LinkModel = z.object({
  id: z.string().min(1).max(256),
  contextSize: z.number().int().positive(),
});
export type LinkModel = z.infer<typeof LinkModel>;

/** How busy an appliance is: sequences generating and requests waiting. */
export const LinkLoad = z.object({
  active: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
});
export type LinkLoad = z.infer<typeof LinkLoad>;

/** Appliance -> edge, first frame: who it is, what it serves and how much at once. */
export const HelloFrame = z.object({
  type: z.literal("hello"),
  /** The newest protocol version the appliance speaks. */
  protocol: z.number().int(),
  applianceId: Id,
  /** The appliance's software version. */
  version: z.string().max(64),
  models: z.array(LinkModel).max(1000),
  /** Requests it serves at once (protocol 2; 1 when absent). */
  capacity: z.number().int().positive().optional(),
});

/** Edge -> appliance: the hello was accepted, in this protocol version. */
export const WelcomeFrame = z.object({
  type: z.literal("welcome"),
  protocol: z.number().int(),
  /** How often the edge expects a heartbeat; a link silent for three of these is offline. */
  heartbeatMs: z.number().int().positive(),
});

/** Appliance -> edge, periodically: its current load (and inventory, which may change). */
export const HeartbeatFrame = z.object({
  type: z.literal("heartbeat"),
  load: LinkLoad,
  /** The appliance's clock when sent, echoed back in `heartbeat_ack` for the round-trip time. */
  sentAt: Millis,
  models: z.array(LinkModel).max(1000).optional(),
});

/** Edge -> appliance (protocol 2): echoes a heartbeat's `sentAt`. */
export const HeartbeatAckFrame = z.object({
  type: z.literal("heartbeat_ack"),
  sentAt: Millis,
});

/** The OpenAI routes the edge may send down a link. */
export const LinkPath = z.enum(["/v1/chat/completions", "/v1/completions"]);
export type LinkPath = z.infer<typeof LinkPath>;

/** Edge -> appliance: serve this OpenAI request (the appliance's route validates the body). */
export const RequestFrame = z.object({
  type: z.literal("request"),
  id: Id,
  path: LinkPath,
  body: z.record(z.string(), z.unknown()),
  /** Epoch ms after which the answer is of no use (the appliance cancels then). */
  deadline: Millis,
  /**
   * The edge's attempt as W3C trace context (protocol 3): the appliance's spans of this request
   * are its children. Invalid values are ignored there, as a bad header is.
   */
  traceparent: z.string().max(256).optional(),
});

/** Appliance -> edge: the response's status and headers, before any body. */
export const ResponseFrame = z.object({
  type: z.literal("response"),
  id: Id,
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
});

/** Appliance -> edge: a piece of the response body, as sent (SSE text or JSON text). */
export const ChunkFrame = z.object({
  type: z.literal("chunk"),
  id: Id,
  data: z.string(),
  /** Position from 0 (protocol 2): the receiver restores the order and sees gaps. */
  seq: z.number().int().nonnegative().optional(),
});

/** Appliance -> edge: the response body is complete. */
export const EndFrame = z.object({
  type: z.literal("end"),
  id: Id,
  /** How many chunks were sent (protocol 2): the body is complete once all have arrived. */
  chunks: z.number().int().nonnegative().optional(),
});

/**
 * Either way: something failed. With an `id`, that request failed (on the appliance, before or
 * during its answer); without, the link itself is refused (the sender then closes it).
 */
export const ErrorFrame = z.object({
  type: z.literal("error"),
  id: Id.optional(),
  code: z.string().max(128),
  message: z.string().max(4096),
});

/** Edge -> appliance: the client went away (or the deadline passed); stop generating. */
export const CancelFrame = z.object({
  type: z.literal("cancel"),
  id: Id,
});

/** Every frame of the link. */
export const Frame = z.discriminatedUnion("type", [
  HelloFrame,
  WelcomeFrame,
  HeartbeatFrame,
  HeartbeatAckFrame,
  RequestFrame,
  ResponseFrame,
  ChunkFrame,
  EndFrame,
  ErrorFrame,
  CancelFrame,
]);
export type Frame = z.infer<typeof Frame>;
export type FrameType = Frame["type"];
/** The frame of one `type`. */
export type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;
