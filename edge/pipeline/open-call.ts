/**
 * The first step of every inference call: opens its {@link CallRecord}, and once the answer is
 * made ends it from that answer when nothing else did (an error answered by `onError`, from a
 * step or from the relay), then keeps the subscribers' work alive past the response.
 */
import type { MiddlewareHandler } from "hono";
import type { EdgeEnv } from "../env.ts";
import { CallRecord } from "../inference/call-record.ts";
import { inBackground } from "../lib/background.ts";

/** Options of {@link openCall}. */
export interface OpenCallOptions {
  now?: () => number;
}

/** The step that opens and closes each call's record. */
export function openCall({ now = Date.now }: OpenCallOptions = {}): MiddlewareHandler<EdgeEnv> {
  return async function openCallHandler(c, next) {
    const call = new CallRecord(now());
    c.set("call", call);
    await next();
    call.end({ status: c.res.status, usage: undefined, target: null });
    await inBackground(c, "after the call", call.settled());
  };
}
