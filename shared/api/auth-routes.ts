/** Sign-in, token and user / audit admin routes (the edge serves them). */
import { createRoute, z } from "@hono/zod-openapi";
import { forbidden } from "./routes.ts";
import {
  AuditList,
  AuditQuery,
  CreateUserRequest,
  RefreshRequest,
  SetPasswordRequest,
  TokenRequest,
  TokenResponse,
  UpdateUserRequest,
  UserInfo,
  UserList,
} from "./schemas/auth.ts";
import { ErrorEnvelopeSchema, errorResponses } from "./schemas/common.ts";

const bearer = [{ bearerAuth: [] }];
const conflict = {
  409: {
    description: "The name is taken, or the change would leave the tenant without an admin",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
} as const;
const tokens = {
  200: { description: "Tokens", content: { "application/json": { schema: TokenResponse } } },
  ...errorResponses,
} as const;

/** `POST /v1/auth/token`: username and password within a tenant → access and refresh token. */
export const tokenRoute = createRoute({
  method: "post",
  path: "/v1/auth/token",
  tags: ["Auth"],
  summary: "Sign in",
  request: { body: { required: true, content: { "application/json": { schema: TokenRequest } } } },
  // 429 (errorResponses): too many failed sign-ins for the name; see Retry-After.
  responses: tokens,
});

/** `POST /v1/auth/refresh`: a refresh token → new tokens; the old one is spent. */
export const refreshRoute = createRoute({
  method: "post",
  path: "/v1/auth/refresh",
  tags: ["Auth"],
  summary: "Rotate a refresh token",
  request: {
    body: { required: true, content: { "application/json": { schema: RefreshRequest } } },
  },
  responses: tokens,
});

/** `POST /v1/auth/logout`: revokes the refresh token's whole family. */
export const logoutRoute = createRoute({
  method: "post",
  path: "/v1/auth/logout",
  tags: ["Auth"],
  summary: "Sign out (revoke the refresh token family)",
  request: {
    body: { required: true, content: { "application/json": { schema: RefreshRequest } } },
  },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const userId = z.object({ id: z.string().min(1).max(64) });
const oneUser = (description: string) => ({
  description,
  content: { "application/json": { schema: UserInfo } },
});

/** `POST /v1/admin/users`: a user in the caller's tenant. */
export const createUserRoute = createRoute({
  method: "post",
  path: "/v1/admin/users",
  tags: ["Admin"],
  summary: "Create a user",
  security: bearer,
  request: {
    body: { required: true, content: { "application/json": { schema: CreateUserRequest } } },
  },
  responses: { 201: oneUser("The user"), ...errorResponses, ...forbidden, ...conflict },
});

/** `GET /v1/admin/users`: the caller's tenant's users. */
export const listUsersRoute = createRoute({
  method: "get",
  path: "/v1/admin/users",
  tags: ["Admin"],
  summary: "List users",
  security: bearer,
  responses: {
    200: { description: "Users", content: { "application/json": { schema: UserList } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** `PATCH /v1/admin/users/{id}`: changes a user's role. */
export const updateUserRoute = createRoute({
  method: "patch",
  path: "/v1/admin/users/{id}",
  tags: ["Admin"],
  summary: "Change a user's role",
  security: bearer,
  request: {
    params: userId,
    body: { required: true, content: { "application/json": { schema: UpdateUserRequest } } },
  },
  responses: { 200: oneUser("The updated user"), ...errorResponses, ...forbidden, ...conflict },
});

/** `DELETE /v1/admin/users/{id}`: deletes a user and their refresh tokens. */
export const deleteUserRoute = createRoute({
  method: "delete",
  path: "/v1/admin/users/{id}",
  tags: ["Admin"],
  summary: "Delete a user",
  security: bearer,
  request: { params: userId },
  responses: { 200: oneUser("The deleted user"), ...errorResponses, ...forbidden, ...conflict },
});

/** `POST /v1/admin/users/{id}/disable`: the user can no longer sign in. */
export const disableUserRoute = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/disable",
  tags: ["Admin"],
  summary: "Disable a user",
  security: bearer,
  request: { params: userId },
  responses: { 200: oneUser("The disabled user"), ...errorResponses, ...forbidden, ...conflict },
});

/** `POST /v1/admin/users/{id}/enable`: a disabled user can sign in again. */
export const enableUserRoute = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/enable",
  tags: ["Admin"],
  summary: "Enable a user",
  security: bearer,
  request: { params: userId },
  responses: { 200: oneUser("The enabled user"), ...errorResponses, ...forbidden },
});

/** `PUT /v1/admin/users/{id}/password`: sets a new password; ends their sessions. */
export const setUserPasswordRoute = createRoute({
  method: "put",
  path: "/v1/admin/users/{id}/password",
  tags: ["Admin"],
  summary: "Reset a user's password",
  security: bearer,
  request: {
    params: userId,
    body: { required: true, content: { "application/json": { schema: SetPasswordRequest } } },
  },
  responses: { 200: oneUser("The user"), ...errorResponses, ...forbidden },
});

/** `GET /v1/admin/audit`: the caller's tenant's admin actions, newest first. */
export const auditRoute = createRoute({
  method: "get",
  path: "/v1/admin/audit",
  tags: ["Admin"],
  summary: "Audit log",
  security: bearer,
  request: { query: AuditQuery },
  responses: {
    200: { description: "Entries", content: { "application/json": { schema: AuditList } } },
    ...errorResponses,
    ...forbidden,
  },
});
