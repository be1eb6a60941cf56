// Starts Swagger UI (files from the swagger-ui-bundle package) on the app's OpenAPI schema.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.body.dataset.root || "";
  window.SwaggerUIBundle({
    url: root + "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
