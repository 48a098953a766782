export { type RequestLogLevel, requestLogLevels } from "./level.ts";
export type { InferenceLine, RequestLine } from "./line.ts";
export { type RequestLogOptions, requestLog } from "./request-log.ts";
