/**
 * The typed TextNLP client: a method for every operation of the appliance's and the edge's
 * `/openapi.json`, each calling the route definition `operations.ts` names for it, with
 * streaming helpers. Only `fetch` and web streams, so it runs in Node, browsers and Workers; pass
 * your own `fetch` (a service binding, a test server) when needed.
 */
import type { z } from "zod";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from "../api/schemas/chat.ts";
import type { Completion, CompletionRequest } from "../api/schemas/completions.ts";
import type { EmbeddingList, EmbeddingRequest } from "../api/schemas/embeddings.ts";
import type { Model, ModelList } from "../api/schemas/models.ts";
import type {
  ReviewAssignRequest,
  ReviewAssignResponse,
  ReviewImportResponse,
  ReviewSummaryResponse,
  ReviewTask,
  ReviewTaskList,
  ReviewTaskQuery,
  ReviewVerdictBody,
} from "../api/schemas/review.ts";
import type {
  Dataset,
  ExportQuery,
  Job,
  JobCreate,
  SampleList,
  SampleQuery,
  SeedSetSchema,
  Template,
  TemplateCreate,
  TemplatePreview,
  TemplatePreviewRequest,
} from "../api/schemas/synth.ts";
import type {
  ValidateRequest,
  ValidateResponse,
  ValidationRun,
  ValidationRunList,
} from "../api/schemas/validate.ts";
import { adminMethods } from "./admin.ts";
import { createTransport, type TextNlpClientOptions } from "./transport.ts";

export type { TextNlpClientOptions };

type List<T> = { object: "list"; data: T[] };
type Input<T extends z.ZodType> = z.input<T>;

/** Creates a client bound to one server. */
export function createClient(options: TextNlpClientOptions) {
  const { send, call, events } = createTransport(options);
  const stream = (res: Response) => res.body as ReadableStream<Uint8Array>;

  return {
    /** `GET /health`: liveness (no credentials needed). */
    health: () => call("health"),
    models: {
      list: () => call<"models.list", ModelList>("models.list"),
      /** One model by name (`provider/model` names too). */
      retrieve: (model: string) =>
        call<"models.retrieve", Model>("models.retrieve", { params: { model } }),
    },
    chat: {
      /** A chat completion (non-streaming). */
      create: (body: Omit<ChatCompletionRequest, "stream">) =>
        call<"chat.create", ChatCompletion>("chat.create", { body: { ...body, stream: false } }),
      /** A streamed chat completion: chunks until `[DONE]`; an in-band error is thrown. */
      stream: (body: Omit<ChatCompletionRequest, "stream">, signal?: AbortSignal) =>
        events<ChatCompletionChunk>("chat.stream", { body: { ...body, stream: true }, signal }),
    },
    /** Legacy text completions (`POST /v1/completions`). */
    completions: {
      create: (body: Omit<CompletionRequest, "stream">) =>
        call<"completions.create", Completion>("completions.create", {
          body: { ...body, stream: false },
        }),
      /** A streamed text completion: chunks (completion objects) until `[DONE]`. */
      stream: (body: Omit<CompletionRequest, "stream">, signal?: AbortSignal) =>
        events<Completion>("completions.stream", { body: { ...body, stream: true }, signal }),
    },
    embeddings: {
      create: (body: EmbeddingRequest) =>
        call<"embeddings.create", EmbeddingList>("embeddings.create", { body }),
    },
    templates: {
      create: (body: Input<typeof TemplateCreate>) =>
        call<"templates.create", Template>("templates.create", { body }),
      list: () => call<"templates.list", List<Template>>("templates.list"),
      versions: (name: string) =>
        call<"templates.versions", List<Template>>("templates.versions", { params: { name } }),
      preview: (name: string, body: Input<typeof TemplatePreviewRequest> = {}) =>
        call<"templates.preview", z.infer<typeof TemplatePreview>>("templates.preview", {
          params: { name },
          body,
        }),
    },
    jobs: {
      create: (body: Input<typeof JobCreate>) => call<"jobs.create", Job>("jobs.create", { body }),
      /** Tokens and time the job would take, measured on its prompts, without running it. */
      estimate: (body: Input<typeof JobCreate>) => call("jobs.estimate", { body }),
      list: () => call<"jobs.list", List<Job>>("jobs.list"),
      get: (id: string) => call<"jobs.get", Job>("jobs.get", { params: { id } }),
      cancel: (id: string) => call<"jobs.cancel", Job>("jobs.cancel", { params: { id } }),
      resume: (id: string) => call<"jobs.resume", Job>("jobs.resume", { params: { id } }),
      pause: (id: string) => call<"jobs.pause", Job>("jobs.pause", { params: { id } }),
      samples: (id: string, query: Partial<z.infer<typeof SampleQuery>> = {}) =>
        call<"jobs.samples", z.infer<typeof SampleList>>("jobs.samples", {
          params: { id },
          query,
        }),
      /** Progress snapshots as they happen, ending with the job's final state. */
      watch: (id: string, signal?: AbortSignal) =>
        events<Job>("jobs.watch", { params: { id }, signal }),
    },
    seedRows: {
      /** Uploads seed rows (JSONL or CSV text, or a byte stream) as a seed set for jobs. */
      upload: async (
        name: string,
        body: string | ReadableStream<Uint8Array>,
        format: "jsonl" | "csv" = "jsonl",
      ) => {
        const contentType = format === "csv" ? "text/csv" : "application/x-ndjson";
        const res = await send("seedRows.upload", { query: { name, format }, body, contentType });
        return (await res.json()) as z.infer<typeof SeedSetSchema>;
      },
    },
    datasets: {
      list: () => call<"datasets.list", List<z.infer<typeof Dataset>>>("datasets.list"),
      samples: (id: string, query: Partial<z.infer<typeof SampleQuery>> = {}) =>
        call<"datasets.samples", z.infer<typeof SampleList>>("datasets.samples", {
          params: { id },
          query,
        }),
      /** The export as a byte stream (write it to a file as it comes). */
      export: async (
        id: string,
        query: Partial<z.infer<typeof ExportQuery>> = {},
        signal?: AbortSignal,
      ) => stream(await send("datasets.export", { params: { id }, query, signal })),
      delete: (id: string) =>
        call<"datasets.delete", { id: string; deleted: true }>("datasets.delete", {
          params: { id },
        }),
    },
    validation: {
      /** Scores texts, or a dataset (recording the run): `POST /v1/validate`. */
      run: (body: Input<typeof ValidateRequest>) =>
        call<"validation.run", ValidateResponse>("validation.run", { body }),
      /** A dataset's recorded runs, newest first. */
      runs: (id: string) =>
        call<"validation.runs", z.infer<typeof ValidationRunList>>("validation.runs", {
          params: { id },
        }),
      /** One recorded run with each sample's figures. */
      get: (id: string, run: string) =>
        call<"validation.get", ValidationRun>("validation.get", { params: { id, run } }),
    },
    /** The human review queue of a dataset. */
    review: {
      /** Assigns samples to reviewers (appliance users); the first call sets the rubric. */
      assign: (id: string, body: Input<typeof ReviewAssignRequest>) =>
        call<"review.assign", z.infer<typeof ReviewAssignResponse>>("review.assign", {
          params: { id },
          body,
        }),
      tasks: (id: string, query: Partial<z.infer<typeof ReviewTaskQuery>> = {}) =>
        call<"review.tasks", z.infer<typeof ReviewTaskList>>("review.tasks", {
          params: { id },
          query,
        }),
      /** A reviewer's verdict: accept, reject or edit, with rubric ratings. */
      submit: (id: string, task: string, body: ReviewVerdictBody) =>
        call<"review.submit", ReviewTask>("review.submit", { params: { id, task }, body }),
      summary: (id: string) =>
        call<"review.summary", ReviewSummaryResponse>("review.summary", { params: { id } }),
      /** Every task as JSONL text. */
      export: async (id: string) => (await send("review.export", { params: { id } })).text(),
      /** Imports JSONL (as exported, or written offline); all lines or none. */
      import: async (id: string, jsonl: string) => {
        const res = await send("review.import", {
          params: { id },
          body: jsonl,
          contentType: "application/x-ndjson",
        });
        return (await res.json()) as z.infer<typeof ReviewImportResponse>;
      },
    },
    ...adminMethods(call),
  };
}

/** The client type, for annotations. */
export type TextNlpClient = ReturnType<typeof createClient>;
