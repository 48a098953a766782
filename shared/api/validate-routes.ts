import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "./schemas/common.ts";
import {
  ValidateRequest,
  ValidateResponse,
  ValidationRun,
  ValidationRunList,
} from "./schemas/validate.ts";

/** `POST /v1/validate`: metrics and guards on given texts. */
export const validateRoute = createRoute({
  method: "post",
  path: "/v1/validate",
  tags: ["Validation"],
  summary:
    "Score texts: reference metrics (BLEU, chrF, ROUGE, METEOR), diversity, readability, guards",
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: ValidateRequest } } },
  },
  responses: {
    200: {
      description: "Per-text and aggregate figures",
      content: { "application/json": { schema: ValidateResponse } },
    },
    ...errorResponses,
  },
});

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

/** `GET /v1/datasets/{id}/validations`: the recorded validation runs of a dataset. */
export const listValidationRunsRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/validations",
  tags: ["Validation"],
  summary: "A dataset's recorded validation runs (dataset-level figures), newest first",
  security: [{ bearerAuth: [] }],
  request: { params: IdParam },
  responses: {
    200: { description: "Runs", content: { "application/json": { schema: ValidationRunList } } },
    ...errorResponses,
  },
});

/** `GET /v1/datasets/{id}/validations/{run}`: one run with its per-sample figures. */
export const getValidationRunRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/validations/{run}",
  tags: ["Validation"],
  summary: "One recorded validation run with each sample's figures",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParam.extend({ run: z.string().openapi({ param: { name: "run", in: "path" } }) }),
  },
  responses: {
    200: { description: "The run", content: { "application/json": { schema: ValidationRun } } },
    ...errorResponses,
  },
});
