/**
 * Offsite copies of backups in an S3-compatible store (AWS S3, Cloudflare R2, MinIO on the
 * customer's network), with the AWS SDK's S3 client: each backup file goes up as a multipart
 * upload (`@aws-sdk/lib-storage`), is read back and hashed (its sha256 must be the one recorded
 * when it was taken: a store that kept something else is caught here, not at restore), and only
 * then is its manifest written beside it. A manifest in the store therefore always names a
 * verified copy; `list` reads only those.
 *
 * Checksums are computed by the SDK only where an operation requires them
 * (`WHEN_REQUIRED`), so simple S3-compatible servers accept the requests; the read-back is the
 * check that the bytes stored are ours.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Config } from "../config.ts";
import { digestStream, writeFileAtomic } from "../store/atomic-file.ts";
import type { BackupManifest } from "./snapshot.ts";

/** The remote store's settings (`backup.remote`). */
export type RemoteConfig = NonNullable<Config["backup"]["remote"]>;

/** Raised when the copy in the store is not the backup that was sent. */
export class RemoteVerifyError extends Error {
  override name = "RemoteVerifyError";
}

/** `s3://bucket/prefix` as a bucket and a key prefix (empty, or ending in `/`). */
export function parseRemoteUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`backup.remote.url: '${url}' is not s3://bucket/prefix`);
  const [, bucket, rest] = match as unknown as [string, string, string];
  const prefix = rest.replace(/^\/+|\/+$/g, "");
  return { bucket, prefix: prefix ? `${prefix}/` : "" };
}

/** One remote store of backups. */
export class RemoteStore {
  readonly #client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly #partSize: number;

  constructor(readonly config: RemoteConfig) {
    const { bucket, prefix } = parseRemoteUrl(config.url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.#partSize = config.partSizeMiB * 1024 * 1024;
    this.#client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.pathStyle,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // Attempts are ours (RemoteBackups): each is a whole upload, verified.
      maxAttempts: 1,
    });
  }

  /** Where this store keeps `name`, for messages. */
  describe(name = ""): string {
    return `s3://${this.bucket}/${this.prefix}${name}`;
  }

  /**
   * Uploads a backup file and, once the stored copy hashes to `manifest.sha256`, its manifest.
   * A copy that does not match is deleted and the upload fails.
   */
  async upload(path: string, manifest: BackupManifest): Promise<void> {
    const key = this.prefix + manifest.file;
    await new Upload({
      client: this.#client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentType: "application/octet-stream",
        Metadata: { sha256: manifest.sha256 },
      },
      partSize: this.#partSize,
      queueSize: 2,
      leavePartsOnError: false,
    }).done();
    const stored = await this.#get(key);
    const { sha256 } = await digestStream(stored);
    if (sha256 !== manifest.sha256) {
      await this.#delete([key]).catch(() => undefined);
      throw new RemoteVerifyError(
        `the copy of ${manifest.file} in ${this.describe()} does not match the backup ` +
          `(sha256 ${sha256.slice(0, 12)}…, expected ${manifest.sha256.slice(0, 12)}…)`,
      );
    }
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${key}.json`,
        Body: `${JSON.stringify(manifest, null, 2)}\n`,
        ContentType: "application/json",
      }),
    );
  }

  /** The manifests of the verified copies in the store, newest first. */
  async list(): Promise<BackupManifest[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.endsWith(".json")) keys.push(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const manifests: BackupManifest[] = [];
    for (const key of keys) {
      try {
        const text = await (await this.#get(key)).toArray();
        const manifest = JSON.parse(Buffer.concat(text).toString("utf8")) as BackupManifest;
        if (manifest.format === 1 && `${this.prefix}${manifest.file}.json` === key) {
          manifests.push(manifest);
        }
      } catch {
        // Not one of ours: not a candidate.
      }
    }
    return manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Downloads a copy into `dir` with its manifest beside it (as a local backup), checking its
   * sha256; returns the file's path. Nothing is left behind when the copy does not match.
   */
  async download(manifest: BackupManifest, dir: string): Promise<string> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, manifest.file);
    const partial = `${path}.download`;
    const hash = createHash("sha256");
    const body = await this.#get(this.prefix + manifest.file);
    body.on("data", (chunk: Buffer) => hash.update(chunk));
    try {
      await pipeline(body, createWriteStream(partial, { mode: 0o600 }));
      const sha256 = hash.digest("hex");
      if (sha256 !== manifest.sha256) {
        throw new RemoteVerifyError(
          `the copy of ${manifest.file} in ${this.describe()} is corrupted: its sha256 differs ` +
            "from the one recorded when it was taken",
        );
      }
      renameSync(partial, path);
    } finally {
      rmSync(partial, { force: true });
    }
    writeFileAtomic(`${path}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    return path;
  }

  /** Removes copies (the manifest first: a half-removed copy is never listed). */
  async remove(manifests: readonly BackupManifest[]): Promise<void> {
    if (manifests.length === 0) return;
    await this.#delete(manifests.map((m) => `${this.prefix}${m.file}.json`));
    await this.#delete(manifests.map((m) => this.prefix + m.file));
  }

  /** Closes the client's connections. */
  close(): void {
    this.#client.destroy();
  }

  async #get(key: string): Promise<Readable & { toArray(): Promise<Buffer[]> }> {
    const res = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return res.Body as Readable & { toArray(): Promise<Buffer[]> };
  }

  /** One request per key: DeleteObjects needs a checksum header simple servers may not take. */
  async #delete(keys: string[]): Promise<void> {
    for (const Key of keys) {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    }
  }
}
