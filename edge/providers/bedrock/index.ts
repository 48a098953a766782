/**
 * Amazon Bedrock's runtime (`bedrock/<modelId>`): chat through Converse and ConverseStream, whose
 * stream is AWS's binary event stream; every call signed with SigV4 from AWS credentials or
 * carrying a Bedrock API key (auth.ts). No embeddings (Titan's go through InvokeModel, per
 * model) and no model list (that is the control plane's, `bedrock`, not the runtime's).
 */

import { inlineImageUrls } from "../images.ts";
import type { ProviderConfig } from "../types.ts";
import { authorizeBedrock } from "./auth.ts";
import { bedrockChatRequest, bedrockChatResponse } from "./chat.ts";
import { readEventStream } from "./events.ts";
import { bedrockStream } from "./stream.ts";

export const bedrock: ProviderConfig = {
  name: "bedrock",
  defaultBaseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
  chat: {
    // Converse takes images as bytes only.
    resolve: inlineImageUrls,
    request: bedrockChatRequest,
    response: bedrockChatResponse,
    stream: bedrockStream,
  },
  authorize: (call, credentials, deps) => authorizeBedrock(call, credentials, deps.now()),
  events: readEventStream,
  errorMessage(raw, headers) {
    const body = (raw ?? {}) as { message?: string; Message?: string };
    // `x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/coral/…`: the type is
    // before the colon.
    const type = headers?.get("x-amzn-errortype")?.split(":")[0] || null;
    return { message: body.message ?? body.Message ?? "upstream error", code: type };
  },
};
