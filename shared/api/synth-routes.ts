import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "./schemas/common.ts";
import {
  DatasetList,
  ExportQuery,
  Job,
  JobCreate,
  JobEstimate,
  JobList,
  SampleList,
  SampleQuery,
  SeedSetSchema,
  SeedUploadQuery,
  Template,
  TemplateCreate,
  TemplateList,
  TemplatePreview,
  TemplatePreviewRequest,
} from "./schemas/synth.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const NameParam = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

export const createTemplateRoute = createRoute({
  method: "post",
  path: "/v1/templates",
  tags: ["Synthetic data"],
  summary: "Create a template, or the next version of one",
  security: bearer,
  request: { body: { required: true, content: json(TemplateCreate) } },
  responses: {
    201: { description: "The new version", content: json(Template) },
    ...errorResponses,
  },
});

export const listTemplatesRoute = createRoute({
  method: "get",
  path: "/v1/templates",
  tags: ["Synthetic data"],
  summary: "Latest version of each template",
  security: bearer,
  responses: { 200: { description: "Templates", content: json(TemplateList) }, ...errorResponses },
});

export const templateVersionsRoute = createRoute({
  method: "get",
  path: "/v1/templates/{name}/versions",
  tags: ["Synthetic data"],
  summary: "Every version of a template, newest first",
  security: bearer,
  request: { params: NameParam },
  responses: { 200: { description: "Versions", content: json(TemplateList) }, ...errorResponses },
});

export const previewTemplateRoute = createRoute({
  method: "post",
  path: "/v1/templates/{name}/preview",
  tags: ["Synthetic data"],
  summary: "Render prompts without generating",
  security: bearer,
  request: { params: NameParam, body: { required: true, content: json(TemplatePreviewRequest) } },
  responses: {
    200: { description: "Rendered prompts", content: json(TemplatePreview) },
    ...errorResponses,
  },
});

export const createJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs",
  tags: ["Synthetic data"],
  summary: "Start a batch generation job",
  security: bearer,
  request: { body: { required: true, content: json(JobCreate) } },
  responses: { 201: { description: "The queued job", content: json(Job) }, ...errorResponses },
});

export const listJobsRoute = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags: ["Synthetic data"],
  summary: "Recent jobs",
  security: bearer,
  responses: { 200: { description: "Jobs", content: json(JobList) }, ...errorResponses },
});

export const getJobRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  tags: ["Synthetic data"],
  summary: "A job and its progress",
  security: bearer,
  request: { params: IdParam },
  responses: { 200: { description: "The job", content: json(Job) }, ...errorResponses },
});

export const cancelJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/cancel",
  tags: ["Synthetic data"],
  summary: "Cancel a job (committed samples stay)",
  security: bearer,
  request: { params: IdParam },
  responses: { 200: { description: "The job", content: json(Job) }, ...errorResponses },
});

export const resumeJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/resume",
  tags: ["Synthetic data"],
  summary: "Resume a cancelled or failed job: only missing samples are generated",
  security: bearer,
  request: { params: IdParam },
  responses: { 200: { description: "The job", content: json(Job) }, ...errorResponses },
});

export const jobEventsRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/events",
  tags: ["Synthetic data"],
  summary: "Progress as server-sent events until the job ends",
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: {
      description: "`data:` lines each holding a Job",
      content: { "text/event-stream": { schema: Job } },
    },
    ...errorResponses,
  },
});

export const jobSamplesRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/samples",
  tags: ["Synthetic data"],
  summary: "A page of a job's samples in key order",
  security: bearer,
  request: { params: IdParam, query: SampleQuery },
  responses: { 200: { description: "Samples", content: json(SampleList) }, ...errorResponses },
});

export const listDatasetsRoute = createRoute({
  method: "get",
  path: "/v1/datasets",
  tags: ["Synthetic data"],
  summary: "Datasets: the samples of finished jobs",
  security: bearer,
  responses: { 200: { description: "Datasets", content: json(DatasetList) }, ...errorResponses },
});

export const datasetSamplesRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/samples",
  tags: ["Synthetic data"],
  summary: "Browse a dataset's samples (paging; filter by status and kept)",
  security: bearer,
  request: { params: IdParam, query: SampleQuery },
  responses: { 200: { description: "Samples", content: json(SampleList) }, ...errorResponses },
});

export const exportDatasetRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/export",
  tags: ["Synthetic data"],
  summary: "Export as JSONL, CSV, chat fine-tuning JSONL or Parquet (streamed)",
  security: bearer,
  request: { params: IdParam, query: ExportQuery },
  responses: {
    200: {
      description: "The file",
      content: {
        "application/x-ndjson": { schema: z.string() },
        "text/csv": { schema: z.string() },
        "application/vnd.apache.parquet": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    ...errorResponses,
  },
});

export const deleteDatasetRoute = createRoute({
  method: "delete",
  path: "/v1/datasets/{id}",
  tags: ["Synthetic data"],
  summary: "Delete a dataset: its job, rows, samples and decisions",
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: {
      description: "Deleted",
      content: json(
        z.object({ id: z.string(), object: z.literal("dataset"), deleted: z.literal(true) }),
      ),
    },
    ...errorResponses,
  },
});

export const estimateJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/estimate",
  tags: ["Synthetic data"],
  summary: "Tokens and time a job would take, without running it",
  security: bearer,
  request: { body: { required: true, content: json(JobCreate) } },
  responses: {
    200: { description: "The estimate", content: json(JobEstimate) },
    ...errorResponses,
  },
});

export const uploadSeedRowsRoute = createRoute({
  method: "post",
  path: "/v1/seed-rows",
  tags: ["Synthetic data"],
  summary: "Upload seed rows (JSONL or CSV, streamed; its own size limit) for jobs to use",
  description:
    "Send the file as the raw body (`application/x-ndjson` or `text/csv`, or `?format=`).",
  security: bearer,
  request: { query: SeedUploadQuery },
  responses: {
    201: { description: "The stored seed set", content: json(SeedSetSchema) },
    ...errorResponses,
  },
});

export const pauseJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/pause",
  tags: ["Synthetic data"],
  summary: "Pause a job (committed samples stay; resume continues it)",
  security: bearer,
  request: { params: IdParam },
  responses: { 200: { description: "The job", content: json(Job) }, ...errorResponses },
});
