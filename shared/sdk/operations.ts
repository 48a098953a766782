/**
 * Which route definition each client method calls: the client builds every request from the
 * route object named here (its method and path), so a method cannot drift from its route, and
 * the tests that walk the servers' `/openapi.json` (`coverage.ts`) find a route without a method.
 * Keys are the methods' paths on the client (`jobs.estimate` is `client.jobs.estimate`).
 */
import type { z } from "zod";
import {
  auditRoute,
  createUserRoute,
  deleteUserRoute,
  disableUserRoute,
  enableUserRoute,
  listUsersRoute,
  logoutRoute,
  refreshRoute,
  setUserPasswordRoute,
  tokenRoute,
  updateUserRoute,
} from "../api/auth-routes.ts";
import {
  deleteKeyLimitsRoute,
  deleteTenantLimitsRoute,
  getKeyLimitsRoute,
  getTenantLimitsRoute,
  putKeyLimitsRoute,
  putTenantLimitsRoute,
} from "../api/limit-routes.ts";
import {
  assignReviewRoute,
  exportReviewsRoute,
  importReviewsRoute,
  listReviewTasksRoute,
  reviewSummaryRoute,
  submitReviewRoute,
} from "../api/review-routes.ts";
import {
  chatCompletionsRoute,
  completionsRoute,
  createApiKeyRoute,
  deleteProviderKeyRoute,
  embeddingsRoute,
  healthRoute,
  listApiKeysRoute,
  listModelsRoute,
  listProviderKeysRoute,
  putProviderKeyRoute,
  retrieveModelRoute,
  revokeApiKeyRoute,
  usageRoute,
} from "../api/routes.ts";
import {
  createSiteRoute,
  issueEnrollmentCodeRoute,
  listSitesRoute,
  revokeApplianceRoute,
  shareSiteRoute,
} from "../api/site-routes.ts";
import {
  cancelJobRoute,
  createJobRoute,
  createTemplateRoute,
  datasetSamplesRoute,
  deleteDatasetRoute,
  estimateJobRoute,
  exportDatasetRoute,
  getJobRoute,
  jobEventsRoute,
  jobSamplesRoute,
  listDatasetsRoute,
  listJobsRoute,
  listTemplatesRoute,
  pauseJobRoute,
  previewTemplateRoute,
  resumeJobRoute,
  templateVersionsRoute,
  uploadSeedRowsRoute,
} from "../api/synth-routes.ts";
import {
  getValidationRunRoute,
  listValidationRunsRoute,
  validateRoute,
} from "../api/validate-routes.ts";

/** The client method (dotted path) → the route definition it calls. */
export const clientOperations = {
  health: healthRoute,
  "models.list": listModelsRoute,
  "models.retrieve": retrieveModelRoute,
  "chat.create": chatCompletionsRoute,
  "chat.stream": chatCompletionsRoute,
  "completions.create": completionsRoute,
  "completions.stream": completionsRoute,
  "embeddings.create": embeddingsRoute,
  "templates.create": createTemplateRoute,
  "templates.list": listTemplatesRoute,
  "templates.versions": templateVersionsRoute,
  "templates.preview": previewTemplateRoute,
  "jobs.create": createJobRoute,
  "jobs.estimate": estimateJobRoute,
  "jobs.list": listJobsRoute,
  "jobs.get": getJobRoute,
  "jobs.cancel": cancelJobRoute,
  "jobs.resume": resumeJobRoute,
  "jobs.pause": pauseJobRoute,
  "jobs.samples": jobSamplesRoute,
  "jobs.watch": jobEventsRoute,
  "seedRows.upload": uploadSeedRowsRoute,
  "datasets.list": listDatasetsRoute,
  "datasets.samples": datasetSamplesRoute,
  "datasets.export": exportDatasetRoute,
  "datasets.delete": deleteDatasetRoute,
  "validation.run": validateRoute,
  "validation.runs": listValidationRunsRoute,
  "validation.get": getValidationRunRoute,
  "review.assign": assignReviewRoute,
  "review.tasks": listReviewTasksRoute,
  "review.submit": submitReviewRoute,
  "review.summary": reviewSummaryRoute,
  "review.export": exportReviewsRoute,
  "review.import": importReviewsRoute,
  usage: usageRoute,
  "auth.token": tokenRoute,
  "auth.refresh": refreshRoute,
  "auth.logout": logoutRoute,
  "admin.keys.create": createApiKeyRoute,
  "admin.keys.list": listApiKeysRoute,
  "admin.keys.revoke": revokeApiKeyRoute,
  "admin.providerKeys.put": putProviderKeyRoute,
  "admin.providerKeys.list": listProviderKeysRoute,
  "admin.providerKeys.delete": deleteProviderKeyRoute,
  "admin.users.create": createUserRoute,
  "admin.users.list": listUsersRoute,
  "admin.users.update": updateUserRoute,
  "admin.users.delete": deleteUserRoute,
  "admin.users.disable": disableUserRoute,
  "admin.users.enable": enableUserRoute,
  "admin.users.setPassword": setUserPasswordRoute,
  "admin.limits.getTenant": getTenantLimitsRoute,
  "admin.limits.setTenant": putTenantLimitsRoute,
  "admin.limits.resetTenant": deleteTenantLimitsRoute,
  "admin.limits.getKey": getKeyLimitsRoute,
  "admin.limits.setKey": putKeyLimitsRoute,
  "admin.limits.resetKey": deleteKeyLimitsRoute,
  "admin.audit": auditRoute,
  "admin.sites.create": createSiteRoute,
  "admin.sites.list": listSitesRoute,
  "admin.sites.share": shareSiteRoute,
  "admin.sites.issueEnrollmentCode": issueEnrollmentCodeRoute,
  "admin.sites.revokeAppliance": revokeApplianceRoute,
} as const;

/** A client method's dotted path. */
export type OperationName = keyof typeof clientOperations;
type RouteOf<N extends OperationName> = (typeof clientOperations)[N];

type JsonSchema<C> = C extends { content: { "application/json": { schema: infer S } } }
  ? S extends z.ZodType
    ? S
    : never
  : never;
type Request<N extends OperationName> = RouteOf<N> extends { request: infer R } ? R : never;

/** The path parameters of an operation (`{ id: string }`), or `never` when it has none. */
export type OperationParams<N extends OperationName> =
  Request<N> extends {
    params: infer P extends z.ZodType;
  }
    ? z.input<P>
    : never;
/** The query of an operation, as the caller writes it. */
export type OperationQuery<N extends OperationName> =
  Request<N> extends {
    query: infer Q extends z.ZodType;
  }
    ? Partial<z.input<Q>>
    : never;
/** The JSON body of an operation, as the caller writes it (defaults may be left out). */
export type OperationBody<N extends OperationName> =
  Request<N> extends { body: infer B } ? z.input<JsonSchema<B>> : never;
/** The JSON answer of an operation's success status (200 or 201); `void` for a 204. */
export type OperationResult<N extends OperationName> =
  RouteOf<N> extends {
    responses: infer Rs;
  }
    ? Rs extends { 200: infer Ok }
      ? z.output<JsonSchema<Ok>>
      : Rs extends { 201: infer Created }
        ? z.output<JsonSchema<Created>>
        : undefined
    : never;
