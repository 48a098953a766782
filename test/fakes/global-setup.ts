/**
 * vitest globalSetup of the `edge` project: the provider fakes run here, in Node, outside
 * workerd; the tests read their URLs and keys with `inject("fakes")`.
 */
import type { TestProject } from "vitest/node";
import { startFakeIdp } from "./idp.ts";
import { startAllFakes } from "./index.ts";
import { startOtlpReceiver } from "./otlp.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { servers, keys, close } = await startAllFakes();
  const urls = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.url]));
  project.provide("fakes", { urls, keys });
  const idp = await startFakeIdp();
  project.provide("idp", { issuer: idp.issuer, jwksUrl: idp.jwksUrl, privateJwk: idp.privateJwk });
  const otlp = await startOtlpReceiver();
  project.provide("otlp", { url: otlp.url });
  return async () => {
    await Promise.all([close(), idp.server.close(), otlp.close()]);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakes: { urls: Record<string, string>; keys: Record<string, string> };
    /** The fake identity provider (test/fakes/idp.ts). */
    idp: { issuer: string; jwksUrl: string; privateJwk: import("jose").JWK };
    /** The loopback OTLP receiver (test/fakes/otlp.ts). */
    otlp: { url: string };
  }
}
