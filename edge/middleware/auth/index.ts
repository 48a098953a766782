export { type AuthOptions, authenticate, type Principal, requireScope } from "./auth.ts";
export { type JwtSettings, roleScopes, type TokenClaims, verifyAccessToken } from "./jwt.ts";
