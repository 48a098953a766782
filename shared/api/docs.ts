/**
 * The interactive API docs page (Swagger UI). Its assets are served by the server itself from
 * `assetBase`, never from a CDN, so the docs work air-gapped.
 */
export function docsPage({ specUrl, assetBase }: { specUrl: string; assetBase: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TextNLP API</title>
<link rel="stylesheet" href="${assetBase}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="${specUrl}"></div>
<script src="${assetBase}/swagger-ui-bundle.js"></script>
<script src="${assetBase}/init.js"></script>
</body>
</html>`;
}

/** The script that starts Swagger UI on the page (kept out of the HTML for a strict CSP). */
export const docsInitScript = `window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.specUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
});`;
