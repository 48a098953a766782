export * from "./api-keys.ts";
export * from "./models.ts";
export * from "./provider-keys.ts";
export * from "./tenants.ts";
export * from "./usage-events.ts";
export * from "./users.ts";
