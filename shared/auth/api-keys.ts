/**
 * API key secrets: random, shown once, stored as SHA-256 (a fast hash is enough for 256-bit
 * random secrets). Web Crypto only, so the edge and the appliance share it.
 */

/** Every key starts with this, so leaked keys are easy to recognise and scan for. */
export const API_KEY_PREFIX = "tnlp_";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Base64url without padding (by table: ids are made on every request). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = "";
  const at = (i: number) => bytes[i] ?? 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3));
    for (let k = 0; k < chars; k++) out += BASE64URL[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Lowercase hex of a byte array. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

/** A new key secret: the prefix and 32 random bytes, base64url. */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A short random identifier (for rows), base64url of 12 bytes. */
export function randomId(prefix = ""): string {
  return prefix + toBase64Url(crypto.getRandomValues(new Uint8Array(12)));
}

/** The stored form of a key secret: hex SHA-256. */
export async function hashApiKey(secret: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
}

/** The part of a key kept in clear for display (`tnlp_AbCd…`). */
export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + 6);
}

/** Reads a bearer token from an Authorization header, or null. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** True when `granted` scopes allow `needed` (`*` allows everything, `jobs:*` allows `jobs:write`). */
export function hasScope(granted: readonly string[], needed: string): boolean {
  return granted.some(
    (scope) =>
      scope === "*" ||
      scope === needed ||
      (scope.endsWith(":*") && needed.startsWith(scope.slice(0, -1))),
  );
}
