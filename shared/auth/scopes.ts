/**
 * The scopes routes ask for, and what each role grants. API keys carry scopes of their own;
 * users (passwords, access tokens, an external identity provider) get their role's scopes.
 */
import type { Role } from "../db/schema/users.ts";

/** Every scope a route names. `admin:*` covers the admin scopes added later too. */
export const scopes = {
  /** Chat, legacy completions, embeddings: spends money. */
  inference: "inference",
  modelsRead: "models:read",
  usageRead: "usage:read",
  /** Prompt templates: create, list, preview. */
  templates: "templates",
  /** Synthetic-data jobs, their seed rows and datasets. */
  jobs: "jobs",
  adminKeys: "admin:keys",
  adminProviders: "admin:providers",
  adminUsers: "admin:users",
  adminAudit: "admin:audit",
} as const;

/**
 * Scopes a role grants. Viewers read, developers also run inference, templates and jobs, admins
 * also administer their own tenant (keys, users, provider keys, audit log).
 */
export const roleScopes: Record<Role, readonly string[]> = {
  admin: [
    scopes.inference,
    scopes.modelsRead,
    scopes.usageRead,
    scopes.templates,
    scopes.jobs,
    "admin:*",
  ],
  developer: [scopes.inference, scopes.modelsRead, scopes.usageRead, scopes.templates, scopes.jobs],
  viewer: [scopes.modelsRead, scopes.usageRead],
};
