/**
 * All provider fakes at once, as the edge tests and `serve.ts` start them.
 */
import { startFakeAnthropic } from "./anthropic.ts";
import { startFakeAzure } from "./azure.ts";
import { startFakeBedrock } from "./bedrock.ts";
import {
  fakeBedrockApiKey,
  fakeBedrockKey,
  fakeBedrockRegion,
  fakeBedrockSession,
  fakeBedrockUser,
} from "./bedrock-keys.ts";
import { startFakeCohere } from "./cohere.ts";
import { startFakeGemini } from "./gemini.ts";
import { startFakeOpenAi } from "./openai.ts";
import type { FakeServer } from "./server.ts";
import { startFakeVertex } from "./vertex.ts";

/** The API key each fake accepts. */
export const fakeKeys = {
  openai: "sk-fake-openai",
  anthropic: "sk-ant-fake",
  cohere: "fake-cohere-key",
  mistral: "fake-mistral-key",
  gemini: "fake-gemini-key",
  azure: "fake-azure-key",
  ai21: "fake-ai21-key",
  // ACCESS_KEY_ID:SECRET_ACCESS_KEY (SigV4); the fake also takes bedrock-keys.ts's others.
  bedrock: fakeBedrockKey,
} as const;

export type FakeProvider = keyof typeof fakeKeys;
/** Every fake: the providers with a fixed key, and those whose key is made at start (Vertex's). */
export type FakeName = FakeProvider | "vertex";

/** Starts one fake per provider; `keys` are what each accepts; `close` stops them all. */
export async function startAllFakes(): Promise<{
  servers: Record<FakeName, FakeServer>;
  keys: Record<FakeName, string>;
  close: () => Promise<void>;
}> {
  const [openai, anthropic, cohere, mistral, gemini, azure, ai21, vertex, bedrock] =
    await Promise.all([
      startFakeOpenAi("openai", fakeKeys.openai),
      startFakeAnthropic(fakeKeys.anthropic),
      startFakeCohere(fakeKeys.cohere),
      startFakeOpenAi("mistral", fakeKeys.mistral),
      startFakeGemini(fakeKeys.gemini),
      startFakeAzure(fakeKeys.azure),
      startFakeOpenAi("ai21", fakeKeys.ai21),
      startFakeVertex(),
      startFakeBedrock({
        region: fakeBedrockRegion,
        credentials: [fakeBedrockUser, fakeBedrockSession],
        apiKey: fakeBedrockApiKey,
      }),
    ]);
  const servers = { openai, anthropic, cohere, mistral, gemini, azure, ai21, vertex, bedrock };
  return {
    servers,
    // Vertex's key is a service account's key file, its key pair made as the fake started.
    keys: { ...fakeKeys, vertex: vertex.keyFile },
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}
