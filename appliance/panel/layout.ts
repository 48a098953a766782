import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ApplianceEnv } from "../api/types.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The panel's pages, in navigation order. */
export const PANEL_PAGES = [
  { path: "/panel/", title: "Dashboard" },
  { path: "/panel/models", title: "Models" },
  { path: "/panel/jobs", title: "Jobs" },
  { path: "/panel/datasets", title: "Datasets" },
  { path: "/panel/backups", title: "Backups" },
  { path: "/panel/settings", title: "Settings" },
  { path: "/panel/keys", title: "API keys" },
  { path: "/panel/users", title: "Users" },
  { path: "/panel/audit", title: "Audit log" },
] as const;

/** What every logged-in page shows in its header. */
export interface PageChrome {
  title: string;
  /** The page's own path (marked `aria-current` in the navigation). */
  path: string;
  username: string;
  csrfToken: string;
}

function head(title: string, csrfToken?: string): Html {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${csrfToken ? html`<meta name="csrf-token" content="${csrfToken}" />` : ""}
    <title>${title} · TextNLP appliance</title>
    <link rel="stylesheet" href="/panel/assets/panel.css" />
    <script type="module" src="/panel/assets/panel.js"></script>
  </head>`;
}

/**
 * A logged-in page: landmarks (banner, navigation, main), a skip link, the CSRF token for the
 * page's scripts, and a logout form carrying the same token.
 */
export function panelPage(chrome: PageChrome, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
  ${head(chrome.title, chrome.csrfToken)}
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">TextNLP appliance</span>
      <nav aria-label="Panel">
        <ul>
          ${PANEL_PAGES.map(
            (p) =>
              html`<li><a href="${p.path}" ${p.path === chrome.path ? html`aria-current="page"` : ""}>${p.title}</a></li>`,
          )}
        </ul>
      </nav>
      <form method="post" action="/panel/logout" class="logout">
        <input type="hidden" name="_csrf" value="${chrome.csrfToken}" />
        <span>${chrome.username}</span>
        <button type="submit">Log out</button>
      </form>
    </header>
    <main id="main">
      <h1>${chrome.title}</h1>
      <p id="flash" role="status" aria-live="polite"></p>
      ${body}
    </main>
  </body>
</html>`;
}

/** The logged-in admin of a panel request (set by the panel's session check). */
export function panelLoginOf(c: Context<ApplianceEnv>) {
  const login = c.get("panelLogin");
  if (!login) throw new Error("panel page rendered without a login");
  return login;
}

/**
 * Renders a logged-in page. `path` is the navigation entry it belongs to; `title` defaults to
 * that entry's title (sub-pages such as one dataset give their own).
 */
export function renderPanelPage(
  c: Context<ApplianceEnv>,
  path: string,
  body: Html,
  title?: string,
  status: 200 | 400 = 200,
) {
  const login = panelLoginOf(c);
  return c.html(
    panelPage(
      {
        title: title ?? PANEL_PAGES.find((p) => p.path === path)?.title ?? "",
        path,
        username: login.user.username,
        csrfToken: login.session.csrfToken,
      },
      body,
    ),
    status,
  );
}

/** The login page; `error` says why the last attempt failed. */
export function loginPage(options: { error?: string; username?: string }): Html {
  return html`<!doctype html>
<html lang="en">
  ${head("Log in")}
  <body class="login">
    <main id="main">
      <h1>TextNLP appliance</h1>
      <form method="post" action="/panel/login" class="card">
        <h2>Administrator login</h2>
        ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" required value="${options.username ?? ""}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>
    </main>
  </body>
</html>`;
}
