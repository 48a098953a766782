/**
 * What the hybrid link costs: the same streamed generations (256 tokens by default, fixed seed)
 * sent to an appliance directly and through the edge (the bundle in Miniflare) and its link.
 * Medians of interleaved repeats, with the link's time and tokens/s as ratios of the direct ones.
 * Goal: the link adds less than 10%.
 *
 *   npx tsx bench/link-overhead.ts [--rounds 7] [--tokens 256] [--model file.gguf]
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { generateApiKeySecret, hashApiKey } from "../shared/auth/api-keys.ts";
import { runCli, STORIES_MODEL, startAppliance, tempDataDir } from "../test/helpers/appliance.ts";
import { startEdgeWorker } from "../test/helpers/edge.ts";
import { interleave, median, printTable } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" },
    tokens: { type: "string", default: "256" },
    model: { type: "string", default: STORIES_MODEL },
  },
});
const rounds = Number(args.rounds);
const maxTokens = Number(args.tokens);
const modelPath = args.model as string;
if (!existsSync(modelPath)) {
  console.log(`bench skipped: model ${modelPath} is absent`);
  process.exit(0);
}
console.log(
  `link-overhead: model ${modelPath}, ${maxTokens} streamed tokens per request, ${rounds} ` +
    `interleaved rounds, ${availableParallelism()} cores; edge = bundle in Miniflare`,
);

const edge = await startEdgeWorker({ LINK_HEARTBEAT_MS: "2000" });
const secret = generateApiKeySecret();
await edge.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t', 't', 0)");
await edge.sql(
  "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES ('k', 't', 'bench', 'x', ?, '[\"*\"]', 0)",
  await hashApiKey(secret),
);
const admin = (path: string, body: unknown) =>
  fetch(`${edge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
await admin("/v1/admin/sites", { id: "bench" });
const { code } = (await (await admin("/v1/admin/sites/bench/enrollment-codes", {})).json()) as {
  code: string;
};
const dataDir = tempDataDir();
const enrolled = await runCli(["enroll", edge.url, code, "--data-dir", dataDir]);
if (enrolled.code !== 0) throw new Error(enrolled.stderr);
const appliance = await startAppliance({
  dataDir,
  args: ["--model", modelPath],
  env: { TEXTNLP_BACKUP_ENABLED: "false" },
});

try {
  const viaEdge = new OpenAI({ baseURL: `${edge.url}/v1`, apiKey: secret, maxRetries: 0 });
  const direct = new OpenAI({ baseURL: `${appliance.url}/v1`, apiKey: "none", maxRetries: 0 });
  const name = (await direct.models.list()).data[0]?.id as string;
  // Wait for the link (the site's model is listed once an appliance serves it).
  for (let i = 0; ; i++) {
    const ids = (await viaEdge.models.list()).data.map((m) => m.id);
    if (ids.includes(`site:bench/${name}`)) break;
    if (i > 300) throw new Error("the appliance did not link to the edge");
    await new Promise((r) => setTimeout(r, 100));
  }

  const tokens: Record<string, number[]> = { direct: [], link: [] };
  /** One streamed generation; returns its wall time in ms and records its tokens. */
  const run = (which: "direct" | "link") => async () => {
    const client = which === "direct" ? direct : viaEdge;
    const model = which === "direct" ? name : `site:bench/${name}`;
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Tell me a story about a little cat." }],
      max_tokens: maxTokens,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let completion = 0;
    for await (const chunk of stream) completion = chunk.usage?.completion_tokens ?? completion;
    const ms = performance.now() - started;
    tokens[which]?.push(completion);
    return ms;
  };
  await run("direct")();
  await run("link")(); // warm-up: model loaded, isolate and Durable Object started
  tokens.direct = [];
  tokens.link = [];
  const samples = await interleave(rounds, { direct: run("direct"), link: run("link") });
  const row = (which: "direct" | "link") => {
    const ms = median(samples[which]);
    const toks = median(tokens[which] as number[]);
    return { ms, toks, rate: (toks * 1000) / ms };
  };
  const d = row("direct");
  const l = row("link");
  printTable([
    { path: "direct", "median ms": d.ms, tokens: d.toks, "tokens/s": d.rate, "time ratio": 1 },
    {
      path: "edge + link",
      "median ms": l.ms,
      tokens: l.toks,
      "tokens/s": l.rate,
      "time ratio": l.ms / d.ms,
    },
  ]);
  console.log(
    `link overhead: ${((l.ms / d.ms - 1) * 100).toFixed(1)}% time, tokens/s ratio ` +
      `${(l.rate / d.rate).toFixed(3)} (goal: under 10%)`,
  );
} finally {
  await appliance.stop("SIGKILL");
  appliance.cleanup();
  await edge.dispose();
}
