import { describe, expect, it } from "vitest";
import { planColumns } from "./columns.ts";
import {
  type ColumnValue,
  type JobStore,
  runJob,
  type SampleOutcome,
  sampleKey,
} from "./job-runner.ts";
import { type CompleteChat, createTemplateSampleGenerator } from "./sample-generator.ts";

const column = (name: string, prompt: string) => ({ name, prompt });

function thrown(fn: () => unknown): {
  status: number;
  message: string;
  param?: string;
  code?: string;
} {
  try {
    fn();
  } catch (err) {
    return err as { status: number; message: string };
  }
  throw new Error("expected an error");
}

describe("planColumns", () => {
  it("orders columns after the columns they read, else in declaration order", () => {
    expect(
      planColumns([
        column("answer", "Answer {{ columns.question }} in {{ columns.language }}"),
        column("question", "Ask about {{ topic }} in {{ columns.language }}"),
        column("language", "Pick a language"),
        column("note", "A note"),
      ]),
    ).toEqual(["language", "question", "answer", "note"]);
    expect(planColumns([])).toEqual([]);
  });

  it("refuses a cycle with a 400 that names it", () => {
    const err = thrown(() =>
      planColumns([
        column("a", "{{ columns.b }}"),
        column("b", "{{ columns.c }}"),
        column("c", "x {{ columns.a }}"),
      ]),
    );
    expect(err).toMatchObject({ status: 400, code: "column_cycle", param: "columns.0.prompt" });
    expect(err.message).toBe("columns form a cycle: a → b → c → a");
    expect(thrown(() => planColumns([column("self", "{{ columns.self }}")])).message).toBe(
      "columns form a cycle: self → self",
    );
  });

  it("refuses unknown columns (in columns and in the template's prompts), duplicates and dynamic reads", () => {
    const unknown = thrown(() =>
      planColumns([column("a", "{{ columns.ghost }} {{ columns.b }}"), column("b", "x")]),
    );
    expect(unknown).toMatchObject({
      status: 400,
      code: "unknown_column",
      param: "columns.0.prompt",
    });
    expect(unknown.message).toBe("columns.0.prompt reads unknown column 'ghost'");
    expect(
      thrown(() =>
        planColumns([column("a", "x")], [{ field: "prompt", source: "{{ columns.nope }}" }]),
      ).message,
    ).toBe("prompt reads unknown column 'nope'");
    expect(
      thrown(() => planColumns([], [{ field: "prompt", source: "{{ columns.a }}" }])).code,
    ).toBe("unknown_column");
    expect(thrown(() => planColumns([column("a", "x"), column("a", "y")]))).toMatchObject({
      code: "duplicate_column",
      param: "columns.1.name",
    });
    expect(thrown(() => planColumns([column("a", "{{ columns[k] }}")])).code).toBe(
      "invalid_column_reference",
    );
  });
});

/** A store in memory, with saved columns, that behaves like the SQLite ones. */
function memoryStore(): JobStore & {
  outcomes: SampleOutcome[];
  saved: Map<string, Record<string, ColumnValue>>;
} {
  const outcomes: SampleOutcome[] = [];
  const saved = new Map<string, Record<string, ColumnValue>>();
  return {
    outcomes,
    saved,
    committedKeys: () => new Set(outcomes.map(sampleKey)),
    commit(outcome) {
      if (outcomes.some((o) => sampleKey(o) === sampleKey(outcome))) return;
      outcomes.push(outcome);
      saved.delete(sampleKey(outcome));
    },
    loadColumns: (task) => ({ ...saved.get(sampleKey(task)) }),
    saveColumn(task, name, value) {
      const columns = saved.get(sampleKey(task)) ?? {};
      columns[name] ??= value;
      saved.set(sampleKey(task), columns);
    },
  };
}

const template = {
  prompt: "Answer: {{ columns.answer }}. Grade it.",
  columns: [
    column("answer", "Q: {{ columns.question }} A:"),
    { ...column("question", "A question about {{ topic }}?"), params: { max_tokens: 7 } },
  ],
};

describe("a template with generated columns", () => {
  it("generates columns in order, feeding each output to the next prompt, and records them all", async () => {
    const calls: { prompt: string; seed?: number; max_tokens?: number }[] = [];
    const complete: CompleteChat = async (request) => {
      const prompt = request.messages.at(-1)?.content as string;
      calls.push({
        prompt,
        seed: request.seed ?? undefined,
        max_tokens: request.max_tokens ?? undefined,
      });
      return {
        text: ` out${calls.length} `,
        finishReason: "stop",
        promptTokens: 10,
        completionTokens: 3,
      };
    };
    const store = memoryStore();
    await runJob(
      { rows: 1, samplesPerRow: 1, concurrency: 1 },
      store,
      createTemplateSampleGenerator({
        template,
        rows: () => ({ topic: "owls" }),
        samplers: {},
        seed: 1,
        model: "m",
        params: { max_tokens: 20 },
        complete,
      }),
    );
    expect(calls.map((c) => c.prompt)).toEqual([
      "A question about owls?",
      "Q: out1 A:",
      "Answer: out2. Grade it.",
    ]);
    expect(calls.map((c) => c.max_tokens)).toEqual([7, 20, 20]);
    expect(new Set(calls.map((c) => c.seed)).size).toBe(3);
    const [sample] = store.outcomes;
    expect(sample).toMatchObject({
      status: "ok",
      variables: { topic: "owls" },
      output: " out3 ",
      promptTokens: 30,
      completionTokens: 9,
      columns: {
        question: {
          value: "out1",
          messages: [{ role: "user", content: "A question about owls?" }],
        },
        answer: { value: "out2", messages: [{ role: "user", content: "Q: out1 A:" }] },
      },
    });
    expect(Object.keys((sample as { columns: object }).columns)).toEqual(["question", "answer"]);
    expect(store.saved.size).toBe(0);
  });

  it("resumed after a stop between columns, generates only the missing columns", async () => {
    const store = memoryStore();
    const options = {
      template,
      rows: () => ({ topic: "rain" }),
      samplers: {},
      seed: 3,
      model: "m",
      params: {},
    };
    // First run: stopped (as by a crash) while the second column is being generated.
    const stop = new AbortController();
    const first: string[] = [];
    const stopped = await runJob(
      { rows: 1, samplesPerRow: 1, concurrency: 1 },
      store,
      createTemplateSampleGenerator({
        ...options,
        complete: async (request) => {
          first.push(request.messages.at(-1)?.content as string);
          if (first.length === 2) {
            stop.abort();
            throw new Error("killed");
          }
          return { text: "why rain", finishReason: "stop", promptTokens: 1, completionTokens: 1 };
        },
      }),
      { signal: stop.signal },
    );
    expect(stopped.state).toBe("cancelled");
    expect(store.outcomes).toHaveLength(0);
    expect(Object.keys(store.saved.get("0:0") ?? {})).toEqual(["question"]);

    const second: string[] = [];
    const resumed = await runJob(
      { rows: 1, samplesPerRow: 1, concurrency: 1 },
      store,
      createTemplateSampleGenerator({
        ...options,
        complete: async (request) => {
          second.push(request.messages.at(-1)?.content as string);
          return { text: "wet", finishReason: "stop", promptTokens: 1, completionTokens: 1 };
        },
      }),
    );
    expect(resumed.state).toBe("done");
    expect(second).toEqual(["Q: why rain A:", "Answer: wet. Grade it."]);
    expect(store.outcomes).toHaveLength(1);
    expect(store.outcomes[0]).toMatchObject({
      columns: { question: { value: "why rain" }, answer: { value: "wet" } },
    });
    expect(store.saved.size).toBe(0);
  });

  it("keeps a column made before a failed attempt when the sample is retried", async () => {
    const prompts: string[] = [];
    const store = memoryStore();
    await runJob(
      { rows: 1, samplesPerRow: 1, concurrency: 1, backoffMs: 1 },
      // Without loadColumns/saveColumn the checkpoint lives in memory for this run's attempts.
      { committedKeys: store.committedKeys, commit: store.commit },
      createTemplateSampleGenerator({
        template,
        rows: () => ({ topic: "x" }),
        samplers: {},
        seed: 1,
        model: "m",
        params: {},
        complete: async (request) => {
          prompts.push(request.messages.at(-1)?.content as string);
          if (prompts.length === 2) throw Object.assign(new Error("busy"), { status: 503 });
          return { text: "v", finishReason: "stop", promptTokens: 1, completionTokens: 1 };
        },
      }),
    );
    expect(prompts).toEqual(["A question about x?", "Q: v A:", "Q: v A:", "Answer: v. Grade it."]);
    expect(store.outcomes[0]).toMatchObject({ status: "ok", attempts: 2 });
  });
});
