export { CACHE_HEADER, CACHE_TTL_HEADER } from "./directive.ts";
export { normaliseRequest } from "./key.ts";
export { type ResponseCacheOptions, responseCache } from "./middleware.ts";
