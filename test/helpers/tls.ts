import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { advice, PREREQUISITES } from "./prerequisites.ts";

/** A throw-away self-signed certificate for 127.0.0.1 (openssl), valid one day. */
export function selfSignedCertificate(): { dir: string; cert: string; key: string } {
  if (!PREREQUISITES.openssl.present()) throw new Error(advice(["openssl"]));
  const dir = mkdtempSync(join(tmpdir(), "tls-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { dir, cert, key };
}
