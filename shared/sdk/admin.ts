/**
 * The client's sign-in, usage and admin methods (keys, provider keys, users, limits, audit,
 * sites): the edge serves all of them, the appliance its keys, users and audit.
 */

import type { OperationBody, OperationQuery } from "./operations.ts";
import type { createTransport } from "./transport.ts";

type Call = ReturnType<typeof createTransport>["call"];

/** The sign-in, usage and admin groups of a client, over its `call`. */
export function adminMethods(call: Call) {
  return {
    /** Calls of the caller's tenant by day, model and key (default: the last 30 days). */
    usage: (query: OperationQuery<"usage"> = {}) => call("usage", { query }),
    /** Username and password → access and refresh tokens (use the access token as `apiKey`). */
    auth: {
      token: (body: OperationBody<"auth.token">) => call("auth.token", { body }),
      /** A refresh token → new tokens; the old refresh token is spent. */
      refresh: (refreshToken: string) =>
        call("auth.refresh", { body: { refresh_token: refreshToken } }),
      /** Revokes the refresh token's whole family. */
      logout: (refreshToken: string) =>
        call("auth.logout", { body: { refresh_token: refreshToken } }),
    },
    admin: {
      /** API keys of the caller's tenant; a new key's secret is only in `create`'s answer. */
      keys: {
        create: (body: OperationBody<"admin.keys.create">) => call("admin.keys.create", { body }),
        list: () => call("admin.keys.list"),
        revoke: (id: string) => call("admin.keys.revoke", { params: { id } }),
      },
      /** The tenant's own keys for upstream providers (edge), stored sealed. */
      providerKeys: {
        put: (provider: string, body: OperationBody<"admin.providerKeys.put">) =>
          call("admin.providerKeys.put", { params: { provider }, body }),
        list: () => call("admin.providerKeys.list"),
        /** Back to the server's own key for that provider. */
        delete: (provider: string) => call("admin.providerKeys.delete", { params: { provider } }),
      },
      /** Users of the caller's tenant; the last active admin is never demoted or removed. */
      users: {
        create: (body: OperationBody<"admin.users.create">) => call("admin.users.create", { body }),
        list: () => call("admin.users.list"),
        /** Changes the user's role. */
        update: (id: string, body: OperationBody<"admin.users.update">) =>
          call("admin.users.update", { params: { id }, body }),
        delete: (id: string) => call("admin.users.delete", { params: { id } }),
        disable: (id: string) => call("admin.users.disable", { params: { id } }),
        enable: (id: string) => call("admin.users.enable", { params: { id } }),
        /** Sets a new password; the user's sessions end. */
        setPassword: (id: string, body: OperationBody<"admin.users.setPassword">) =>
          call("admin.users.setPassword", { params: { id }, body }),
      },
      /** Rate limits and budgets (edge): an override can only tighten the plan. */
      limits: {
        getTenant: () => call("admin.limits.getTenant"),
        setTenant: (body: OperationBody<"admin.limits.setTenant">) =>
          call("admin.limits.setTenant", { body }),
        resetTenant: () => call("admin.limits.resetTenant"),
        getKey: (id: string) => call("admin.limits.getKey", { params: { id } }),
        setKey: (id: string, body: OperationBody<"admin.limits.setKey">) =>
          call("admin.limits.setKey", { params: { id }, body }),
        resetKey: (id: string) => call("admin.limits.resetKey", { params: { id } }),
      },
      /** Sites (edge): appliances linked to the edge, whose models serve as `site:<id>/<model>`. */
      sites: {
        create: (body: OperationBody<"admin.sites.create">) => call("admin.sites.create", { body }),
        /** Sites owned or shared with the tenant; owned ones with their appliances' status. */
        list: () => call("admin.sites.list"),
        /** Lets another tenant use the site's models. */
        share: (site: string, body: OperationBody<"admin.sites.share">) =>
          call("admin.sites.share", { params: { site }, body }),
        /** A one-time code an appliance enrolls with (`textnlp-appliance enroll`). */
        issueEnrollmentCode: (
          site: string,
          body: OperationBody<"admin.sites.issueEnrollmentCode"> = {},
        ) => call("admin.sites.issueEnrollmentCode", { params: { site }, body }),
        /** Closes the appliance's link; it cannot dial again. */
        revokeAppliance: (site: string, appliance: string) =>
          call("admin.sites.revokeAppliance", { params: { site, appliance } }),
      },
      /** The tenant's admin actions, newest first; pass `next_cursor` as `cursor` for more. */
      audit: (query: OperationQuery<"admin.audit"> = {}) => call("admin.audit", { query }),
    },
  };
}
