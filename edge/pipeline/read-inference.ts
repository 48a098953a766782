/**
 * The step that reads an inference request's body, the only one that does: JSON when the
 * content type says so (anything else is validated as `{}`, as Hono's validator would), parsed
 * and validated once, estimated once, and put on the context as `c.get("inference")`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../../shared/api/errors.ts";
import type { EdgeEnv } from "../env.ts";
import {
  type InferenceRoute,
  type ParsedInference,
  parseInference,
  type Routed,
  withPlan,
} from "../inference/request.ts";

/** Options of {@link readInference}. */
export interface ReadInferenceOptions<R extends InferenceRoute> {
  route: R;
  /** Plans the request's route (called on first use only). */
  plan(c: Context<EdgeEnv>, parsed: ParsedInference<R>): Promise<Routed>;
  /** Hears each body parsed (a test counter; unset in production). */
  onBodyParsed?: (route: InferenceRoute) => void;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The body as JSON, `{}` for another content type; a 400 when it is not JSON. */
async function readBody(c: Context<EdgeEnv>): Promise<unknown> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!JSON_TYPE.test(mediaType)) return {};
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, "Malformed JSON in request body", { code: "invalid_json" });
  }
}

/** The model a body names, for the usage row (kept even when the body is invalid). */
function modelOf(body: unknown): string {
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === "string" ? model.slice(0, 256) : "";
}

/** The body step of one inference route. */
export function readInference<R extends InferenceRoute>({
  route,
  plan,
  onBodyParsed,
}: ReadInferenceOptions<R>): MiddlewareHandler<EdgeEnv> {
  return async function readInferenceHandler(c, next) {
    const body = await readBody(c);
    onBodyParsed?.(route);
    c.get("call").model = modelOf(body);
    const parsed = parseInference(route, body);
    c.set("inference", withPlan(parsed, (p) => plan(c, p)) as EdgeEnv["Variables"]["inference"]);
    await next();
  };
}
