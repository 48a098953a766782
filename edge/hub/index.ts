export { mountHubRoutes } from "./routes.ts";
export { SiteHub } from "./site-hub.ts";
export { listSiteModels, parseSiteModel, planSiteRoute } from "./site-route.ts";
