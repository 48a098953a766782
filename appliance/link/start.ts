/** Starts the link of an enrolled appliance (from main.ts), or nothing when not enrolled. */
import type { Logger } from "pino";
import { openPrincipal, type Principal } from "../../shared/identity/principal.ts";
import type { ApplianceServices } from "../api/types.ts";
import { readLinkCredential } from "../store/queries/link-credentials.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { LinkClient } from "./client.ts";
import type { ServeRequest } from "./serve-request.ts";
import { writeLinkState } from "./state.ts";

/** The app's `fetch`, as the link calls it with its trusted principal. */
type AppFetch = (request: Request, env: ApplianceServicesEnv) => Response | Promise<Response>;
type ApplianceServicesEnv = { linkPrincipal: Principal };

/** Dials the edge when enrolled and `link.enabled`; returns the client (stop it at shutdown). */
export function startLink(
  services: Pick<
    ApplianceServices,
    "config" | "db" | "registry" | "host" | "metrics" | "lifecycle"
  >,
  fetch: AppFetch,
  logger: Logger,
): LinkClient | null {
  const { config, db, registry, host } = services;
  const enrolled = readLinkCredential(db);
  if (!enrolled) return null;
  if (!config.link.enabled) {
    logger.info("link: enrolled but link.enabled is false: not dialling the edge");
    return null;
  }
  // Edge requests act as the local tenant, with inference rights only.
  const env: ApplianceServicesEnv = {
    linkPrincipal: openPrincipal(LOCAL_TENANT, ["inference"]),
  };
  const serve: ServeRequest = async (request) => fetch(request, env);
  const client = new LinkClient({
    edgeUrl: enrolled.edgeUrl,
    applianceId: enrolled.applianceId,
    credential: enrolled.credential,
    link: config.link,
    version: services.lifecycle.version,
    logger,
    metrics: services.metrics,
    serve,
    inventory: () => {
      let active = 0;
      let queued = 0;
      for (const m of host.loaded) {
        active += m.pool.active;
        queued += m.pool.queued;
      }
      return {
        // Every name and version (`llama@2` once a name has two), not the aliases: the edge
        // routes its own aliases.
        models: registry
          .catalog()
          .filter((entry) => !entry.alias)
          .map(({ id, file }) => ({
            id,
            contextSize: Math.min(
              config.inference.contextSize,
              file.contextLength ?? config.inference.contextSize,
            ),
          })),
        capacity: config.inference.sequences,
        load: { active, queued },
      };
    },
    onState: (state) => writeLinkState(config.dataDir, state),
  });
  client.start();
  return client;
}
