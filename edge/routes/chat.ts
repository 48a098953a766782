import type { OpenAPIHono } from "@hono/zod-openapi";
import { chatCompletionsRoute } from "../../shared/api/routes.ts";
import type { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { createChatCompletion } from "../gateway/chat.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { routeFor } from "../gateway/route-for.ts";
import { mountInference } from "../pipeline/index.ts";
import type { Capability } from "../providers/catalogue.ts";
import { createImageFetcher } from "../providers/images.ts";

/** What a chat request needs of a target: images, tools and JSON where it asks for them. */
function chatNeeds(request: ChatCompletionRequest): Capability[] {
  const needs: Capability[] = ["chat"];
  const images = request.messages.some(
    (m) => Array.isArray(m.content) && m.content.some((part) => part.type === "image_url"),
  );
  if (images) needs.push("vision");
  if (request.tools && request.tools.length > 0) needs.push("tools");
  if (request.response_format && request.response_format.type !== "text") needs.push("json");
  return needs;
}

/** Mounts `POST /v1/chat/completions`, routed by model name to a provider chain. */
export function mountChatRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  mountInference(
    app,
    {
      route: "chat",
      definition: chatCompletionsRoute,
      plan: async (c, { request, estimate }) => {
        const routed = await routeFor(c, request.model, deps, estimate, chatNeeds(request));
        // Image URLs on private hosts are fetched only outside production (the fakes are local).
        const allowPrivate = settings(c).environment !== "production";
        const fetchImage =
          routed.deps.fetchImage ?? createImageFetcher({ fetch: routed.deps.fetch, allowPrivate });
        return { ...routed, deps: { ...routed.deps, fetchImage } };
      },
      serve: ({ request }, { plan, deps }) => createChatCompletion(request, plan, deps),
    },
    { now: deps.now, onBodyParsed: deps.onBodyParsed },
  );
}
