/** OpenAI: the reference format, no dialect. */
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";

export const openai = createOpenAiCompatibleProvider({
  name: "openai",
  defaultBaseUrl: "https://api.openai.com",
  legacyCompletions: true,
});
