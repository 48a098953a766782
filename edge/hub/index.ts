export { mountHubRoutes } from "./routes.ts";
export { SiteHub } from "./site-hub.ts";
export { listSiteModels, usableSiteTargets } from "./site-targets.ts";
