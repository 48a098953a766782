/**
 * The hybrid link's HTTP routes on the edge: the sites admin API (`admin:sites` scope, the
 * owner tenant) and the two endpoints an appliance calls, outside `/v1` and authenticated by
 * an enrollment code or its site credential instead of an API key.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { Enrollment, EnrollRequest, LINK_PATHS } from "../protocol/index.ts";
import { forbidden } from "./routes.ts";
import { ErrorEnvelopeSchema, errorResponses } from "./schemas/common.ts";
import {
  ApplianceRevoked,
  CreateSiteRequest,
  EnrollmentCode,
  IssueEnrollmentCodeRequest,
  ShareSiteRequest,
  SiteInfo,
  SiteList,
  SiteShare,
} from "./schemas/sites.ts";

const bearer = [{ bearerAuth: [] }];
const admin = { tags: ["Sites"], security: bearer };
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const siteParam = z.object({ site: z.string() });
const conflict = {
  409: json("The tenant already has a site by this id", ErrorEnvelopeSchema),
} as const;

/** `POST /v1/admin/sites`: a new site of the caller's tenant (ids are unique per tenant). */
export const createSiteRoute = createRoute({
  ...admin,
  method: "post",
  path: "/v1/admin/sites",
  summary: "Create a site",
  request: jsonBody(CreateSiteRequest),
  responses: {
    201: json("The site", SiteInfo),
    ...errorResponses,
    ...forbidden,
    ...conflict,
  },
});

/** `GET /v1/admin/sites`: sites owned or shared, each owned one with its appliances' status. */
export const listSitesRoute = createRoute({
  ...admin,
  method: "get",
  path: "/v1/admin/sites",
  summary: "List sites and their appliances",
  responses: { 200: json("Sites", SiteList), ...errorResponses, ...forbidden },
});

/** `POST /v1/admin/sites/{site}/shares`: another tenant may use the site's models. */
export const shareSiteRoute = createRoute({
  ...admin,
  method: "post",
  path: "/v1/admin/sites/{site}/shares",
  summary: "Share a site with another tenant",
  request: { params: siteParam, ...jsonBody(ShareSiteRequest) },
  responses: { 201: json("The share", SiteShare), ...errorResponses, ...forbidden },
});

/** `POST /v1/admin/sites/{site}/enrollment-codes`: a one-time code an appliance enrolls with. */
export const issueEnrollmentCodeRoute = createRoute({
  ...admin,
  method: "post",
  path: "/v1/admin/sites/{site}/enrollment-codes",
  summary: "Issue a one-time enrollment code",
  request: { params: siteParam, ...jsonBody(IssueEnrollmentCodeRequest) },
  responses: { 201: json("The code, shown once", EnrollmentCode), ...errorResponses, ...forbidden },
});

/** `DELETE /v1/admin/sites/{site}/appliances/{appliance}`: its link closes, it cannot redial. */
export const revokeApplianceRoute = createRoute({
  ...admin,
  method: "delete",
  path: "/v1/admin/sites/{site}/appliances/{appliance}",
  summary: "Revoke an appliance",
  request: { params: siteParam.extend({ appliance: z.string() }) },
  responses: { 200: json("Revoked", ApplianceRevoked), ...errorResponses, ...forbidden },
});

/** `POST /link/v1/enroll`: an appliance exchanges a code for its site credential. */
export const enrollApplianceRoute = createRoute({
  method: "post",
  path: LINK_PATHS.enroll,
  tags: ["Link"],
  summary: "Enroll an appliance with a one-time code",
  security: [],
  request: jsonBody(EnrollRequest.openapi("EnrollRequest")),
  responses: {
    201: json("The site credential, shown once", Enrollment.openapi("Enrollment")),
    ...errorResponses,
    401: json("The code is unknown, already used or expired", ErrorEnvelopeSchema),
  },
});

/** `GET /link/v1/connect`: the WebSocket an enrolled appliance dials (site credential as bearer). */
export const connectApplianceRoute = createRoute({
  method: "get",
  path: LINK_PATHS.connect,
  tags: ["Link"],
  summary: "Open an appliance's link (WebSocket; frames in shared/protocol)",
  security: bearer,
  responses: {
    101: { description: "Switching to the WebSocket of the link" },
    400: json("Not a WebSocket upgrade", ErrorEnvelopeSchema),
    401: json("Unknown or revoked site credential", ErrorEnvelopeSchema),
  },
});
