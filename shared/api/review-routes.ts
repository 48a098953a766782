import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "./schemas/common.ts";
import {
  ReviewAssignRequest,
  ReviewAssignResponse,
  ReviewImportResponse,
  ReviewSummaryResponse,
  ReviewTask,
  ReviewTaskList,
  ReviewTaskQuery,
  ReviewVerdictBody,
} from "./schemas/review.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
const TaskParam = IdParam.extend({
  task: z.string().openapi({ param: { name: "task", in: "path" } }),
});
const tags = ["Review"];

/** `POST /v1/datasets/{id}/review/assign`: samples to reviewers, several per sample. */
export const assignReviewRoute = createRoute({
  method: "post",
  path: "/v1/datasets/{id}/review/assign",
  tags,
  summary: "Assign a dataset's samples to reviewers (appliance users), several per sample",
  security: bearer,
  request: { params: IdParam, body: { required: true, content: json(ReviewAssignRequest) } },
  responses: {
    200: { description: "Tasks created", content: json(ReviewAssignResponse) },
    ...errorResponses,
  },
});

export const listReviewTasksRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/review/tasks",
  tags,
  summary: "A dataset's review tasks, by reviewer and status",
  security: bearer,
  request: { params: IdParam, query: ReviewTaskQuery },
  responses: { 200: { description: "Tasks", content: json(ReviewTaskList) }, ...errorResponses },
});

export const submitReviewRoute = createRoute({
  method: "post",
  path: "/v1/datasets/{id}/review/tasks/{task}",
  tags,
  summary: "Accept, reject or edit a sample and rate it on the rubric",
  security: bearer,
  request: { params: TaskParam, body: { required: true, content: json(ReviewVerdictBody) } },
  responses: { 200: { description: "The task", content: json(ReviewTask) }, ...errorResponses },
});

export const reviewSummaryRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/review/summary",
  tags,
  summary: "Decisions, mean ratings, inter-annotator agreement and metric correlations",
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: { description: "Summary", content: json(ReviewSummaryResponse) },
    ...errorResponses,
  },
});

export const exportReviewsRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/review/export",
  tags,
  summary: "Review tasks as JSONL (one task per line, with the sample for context)",
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: { description: "JSONL", content: { "application/x-ndjson": { schema: z.string() } } },
    ...errorResponses,
  },
});

export const importReviewsRoute = createRoute({
  method: "post",
  path: "/v1/datasets/{id}/review/import",
  tags,
  summary: "Import review tasks and verdicts from JSONL (matched by row, sample, reviewer)",
  security: bearer,
  request: {
    params: IdParam,
    body: { required: true, content: { "application/x-ndjson": { schema: z.string() } } },
  },
  responses: {
    200: { description: "Imported", content: json(ReviewImportResponse) },
    ...errorResponses,
  },
});
