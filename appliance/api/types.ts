import type { Logger } from "pino";
import type { Usage } from "../../shared/api/schemas/common.ts";
import type { ModelProvenance } from "../../shared/db/schema/index.ts";
import type { Principal } from "../../shared/identity/principal.ts";
import type { BackupService } from "../backup/service.ts";
import type { Config } from "../config.ts";
import type { Engine } from "../inference/engine/index.ts";
import type { ModelHost } from "../inference/model-host.ts";
import type { ModelRegistry } from "../inference/registry.ts";
import type { JobManager } from "../jobs/manager.ts";
import type { LinkState } from "../link/state.ts";
import type { ApplianceMetrics } from "../metrics/metrics.ts";
import type { UsageMeter } from "../metrics/usage-meter.ts";
import type { Db } from "../store/db.ts";
import type { SpanScope } from "../tracing/spans.ts";
import type { ApplianceTracer } from "../tracing/tracer.ts";
import type { PanelLogin } from "./middleware/panel-session.ts";

/** Everything the routes need, built once in `main.ts`. */
export interface ApplianceServices {
  config: Config;
  logger: Logger;
  db: Db;
  registry: ModelRegistry;
  host: ModelHost;
  engine: Engine;
  jobs: JobManager;
  /** Writes `usage_events`; absent in tests that build the app without metering. */
  usage?: UsageMeter;
  /** Prometheus metrics; absent in tests that build the app without them. */
  metrics?: ApplianceMetrics;
  /** OpenTelemetry tracing; absent unless an OTLP endpoint is configured. */
  tracer?: ApplianceTracer;
  /** Backups (the daemon's schedule and the panel's "run now" share it, one at a time). */
  backups?: BackupService;
  /** The link to the edge once started (null when not enrolled or disabled). */
  link?: { readonly state: LinkState } | null;
  /**
   * Stops the daemon gracefully and exits so that its supervisor (systemd) starts it again; set
   * by the `serve` command, absent where the process cannot restart itself.
   */
  restart?: (reason: string) => void;
  /** Set while shutting down: new work gets 503. */
  lifecycle: { draining: boolean; startedAt: number; version: string };
}

/**
 * What a caller inside the process passes as `app.fetch`'s environment. The Node server passes
 * its own (`incoming`, `outgoing`), so these can never come from the network.
 */
export interface InProcessBindings {
  /** A request from the edge over the hybrid link: the edge authenticated it. */
  linkPrincipal?: Principal;
}

/** Hono environment of the appliance app. */
export type ApplianceEnv = {
  Bindings: InProcessBindings;
  Variables: {
    requestId: string;
    principal: Principal;
    /** Token usage, for the request log. */
    usage?: Usage;
    /** The name the model answered as. */
    model?: string;
    /** The exact version that answered (usage rows and per-version metrics record it). */
    provenance?: ModelProvenance;
    /** The client went away (or the request timed out) before the response ended. */
    cancelled?: boolean;
    /** Resolves when a streamed response ends, so the request is logged once, complete. */
    streamDone?: Promise<void>;
    /**
     * How a stream really ended when it failed after its 200 went out: the error's status, or
     * 499 when the client went away. Unset for a stream that ended cleanly.
     */
    streamStatus?: number;
    /** The request's spans, when tracing is on. */
    trace?: SpanScope;
    /** The admin logged in to the panel (panel routes only). */
    panelLogin?: PanelLogin;
  };
};
