/** How much the request log writes (`REQUEST_LOG`): every request, failed ones only, or none. */
export const requestLogLevels = ["all", "errors", "off"] as const;
export type RequestLogLevel = (typeof requestLogLevels)[number];
