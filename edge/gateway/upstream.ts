/**
 * Sends one call to a provider: JSON body, a time limit to the first byte, and every non-2xx
 * answer, network failure or timeout turned into an {@link UpstreamError}.
 */
import { type ServedVersion, servedVersionOf } from "../../shared/api/model-headers.ts";
import { parseRetryAfter, providerErrorOf, UpstreamError } from "../providers/errors.ts";
import type {
  OutgoingCall,
  ProviderConfig,
  ProviderCredentials,
  UpstreamCall,
} from "../providers/types.ts";

/** How the gateway reaches the outside world (injected in tests). */
export interface UpstreamDeps {
  fetch: typeof fetch;
  now(): number;
  /**
   * The W3C `traceparent` a provider call carries (its attempt's span, when the request is
   * traced): on the provider's request only, never on other fetches (image URLs, tokens).
   */
  traceparent?(): string | undefined;
}

/** A 2xx answer, with the timer that still guards it until the caller is done waiting. */
export interface UpstreamResponse {
  response: Response;
  /** Stops the time limit (call once the first chunk, or the whole body, has arrived). */
  settle(): void;
  /** Aborted when the time limit hits. */
  signal: AbortSignal;
  /** Drops the upstream connection (its body then errors). */
  abort(): void;
}

/**
 * Sends `call` with `credentials` (which the provider's `authorize`, if any, signs it with);
 * resolves on a 2xx status, throws an `UpstreamError` otherwise.
 */
/**
 * The local model version that answered, as a site's appliance names it in its headers; other
 * providers' headers are not read (the names are ours, not theirs).
 */
export function servedVersion(
  provider: ProviderConfig,
  response: Response,
): ServedVersion | undefined {
  return provider.name === "site" ? servedVersionOf(response.headers) : undefined;
}

export async function sendUpstream(
  provider: ProviderConfig,
  call: UpstreamCall,
  credentials: ProviderCredentials,
  timeoutMs: number,
  deps: UpstreamDeps,
): Promise<UpstreamResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const settle = () => clearTimeout(timer);
  const outgoing: OutgoingCall = {
    url: call.url,
    method: call.method,
    headers: {
      accept: "application/json, text/event-stream",
      ...(call.body === undefined ? {} : { "content-type": "application/json" }),
      ...call.headers,
    },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  };
  let response: Response;
  try {
    const signed = provider.authorize
      ? await provider.authorize(outgoing, credentials, { ...deps, signal: controller.signal })
      : {};
    const traceparent = deps.traceparent?.();
    response = await deps.fetch(outgoing.url, {
      method: outgoing.method,
      headers: { ...outgoing.headers, ...signed, ...(traceparent ? { traceparent } : {}) },
      body: outgoing.body,
      signal: controller.signal,
    });
  } catch (err) {
    settle();
    throw failure(provider.name, err, controller.signal, timeoutMs);
  }
  if (response.ok) {
    return { response, settle, signal: controller.signal, abort: () => controller.abort() };
  }
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The body broke off: the status alone still says what happened.
  } finally {
    settle();
  }
  const { message, code } = providerErrorOf(provider, text, response.status, response.headers);
  throw new UpstreamError(provider.name, "status", message, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get("retry-after"), deps.now()),
    code,
  });
}

/** The `UpstreamError` for something thrown while talking to a provider. */
export function failure(
  provider: string,
  err: unknown,
  signal: AbortSignal,
  timeoutMs: number,
): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (signal.aborted) {
    return new UpstreamError(provider, "timeout", `no answer within ${timeoutMs} ms`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError(provider, "network", `connection failed: ${message}`, { cause: err });
}

/** Reads a JSON body within the call's time limit. */
export async function readJson(
  provider: string,
  upstream: UpstreamResponse,
  timeoutMs: number,
): Promise<unknown> {
  try {
    return await upstream.response.json();
  } catch (err) {
    if (err instanceof SyntaxError && !upstream.signal.aborted) {
      throw new UpstreamError(provider, "network", "the answer was not complete JSON", {
        cause: err,
      });
    }
    throw failure(provider, err, upstream.signal, timeoutMs);
  } finally {
    upstream.settle();
  }
}
