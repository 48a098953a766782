export {
  actorOf,
  type Principal,
  requireScope,
} from "../../../shared/identity/principal.ts";
export { type AuthOptions, authenticate, internalEnv } from "./auth.ts";
export { type JwtSettings, signAccessToken, type TokenClaims, verifyAccessToken } from "./jwt.ts";
export { type OidcSettings, verifyIdentityToken } from "./oidc.ts";
