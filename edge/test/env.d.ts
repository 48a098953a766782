import type { D1Migration } from "@cloudflare/vitest-pool-workers";
import type { Bindings } from "../env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("../index.ts");
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URLs and keys of the provider fakes (test/fakes/global-setup.ts). */
    fakes: { urls: Record<string, string>; keys: Record<string, string> };
    /** The fake OpenID Connect provider: its issuer, JWKS URL and signing key. */
    idp: { issuer: string; jwksUrl: string; privateJwk: import("jose").JWK };
    /** The loopback OTLP receiver (test/fakes/otlp.ts). */
    otlp: { url: string };
  }
}
