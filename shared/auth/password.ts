/**
 * Password hashing for both halves: scrypt from `node:crypto`, which Node and workerd (with
 * `nodejs_compat`) both provide, so the appliance and the edge read each other's hashes. The
 * stored form is self-describing, `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised
 * later without breaking existing users.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum), 32 MiB of memory per hash. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(
  password: string,
  salt: Uint8Array,
  length: number,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, { ...cost, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, KEY_LENGTH, PARAMS);
  return [
    "scrypt",
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString("base64"),
    hash.toString("base64"),
  ].join("$");
}

/**
 * A hash of a password nobody knows, checked when there is no user or no stored hash, so an
 * unknown username costs the same time as a wrong password.
 */
const decoy = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${"A".repeat(22)}==$${"A".repeat(43)}=`;

/**
 * Checks a password against a stored hash in constant time. `stored` null (no such user, or a
 * user without a password) still does the full work and returns false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [alg, n, r, p, saltB64, hashB64] = (stored ?? decoy).split("$");
  if (alg !== "scrypt" || !n || !r || !p || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, "base64");
  const actual = await derive(password, Buffer.from(saltB64, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}
