/**
 * AES-256-GCM for backup files. Layout: magic `TNLPBAK` + version byte (8), scrypt salt (16),
 * IV (12), key check (8), auth tag (16), then the ciphertext. The header is authenticated as
 * associated data, so changing any byte of the file is detected. The key check (an HMAC of a
 * fixed label under the derived key) lets a wrong key be told apart from a tampered file.
 * Whole-file, in memory: appliance databases are small enough, and it keeps the format simple.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from "node:crypto";
import { readFileSync } from "node:fs";

const MAGIC = Buffer.from("TNLPBAK", "ascii");
const VERSION = 1;
const SALT = 16;
const IV = 12;
const CHECK = 8;
const TAG = 16;
/** Bytes before the ciphertext. */
export const HEADER_BYTES = MAGIC.length + 1 + SALT + IV + CHECK + TAG;

/** Raised when a backup cannot be decrypted; `reason` says why, for the operator. */
export class BackupDecryptError extends Error {
  override name = "BackupDecryptError";
  constructor(
    readonly reason: "not-encrypted" | "unsupported-version" | "wrong-key" | "tampered",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads key material from a key file: any secret of at least 32 bytes (e.g. `openssl rand
 * -base64 48`). It is stretched with scrypt per file, so the file may hold a passphrase too.
 */
export function readKeyFile(file: string): Buffer {
  const material = readFileSync(file);
  const trimmed = Buffer.from(material.toString("utf8").trim(), "utf8");
  if (trimmed.length < 32)
    throw new Error(`backup key file ${file} holds ${trimmed.length} bytes; at least 32 needed`);
  return trimmed;
}

function derive(material: Buffer, salt: Buffer): { key: Buffer; check: Buffer } {
  const key = scryptSync(material, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 ** 2 });
  const check = createHmac("sha256", key).update("textnlp-backup-key-check").digest();
  return { key, check: check.subarray(0, CHECK) };
}

/** True when `data` starts with the encrypted-backup magic. */
export function isEncryptedBackup(data: Buffer): boolean {
  return data.length >= MAGIC.length && data.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Encrypts `plain` with a fresh salt and IV. */
export function encryptBackup(plain: Buffer, material: Buffer): Buffer {
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const { key, check } = derive(material, salt);
  const head = Buffer.concat([MAGIC, Buffer.from([VERSION]), salt, iv, check]);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([head, cipher.getAuthTag(), body]);
}

/** Decrypts a backup, refusing a wrong key or any modified byte with {@link BackupDecryptError}. */
export function decryptBackup(data: Buffer, material: Buffer): Buffer {
  if (!isEncryptedBackup(data) || data.length < HEADER_BYTES)
    throw new BackupDecryptError("not-encrypted", "not an encrypted TextNLP backup");
  const version = data[MAGIC.length];
  if (version !== VERSION)
    throw new BackupDecryptError(
      "unsupported-version",
      `backup format version ${version} is not supported (this appliance reads ${VERSION})`,
    );
  const saltAt = MAGIC.length + 1;
  const ivAt = saltAt + SALT;
  const checkAt = ivAt + IV;
  const tagAt = checkAt + CHECK;
  const salt = data.subarray(saltAt, ivAt);
  const iv = data.subarray(ivAt, checkAt);
  const storedCheck = data.subarray(checkAt, tagAt);
  const head = data.subarray(0, tagAt);
  const tag = data.subarray(tagAt, HEADER_BYTES);
  const { key, check } = derive(material, salt);
  if (!check.equals(storedCheck))
    throw new BackupDecryptError(
      "wrong-key",
      "wrong backup key: this file was encrypted with another key (check backup.keyFile), or its header is damaged",
    );
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(head);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new BackupDecryptError(
      "tampered",
      "backup file is corrupted or was tampered with (authentication failed)",
    );
  }
}
