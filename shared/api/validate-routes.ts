import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "./schemas/common.ts";
import { ValidateRequest, ValidateResponse } from "./schemas/validate.ts";

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
