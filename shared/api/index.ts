export * from "./app.ts";
export * from "./errors.ts";
export * from "./routes.ts";
export * from "./schemas/chat.ts";
export * from "./schemas/common.ts";
export * from "./schemas/completions.ts";
export * from "./schemas/embeddings.ts";
export * from "./schemas/models.ts";
