export { type AuthOptions, actorOf, authenticate, type Principal, requireScope } from "./auth.ts";
export { type JwtSettings, signAccessToken, type TokenClaims, verifyAccessToken } from "./jwt.ts";
export { type OidcSettings, verifyIdentityToken } from "./oidc.ts";
