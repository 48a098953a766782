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
  /** Synthetic-data jobs and their seed rows. */
  jobs: "jobs",
  /** Datasets (finished jobs): browse, export, delete. */
  datasets: "datasets",
  adminKeys: "admin:keys",
  adminProviders: "admin:providers",
  adminUsers: "admin:users",
  adminAudit: "admin:audit",
} as const;

const developer = [
  scopes.inference,
  scopes.modelsRead,
  scopes.usageRead,
  scopes.templates,
  scopes.jobs,
  scopes.datasets,
];

/**
 * Scopes a role grants. Viewers read, developers also run inference, templates, jobs and
 * datasets, admins also administer their own tenant (keys, users, provider keys, audit log).
 */
export const roleScopes: Record<Role, readonly string[]> = {
  admin: [...developer, "admin:*"],
  developer,
  viewer: [scopes.modelsRead, scopes.usageRead],
};
