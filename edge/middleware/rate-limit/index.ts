export { type LimitsConfig, parseLimitsConfig } from "./config.ts";
export { enforceLimits, type LimitOptions } from "./enforce.ts";
export { RateLimiter } from "./limiter.ts";
