/**
 * The path chat and legacy completions share: dispatch along the plan to the target's adapter,
 * then either relay the provider's stream as OpenAI chunks or answer with the translated JSON.
 */

import type { Usage } from "../../shared/api/schemas/common.ts";
import { randomId } from "../../shared/auth/api-keys.ts";
import { capabilityError, UpstreamError } from "../providers/errors.ts";
import { createImageFetcher, type ImageFetcher } from "../providers/images.ts";
import { providers } from "../providers/registry.ts";
import type {
  ProviderConfig,
  ResponseContext,
  StreamTranslator,
  Target,
  UpstreamCall,
} from "../providers/types.ts";
import { dispatch } from "../routing/dispatch.ts";
import type { RoutePlan } from "../routing/plan.ts";
import { type GatewayDeps, TARGET_HEADER } from "./deps.ts";
import { openStream, type StreamKind, streamResponse } from "./relay.ts";
import type { Served, ServedEnd } from "./served.ts";
import { readJson, sendUpstream, servedVersion } from "./upstream.ts";

/** One capability's adapter, as chat and completions both have it. */
export interface GenerationAdapter<Req, Res, Chunk> {
  resolve?(req: Req, fetchImage: ImageFetcher): Promise<Req>;
  request(req: Req, target: Target): UpstreamCall;
  response(body: unknown, ctx: ResponseContext): Res;
  stream(ctx: ResponseContext): StreamTranslator<Chunk>;
}

/** What differs between chat and completions. */
export interface GenerationKind<Req, Res, Chunk> {
  /** Prefix of response ids (`chatcmpl-`, `cmpl-`). */
  idPrefix: string;
  /** The capability's name, for the 400 when a provider lacks it. */
  capability: string;
  adapter(provider: ProviderConfig): GenerationAdapter<Req, Res, Chunk> | undefined;
  streamKind: StreamKind<Chunk>;
}

/**
 * Serves one request along `plan`, streamed when the request asks for it; the end is known
 * at once for a plain answer and when the stream ends for a streamed one.
 */
export async function serveGeneration<
  Req extends { stream?: boolean | null; stream_options?: { include_usage?: boolean } | null },
  Res extends { usage?: Usage },
  Chunk,
>(
  kind: GenerationKind<Req, Res, Chunk>,
  req: Req,
  plan: RoutePlan,
  deps: GatewayDeps,
): Promise<Served> {
  const contextFor = (model: string): ResponseContext => ({
    id: `${kind.idPrefix}${randomId()}`,
    created: Math.floor(deps.now() / 1000),
    model,
  });
  const providerOf = (target: Target) => providers[target.provider];
  // A site's calls go through its hub (the target's transport), with the attempt's time limit.
  const depsFor = ({ transport }: Target, timeoutMs: number): GatewayDeps =>
    transport ? { ...deps, fetch: transport(timeoutMs) } : deps;
  const fetchImage = deps.fetchImage ?? createImageFetcher({ fetch: deps.fetch });
  // What a target's adapter must fetch first (image bytes), once per provider per request.
  const resolved = new Map<string, Promise<Req>>();
  const requestFor = (adapter: GenerationAdapter<Req, Res, Chunk>, target: Target) => {
    if (!adapter.resolve) return Promise.resolve(req);
    const key = providerOf(target).name;
    const pending = resolved.get(key) ?? adapter.resolve(req, fetchImage);
    resolved.set(key, pending);
    return pending;
  };
  const adapterOf = (target: Target) => {
    const provider = providerOf(target);
    const adapter = kind.adapter(provider);
    if (!adapter) throw capabilityError(provider.name, kind.capability);
    return adapter;
  };
  if (req.stream) {
    const { value, target, failedLate } = await dispatch(
      plan,
      async ({ target, timeoutMs }) => {
        const adapter = adapterOf(target);
        const ctx = contextFor(target.id);
        return openStream(
          providerOf(target),
          adapter.request(await requestFor(adapter, target), target),
          target,
          adapter.stream(ctx),
          ctx,
          kind.streamKind,
          timeoutMs,
          depsFor(target, timeoutMs),
        );
      },
      deps,
    );
    let ended: (end: ServedEnd) => void = () => {};
    const end = new Promise<ServedEnd>((resolve) => (ended = resolve));
    const response = streamResponse(
      value,
      kind.streamKind,
      req.stream_options?.include_usage === true,
      target,
      failedLate,
      // A stream cut after its 200 went out is still an upstream failure: it ends as a 502.
      ({ ok, usage, error }) =>
        ended({
          status: ok ? 200 : 502,
          usage,
          target: target.id,
          ...value.served,
          ...(error ? { error } : {}),
        }),
    );
    return { response, end };
  }
  const { value, target } = await dispatch(
    plan,
    async ({ target, timeoutMs }) => {
      const adapter = adapterOf(target);
      const provider = providerOf(target);
      const call = adapter.request(await requestFor(adapter, target), target);
      const upstream = await sendUpstream(
        provider,
        call,
        target,
        timeoutMs,
        depsFor(target, timeoutMs),
      );
      const body = await readJson(provider.name, upstream, timeoutMs);
      try {
        const answer = adapter.response(body, contextFor(target.id));
        return { answer, served: servedVersion(provider, upstream.response) };
      } catch (err) {
        if (err instanceof UpstreamError) throw err;
        throw new UpstreamError(provider.name, "network", "unreadable answer", { cause: err });
      }
    },
    deps,
  );
  const { answer, served } = value;
  return {
    response: Response.json(answer, { headers: { [TARGET_HEADER]: target.id } }),
    end: Promise.resolve({ status: 200, usage: answer.usage, target: target.id, ...served }),
  };
}
