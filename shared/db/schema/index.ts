export * from "./api-keys.ts";
export * from "./model-aliases.ts";
export * from "./models.ts";
export * from "./tenants.ts";
export * from "./users.ts";
