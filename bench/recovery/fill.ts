/**
 * Fills an appliance store with data shaped like a working appliance's, up to a size on disk:
 * templates (a few versions each), finished jobs with their seed rows, one sample per row (the
 * template's rendered prompt in `messages`, an output of a few hundred to a few thousand
 * characters, a few failed or dropped ones) and a metered request per sample. Text is made of
 * words drawn from a Zipf-like vocabulary (English function words first, then made-up words), so
 * it compresses about as prose does, and every output is different. Prepared statements in one
 * transaction per job: about a minute for 1 GiB on two cores.
 */

import type { Store } from "../../appliance/store/db.ts";
import { mulberry32 } from "../../shared/synth/prng.ts";
import { createTemplateVersion } from "../../shared/synth/store/templates.ts";

const FUNCTION_WORDS =
  "the of and to a in is it that for with as was on be by this are or from at an but not have we they you he she which their will can more one all".split(
    " ",
  );
const ONSETS = [
  "",
  "b",
  "c",
  "d",
  "f",
  "g",
  "h",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "w",
  "st",
  "tr",
  "pl",
  "ch",
  "sh",
  "th",
  "gr",
];
const VOWELS = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "io", "ee"];
const CODAS = ["", "", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "m", "ve"];
const TONES = ["formal", "friendly", "concise", "playful", "technical", "empathetic"];
const TENANTS = ["local", "research", "support"];

/** A source of text with its own seeded randomness. */
export class TextSource {
  readonly #random: () => number;
  readonly #words: string[];

  constructor(seed: number, vocabulary = 6000) {
    this.#random = mulberry32(seed);
    const words = new Set(FUNCTION_WORDS);
    while (words.size < vocabulary) {
      let word = "";
      const syllables = 1 + Math.floor(this.#random() * 3);
      for (let s = 0; s < syllables; s++) {
        word +=
          this.pick(ONSETS) + this.pick(VOWELS) + (s === syllables - 1 ? this.pick(CODAS) : "");
      }
      words.add(word);
    }
    this.#words = [...words];
  }

  /** A number in [0, 1). */
  random(): number {
    return this.#random();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T;
  }

  /** A word, rank r drawn with probability about 1/r (log-uniform rank), as in prose. */
  word(): string {
    const rank = Math.floor(this.#words.length ** this.#random()) - 1;
    return this.#words[rank] as string;
  }

  /** Sentences of 5 to 22 words, in paragraphs, until about `chars` characters. */
  text(chars: number): string {
    const parts: string[] = [];
    let length = 0;
    while (length < chars) {
      const n = this.int(5, 22);
      let sentence = this.word();
      sentence = sentence[0]?.toUpperCase() + sentence.slice(1);
      for (let i = 1; i < n; i++) sentence += (this.#random() < 0.08 ? ", " : " ") + this.word();
      sentence += this.#random() < 0.1 ? "?" : ".";
      const sep = parts.length === 0 ? "" : this.#random() < 0.15 ? "\n\n" : " ";
      parts.push(sep, sentence);
      length += sep.length + sentence.length;
    }
    return parts.join("");
  }
}

/** What {@link fillStore} wrote. */
export interface FillResult {
  templates: number;
  jobs: number;
  samples: number;
}

interface Template {
  id: string;
  tenantId: string;
  system: string;
  prompt: string;
}

/**
 * Writes jobs into `store` until its database reaches `targetBytes` (pages in use, WAL
 * included), then checkpoints it so the file on disk is the whole database.
 */
export async function fillStore(
  store: Store,
  targetBytes: number,
  { seed = 21, onProgress }: { seed?: number; onProgress?: (bytes: number) => void } = {},
): Promise<FillResult> {
  const src = new TextSource(seed);
  const { sqlite } = store;
  const start = new Date("2026-06-01T00:00:00Z").getTime();
  const templates: Template[] = [];
  for (let t = 0; t < 40; t++) {
    const tenantId = TENANTS[t % TENANTS.length] as string;
    for (let v = 0, versions = src.int(1, 3); v < versions; v++) {
      const system = src.text(src.int(80, 400));
      const prompt = `${src.text(src.int(150, 700))}\n\nTopic: {{ topic }}. Write to {{ name }} ({{ email }}) in a {{ tone }} tone.\n\n${src.text(src.int(100, 700))}`;
      const row = await createTemplateVersion(
        store.db,
        {
          tenantId,
          name: `tpl-${t}`,
          system,
          prompt,
          variables: ["topic", "name", "email", "tone"],
          params: { temperature: 0.8, max_tokens: 1024 },
        },
        new Date(start + t * 3_600_000),
      );
      templates.push({ id: row.id, tenantId, system, prompt });
    }
  }

  const insertJob = sqlite.prepare(
    `INSERT INTO jobs (id, tenant_id, template_id, model, key_id, params, samplers, steps, row_count,
       samples_per_row, concurrency, seed, status, created_at, started_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 'done', ?, ?, ?)`,
  );
  const insertRow = sqlite.prepare(
    "INSERT INTO job_rows (job_id, row_index, variables) VALUES (?, ?, ?)",
  );
  const insertSample = sqlite.prepare(
    `INSERT INTO samples (job_id, row_index, sample_index, status, variables, messages, output, error,
       attempts, kept, decision, prompt_tokens, completion_tokens, created_at)
     VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertUsage = sqlite.prepare(
    `INSERT INTO usage_events (id, tenant_id, key_id, route, model, target, prompt_tokens,
       completion_tokens, latency_ms, status, cache_status, created_at)
     VALUES (?, ?, ?, 'chat', ?, ?, ?, ?, ?, ?, 'none', ?)`,
  );
  const pageSize = sqlite.pragma("page_size", { simple: true }) as number;
  const bytes = () => (sqlite.pragma("page_count", { simple: true }) as number) * pageSize;

  const writeJob = sqlite.transaction((job: number) => {
    const template = src.pick(templates);
    const id = `job_${job.toString().padStart(6, "0")}`;
    const rows = src.int(200, 2000);
    const model = src.pick(["llama-3.1-8b-q4", "qwen2.5-7b-q4", "mistral-7b-q5"]);
    const keyId = src.random() < 0.5 ? `key_${template.tenantId}_${src.int(1, 4)}` : null;
    let at = start + job * 600_000;
    insertJob.run(
      id,
      template.tenantId,
      template.id,
      model,
      keyId,
      JSON.stringify({ temperature: 0.8, max_tokens: 1024, top_p: 0.95 }),
      JSON.stringify({ tone: { type: "choice", values: TONES } }),
      JSON.stringify(src.random() < 0.3 ? [{ type: "dedup", threshold: 0.9 }] : []),
      rows,
      src.pick([1, 2, 4, 8]),
      job,
      at,
      at,
      at + rows * 900,
    );
    for (let row = 0; row < rows; row++) {
      at += src.int(100, 1500);
      const person = `${src.word()}.${src.word()}${src.int(1, 999)}`;
      const seedVars = {
        topic: `${src.word()} ${src.word()}`,
        name: person,
        email: `${person}@example.com`,
      };
      insertRow.run(id, row, JSON.stringify(seedVars));
      const variables = { ...seedVars, tone: src.pick(TONES) };
      const user = template.prompt
        .replace("{{ topic }}", variables.topic)
        .replace("{{ name }}", variables.name)
        .replace("{{ email }}", variables.email)
        .replace("{{ tone }}", variables.tone);
      const messages = [
        { role: "system", content: template.system },
        { role: "user", content: user },
      ];
      const failed = src.random() < 0.02;
      // Lengths skewed towards short answers: 200 to 4,000 characters, about 1,500 on average.
      const output = failed ? null : src.text(200 + Math.floor(3800 * src.random() ** 2));
      const dropped = !failed && src.random() < 0.05;
      const promptTokens = Math.round((template.system.length + user.length) / 4);
      const completionTokens = output ? Math.round(output.length / 4) : 0;
      insertSample.run(
        id,
        row,
        failed ? "failed" : "ok",
        JSON.stringify(variables),
        JSON.stringify(messages),
        output,
        failed ? "upstream timed out after 120000 ms" : null,
        failed ? 3 : 1,
        failed ? null : dropped ? 0 : 1,
        dropped
          ? JSON.stringify({
              step: 0,
              type: "dedup",
              reason: "near-duplicate of row 12",
              scores: { similarity: 0.93 },
            })
          : null,
        promptTokens,
        completionTokens,
        at,
      );
      insertUsage.run(
        `use_${id}_${row}`,
        template.tenantId,
        keyId,
        model,
        `local/${model}`,
        promptTokens,
        completionTokens,
        src.int(200, 6000),
        failed ? 504 : 200,
        at,
      );
    }
    return rows;
  });

  // The store's own settings are kept for the bench; while filling, nothing needs to be durable.
  sqlite.pragma("synchronous = OFF");
  let jobs = 0;
  let samples = 0;
  try {
    while (bytes() < targetBytes) {
      samples += writeJob(jobs++);
      onProgress?.(bytes());
    }
  } finally {
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return { templates: templates.length, jobs, samples };
}
