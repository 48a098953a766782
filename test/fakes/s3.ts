/**
 * An S3-compatible store for the backup tests: s3rver (an npm-installed S3 server writing to a
 * temporary directory) behind a loopback proxy that injects faults on request: answers with a
 * 5xx, connections cut before an answer, or request bodies with one byte flipped (a store that
 * keeps something else than it was sent). Requests are forwarded as they came (headers included,
 * so SigV4 signatures still hold). 127.0.0.1 only; both close by themselves after `lifetimeMs`.
 * Used by the backup tests (vitest) and bench/recovery.ts (tsx).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type S3rver from "s3rver";

/**
 * Loads s3rver so that it also runs under tsx. Koa (inside s3rver) requires
 * `generator-function`, whose `module-sync` export is an ES module exporting `'module.exports'`:
 * Node's own require(esm) returns that function, tsx (4.21) returns the module's namespace and
 * koa fails with "getGeneratorFunction is not a function". The package's CommonJS build is put
 * in require's cache under the ES module's path first (the same function either way).
 */
async function loadS3rver(): Promise<typeof S3rver> {
  const require = createRequire(import.meta.url);
  const esm = require.resolve("generator-function");
  if (!require.cache[esm]) {
    const cjs = join(dirname(esm), "legacy.js");
    require(cjs);
    require.cache[esm] = require.cache[cjs];
  }
  return (await import("s3rver")).default;
}

/** s3rver's fixed credentials, read by the AWS SDK from the environment as in production. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

/** What the proxy does to the next requests that match. */
export interface S3Faults {
  /** Answer the next `n` requests with `status` (an S3 XML error). */
  fail(n: number, status?: number): void;
  /** Cut the connection of the next `n` requests without an answer. */
  cut(n: number): void;
  /** Flip a byte in the body of the next `n` PUT requests with a body. */
  corrupt(n: number): void;
  /** Every request from now on fails with 503 (the store is down) until `heal`. */
  down(): void;
  heal(): void;
}

/** A running fake store. */
export interface FakeS3 {
  /** The endpoint clients use (the proxy). */
  endpoint: string;
  bucket: string;
  faults: S3Faults;
  /** Requests seen by the proxy, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts s3rver with `bucket` and the fault proxy in front of it. */
export async function startFakeS3({
  bucket = "textnlp-backups",
  lifetimeMs = 10 * 60_000,
} = {}): Promise<FakeS3> {
  const directory = mkdtempSync(join(tmpdir(), "textnlp-s3-"));
  const s3 = new (await loadS3rver())({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port: s3Port } = (await s3.run()) as AddressInfo;
  let failing = 0;
  let failStatus = 503;
  let cutting = 0;
  let corrupting = 0;
  let isDown = false;
  const requests: string[] = [];
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}`);
      if (isDown || failing > 0) {
        if (!isDown) failing--;
        res.writeHead(isDown ? 503 : failStatus, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code>' +
            "<Message>injected fault</Message></Error>",
        );
        return;
      }
      if (cutting > 0) {
        cutting--;
        req.socket.destroy();
        return;
      }
      const body = Buffer.concat(chunks);
      if (corrupting > 0 && req.method === "PUT" && body.length > 0) {
        corrupting--;
        body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0xff;
      }
      const upstream = request(
        {
          host: "127.0.0.1",
          port: s3Port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await s3.close();
    rmSync(directory, { recursive: true, force: true });
  };
  const timer = setTimeout(() => void close(), lifetimeMs);
  timer.unref();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    requests,
    faults: {
      fail: (n, status = 503) => {
        failing = n;
        failStatus = status;
      },
      cut: (n) => {
        cutting = n;
      },
      corrupt: (n) => {
        corrupting = n;
      },
      down: () => {
        isDown = true;
      },
      heal: () => {
        isDown = false;
      },
    },
    close,
  };
}
