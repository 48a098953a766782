import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../../test/helpers/models.ts";
import {
  BackupDecryptError,
  decryptBackupFile,
  encryptBackupFile,
  HEADER_BYTES,
  isEncryptedBackupFile,
} from "./encryption.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-encryption-"));
  dirs.push(dir);
  return dir;
}

const KEY = Buffer.from(randomBytes(32).toString("hex"));
const OTHER_KEY = Buffer.from(randomBytes(32).toString("hex"));

/** The reason of the BackupDecryptError a promise rejects with. */
async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupDecryptError);
  return (err as BackupDecryptError).reason;
}

/** A sealed file of `bytes` random bytes; `target` is where decryptions go. */
async function sealed(bytes: number) {
  const dir = tempDir();
  const plainFile = join(dir, "plain.sqlite");
  const sealedFile = join(dir, "backup.sqlite.enc");
  const plain = randomBytes(bytes);
  writeFileSync(plainFile, plain);
  await encryptBackupFile(plainFile, sealedFile, KEY);
  return { dir, plain, plainFile, sealedFile, target: join(dir, "restored.sqlite") };
}

describe("backup encryption, streamed file to file", () => {
  it("round-trips a file larger than any stream chunk byte for byte", async () => {
    const { dir, plain, sealedFile, target } = await sealed(5 * 1024 ** 2 + 123);
    const data = readFileSync(sealedFile);
    expect(data.length).toBe(plain.length + HEADER_BYTES);
    expect(data.includes(plain.subarray(0, 64))).toBe(false);
    expect(data.includes(plain.subarray(3 * 1024 ** 2, 3 * 1024 ** 2 + 64))).toBe(false);
    expect(await isEncryptedBackupFile(sealedFile)).toBe(true);
    await decryptBackupFile(sealedFile, target, KEY);
    expect(readFileSync(target).equals(plain)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      "backup.sqlite.enc",
      "plain.sqlite",
      "restored.sqlite",
    ]);
  });

  it("decrypts a backup written by the whole-buffer v1 code", async () => {
    // test/fixtures/backup/v1.sqlite.enc was written by encryptBackup(plain, key) of commit
    // 9b4917b (in memory: header with the tag, then the ciphertext), from these lines and key.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`textnlp v1 backup fixture line ${i}\n`);
    const key = Buffer.from("textnlp-backup-v1-fixture-key-0123456789abcdef", "utf8");
    const target = join(tempDir(), "restored.sqlite");
    const fixture = join(ROOT, "test/fixtures/backup/v1.sqlite.enc");
    await decryptBackupFile(fixture, target, key);
    expect(readFileSync(target, "utf8")).toBe(lines.join(""));
    expect(await reasonOf(decryptBackupFile(fixture, target, KEY))).toBe("wrong-key");
  });

  it("refuses a changed byte of the ciphertext, the tag or the header, leaving no plaintext", async () => {
    const { dir, sealedFile, target } = await sealed(300_000);
    writeFileSync(target, "the database in place");
    const original = readFileSync(sealedFile);
    const tagAt = HEADER_BYTES - 16;
    const cases = { ciphertext: 200_000, "last byte": original.length - 1, tag: tagAt + 3, iv: 30 };
    for (const [what, at] of Object.entries(cases)) {
      const bad = Buffer.from(original);
      bad[at] = (bad[at] as number) ^ 1;
      writeFileSync(sealedFile, bad);
      expect(await reasonOf(decryptBackupFile(sealedFile, target, KEY)), what).toBe("tampered");
      expect(readFileSync(target, "utf8"), what).toBe("the database in place");
      expect(existsSync(`${target}.partial`), what).toBe(false);
    }
    // The salt feeds the key: a changed salt reads as a wrong key (or a damaged header).
    const bad = Buffer.from(original);
    bad[8] = (bad[8] as number) ^ 1;
    writeFileSync(sealedFile, bad);
    expect(await reasonOf(decryptBackupFile(sealedFile, target, KEY))).toBe("wrong-key");
    expect(readdirSync(dir).sort()).toEqual([
      "backup.sqlite.enc",
      "plain.sqlite",
      "restored.sqlite",
    ]);
  });

  it("tells a wrong key, a clear file and an unknown version apart, writing nothing", async () => {
    const { dir, plainFile, sealedFile, target } = await sealed(70_000);
    expect(await reasonOf(decryptBackupFile(sealedFile, target, OTHER_KEY))).toBe("wrong-key");
    expect(await isEncryptedBackupFile(plainFile)).toBe(false);
    expect(await reasonOf(decryptBackupFile(plainFile, target, KEY))).toBe("not-encrypted");
    const data = readFileSync(sealedFile);
    data[7] = 2;
    writeFileSync(sealedFile, data);
    expect(await reasonOf(decryptBackupFile(sealedFile, target, KEY))).toBe("unsupported-version");
    expect(readdirSync(dir).sort()).toEqual(["backup.sqlite.enc", "plain.sqlite"]);
  });
});
