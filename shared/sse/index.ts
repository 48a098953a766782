export {
  createSseDecoder,
  parseEventJson,
  type ReadSseOptions,
  readSse,
  type SseDecoder,
  type SseEvent,
} from "./reader.ts";
export { encodeSse, formatSse, SSE_DONE, SSE_HEADERS, sseStreamOf } from "./writer.ts";
