/**
 * AES-256-GCM for backup files. Layout: magic `TNLPBAK` + version byte (8), scrypt salt (16),
 * IV (12), key check (8), auth tag (16), then the ciphertext. The header is authenticated as
 * associated data, so changing any byte of the file is detected. The key check (an HMAC of a
 * fixed label under the derived key) lets a wrong key be told apart from a tampered file.
 * Streamed file to file, so a backup of any size is never held in memory: the tag, known only
 * once the ciphertext is written, goes into its place in the header last; decryption writes to
 * a temporary file renamed into place only once the tag has been checked (GCM authenticates at
 * the end), so no unauthenticated byte ever becomes the output.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  type ScryptOptions,
  scrypt,
} from "node:crypto";
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { open, rm, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { commitAtomic } from "../store/atomic-file.ts";

const MAGIC = Buffer.from("TNLPBAK", "ascii");
const VERSION = 1;
const SALT = 16;
const IV = 12;
const CHECK = 8;
const TAG = 16;
/** Where the auth tag sits in the header. */
const TAG_AT = MAGIC.length + 1 + SALT + IV + CHECK;
/** Bytes before the ciphertext. */
export const HEADER_BYTES = TAG_AT + TAG;

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

const SCRYPT: ScryptOptions = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 ** 2 };

/** The file key (scrypt, on libuv's thread pool) and its key check. */
async function derive(material: Buffer, salt: Buffer): Promise<{ key: Buffer; check: Buffer }> {
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(material, salt, 32, SCRYPT, (err, derived) => (err ? reject(err) : resolve(derived))),
  );
  const check = createHmac("sha256", key).update("textnlp-backup-key-check").digest();
  return { key, check: check.subarray(0, CHECK) };
}

/** The first bytes of a file, fewer when it is shorter. */
async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** True when the file starts with the encrypted-backup magic. */
export async function isEncryptedBackupFile(file: string): Promise<boolean> {
  return (await readHead(file, MAGIC.length)).equals(MAGIC);
}

/**
 * Encrypts `source` into `target` with a fresh salt and IV, atomically (a temporary file,
 * fsynced, then renamed; mode 0600). Returns nothing: hash the target to know its sha256.
 */
export async function encryptBackupFile(
  source: string,
  target: string,
  material: Buffer,
): Promise<void> {
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const { key, check } = await derive(material, salt);
  const head = Buffer.concat([MAGIC, Buffer.from([VERSION]), salt, iv, check]);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(head);
  const tmp = `${target}.partial`;
  try {
    // The tag's place is zeros until the ciphertext is written.
    await writeFile(tmp, Buffer.concat([head, Buffer.alloc(TAG)]), { mode: 0o600 });
    await pipeline(
      createReadStream(source),
      cipher,
      createWriteStream(tmp, { flags: "r+", start: HEADER_BYTES }),
    );
    const handle = await open(tmp, "r+");
    await handle.write(cipher.getAuthTag(), 0, TAG, TAG_AT).catch(async (err) => {
      await handle.close();
      throw err;
    });
    await commitAtomic(handle, tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Decrypts the backup `source` into `target` (atomically, mode 0600), refusing a wrong key or
 * any modified byte with {@link BackupDecryptError}; on any failure `target` is left as it was
 * and no partial plaintext remains.
 */
export async function decryptBackupFile(
  source: string,
  target: string,
  material: Buffer,
): Promise<void> {
  const header = await readHead(source, HEADER_BYTES);
  if (header.length < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC))
    throw new BackupDecryptError("not-encrypted", "not an encrypted TextNLP backup");
  const version = header[MAGIC.length];
  if (version !== VERSION)
    throw new BackupDecryptError(
      "unsupported-version",
      `backup format version ${version} is not supported (this appliance reads ${VERSION})`,
    );
  const saltAt = MAGIC.length + 1;
  const ivAt = saltAt + SALT;
  const checkAt = ivAt + IV;
  const salt = header.subarray(saltAt, ivAt);
  const iv = header.subarray(ivAt, checkAt);
  const storedCheck = header.subarray(checkAt, TAG_AT);
  const { key, check } = await derive(material, salt);
  if (!check.equals(storedCheck))
    throw new BackupDecryptError(
      "wrong-key",
      "wrong backup key: this file was encrypted with another key (check backup.keyFile), or its header is damaged",
    );
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(header.subarray(0, TAG_AT));
  decipher.setAuthTag(header.subarray(TAG_AT, HEADER_BYTES));
  const tmp = `${target}.partial`;
  try {
    try {
      await pipeline(
        createReadStream(source, { start: HEADER_BYTES }),
        decipher,
        createWriteStream(tmp, { mode: 0o600 }),
      );
    } catch (err) {
      // final() refuses a tag that does not match what was streamed.
      if (/unable to authenticate/i.test((err as Error).message))
        throw new BackupDecryptError(
          "tampered",
          "backup file is corrupted or was tampered with (authentication failed)",
        );
      throw err;
    }
    await commitAtomic(await open(tmp, "r+"), tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
