import { z } from "@hono/zod-openapi";
import { roles } from "../../db/schema/users.ts";

export const RoleName = z.enum(roles).openapi({ example: "developer" });

export const Username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only")
  .openapi({ example: "ada" });

/** `POST /v1/auth/token`: a user's sign-in within a tenant. */
export const TokenRequest = z
  .object({
    tenant: z.string().min(1).max(64),
    username: Username,
    password: z.string().min(1).max(1024),
  })
  .openapi("TokenRequest");

/** An access token (JWT) and the refresh token that renews it. */
export const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    /** Seconds until the access token expires. */
    expires_in: z.number().int(),
    refresh_token: z.string(),
    /** Seconds until the refresh token expires. */
    refresh_expires_in: z.number().int(),
  })
  .openapi("TokenResponse");
export type TokenResponse = z.infer<typeof TokenResponse>;

/** `POST /v1/auth/refresh` and `POST /v1/auth/logout` body. */
export const RefreshRequest = z
  .object({ refresh_token: z.string().min(1).max(256) })
  .openapi("RefreshRequest");

export const CreateUserRequest = z
  .object({
    username: Username,
    /** At least 12 characters, as on the appliance. */
    password: z.string().min(12).max(1024),
    role: RoleName,
  })
  .openapi("CreateUserRequest");

/** `PUT /v1/admin/users/{id}/password` body: a new password, set by an admin. */
export const SetPasswordRequest = z
  .object({ password: z.string().min(12).max(1024) })
  .openapi("SetPasswordRequest");

export const UpdateUserRequest = z.object({ role: RoleName }).openapi("UpdateUserRequest");

export const UserInfo = z
  .object({
    id: z.string(),
    object: z.literal("user"),
    username: z.string(),
    role: RoleName,
    created_at: z.number().int(),
    /** When the user was disabled (they cannot sign in), or null. */
    disabled_at: z.number().int().nullable(),
  })
  .openapi("User");
export type UserInfo = z.infer<typeof UserInfo>;

export const UserList = z
  .object({ object: z.literal("list"), data: z.array(UserInfo) })
  .openapi("UserList");

/** Milliseconds of an ISO date or of epoch milliseconds given as digits; NaN otherwise. */
export const instantMs = (value: string) =>
  /^\d+$/.test(value) ? Number(value) : Date.parse(value);

const Instant = z
  .string()
  .max(40)
  .refine((value) => !Number.isNaN(instantMs(value)), "an ISO date or epoch milliseconds");

/** `GET /v1/admin/audit` query. */
export const AuditQuery = z.object({
  /** An action (`api_key.create`) or a family of them (`user.*`). */
  action: z
    .string()
    .max(64)
    .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, "an action like 'user.create' or 'user.*'")
    .optional(),
  /** Only this actor's entries: a user's or key's id, or a `system` actor's name. */
  actor: z.string().min(1).max(128).optional(),
  /** Entries at or after this time (ISO date or epoch milliseconds). */
  from: Instant.optional(),
  /** Entries at or before this time (ISO date or epoch milliseconds). */
  to: Instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});

export const AuditEntryInfo = z
  .object({
    id: z.string(),
    object: z.literal("audit_entry"),
    actor: z.object({ kind: z.string(), id: z.string() }),
    action: z.string(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.number().int(),
  })
  .openapi("AuditEntry");
export type AuditEntryInfo = z.infer<typeof AuditEntryInfo>;

export const AuditList = z
  .object({
    object: z.literal("list"),
    data: z.array(AuditEntryInfo),
    has_more: z.boolean(),
    /** Pass as `cursor` for the next (older) page; null on the last page. */
    next_cursor: z.string().nullable(),
  })
  .openapi("AuditList");
