export * from "./api-keys.ts";
export * from "./jobs.ts";
export * from "./model-aliases.ts";
export * from "./models.ts";
export * from "./samples.ts";
export * from "./templates.ts";
export * from "./tenants.ts";
export * from "./users.ts";
