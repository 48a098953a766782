export { createClient, type TextNlpClient, type TextNlpClientOptions } from "./client.ts";
export { TextNlpError } from "./errors.ts";
export { sseJson } from "./sse.ts";
