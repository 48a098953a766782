export * from "./close-codes.ts";
export * from "./codec.ts";
export * from "./enrollment.ts";
export * from "./frames.ts";
export * from "./version.ts";
