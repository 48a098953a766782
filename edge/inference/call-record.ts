/**
 * One object per inference call, instead of back-channels between middleware: the steps note
 * what they learn (the model asked for, the cache's verdict, the guards' findings), exactly one
 * party ends the call (the relay, a cache hit, the limits' refusal, or the pipeline from the
 * error answer), and meter, cache and limits subscribe to its end. The pipeline waits for the
 * subscribers' work after the response (`waitUntil`).
 */
import type { Usage } from "../../shared/api/schemas/common.ts";
import type { Attempt } from "../routing/dispatch.ts";

/** How a request met the response cache (`none` when no cache is configured). */
export type CacheStatus = "hit" | "miss" | "bypass" | "none";

/** How a call ended. */
export interface CallEnd {
  /** The answer's status; 502 for a stream cut after its 200 went out. */
  status: number;
  /** The usage to bill: what the provider reported (zero for a cache hit), when known. */
  usage: Usage | undefined;
  /** The target that answered (`provider/model`), when one did. */
  target: string | null;
  /** A site's local model version that answered, as its appliance named it. */
  targetVersion?: number;
  targetSha256?: string;
  /** True when this deployment's own limits refused the call (no provider, not metered). */
  refused?: boolean;
  /** Why a call that began answering failed later (a stream's error code), for the request log. */
  error?: string;
}

/** The record of one call. */
export class CallRecord {
  /** When the call began (ms since the epoch). */
  readonly started: number;
  /** The model the client named (read from the body even when the body is invalid). */
  model = "";
  cacheStatus: CacheStatus = "none";
  /** What the guardrails found, by type, in the order found. */
  readonly guardFindings: string[] = [];
  /** Each call made to a target, failed ones included, in order (the dispatcher adds them). */
  readonly attempts: Attempt[] = [];
  /** Settles once, with the first end given. */
  readonly ended: Promise<CallEnd>;
  #resolve: (end: CallEnd | Promise<CallEnd>) => void = () => {};
  #hasEnded = false;
  readonly #work: Promise<void>[] = [];

  constructor(started: number) {
    this.started = started;
    this.ended = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Ends the call (a stream passes the promise of its end); later ends are ignored. */
  end(end: CallEnd | Promise<CallEnd>): void {
    if (this.#hasEnded) return;
    this.#hasEnded = true;
    this.#resolve(end);
  }

  /** Runs `work` once the call ended; a failure is logged under `what`, never thrown. */
  subscribe(what: string, work: (end: CallEnd) => unknown): void {
    this.#work.push(
      this.ended.then(work).then(
        () => {},
        (err) => console.error(`${what} failed:`, err),
      ),
    );
  }

  /** Settles when every subscriber's work is done. */
  settled(): Promise<void> {
    return Promise.all(this.#work).then(() => {});
  }
}
