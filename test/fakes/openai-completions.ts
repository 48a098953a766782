/** OpenAI's legacy `/v1/completions`, plain and streamed (text_completion chunks, then [DONE]). */
import type { ServerResponse } from "node:http";
import {
  countTokens,
  cutConnection,
  type LiveScenario,
  replyPieces,
  replyText,
  sendJson,
  startSse,
  writeSse,
} from "./scenario.ts";

/** Answers a legacy completion request in `scenario`. */
export function handleCompletions(
  body: Record<string, unknown>,
  res: ServerResponse,
  scenario: LiveScenario,
) {
  const model = String(body.model);
  const prompt = Array.isArray(body.prompt)
    ? String(body.prompt[0] ?? "")
    : String(body.prompt ?? "");
  const text = replyText("openai", prompt);
  const usage = {
    prompt_tokens: countTokens(prompt),
    completion_tokens: countTokens(text),
    total_tokens: countTokens(prompt) + countTokens(text),
  };
  const base = {
    id: `cmpl-fake${Date.now()}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model,
  };
  if (!body.stream) {
    return sendJson(res, 200, {
      ...base,
      choices: [{ text, index: 0, logprobs: null, finish_reason: "stop" }],
      usage,
    });
  }
  startSse(res);
  const pieces = replyPieces(text);
  const half = Math.ceil(pieces.length / 2);
  const chunk = (piece: string, finish: string | null) => ({
    ...base,
    choices: [{ text: piece, index: 0, logprobs: null, finish_reason: finish }],
  });
  for (const piece of pieces.slice(0, half)) writeSse(res, chunk(piece, null));
  if (scenario.kind === "cut") return cutConnection(res);
  if (scenario.kind === "noterm") return void res.end();
  for (const piece of pieces.slice(half)) writeSse(res, chunk(piece, null));
  writeSse(res, chunk("", "stop"));
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
    writeSse(res, { ...base, choices: [], usage });
  }
  writeSse(res, "[DONE]");
  res.end();
}
