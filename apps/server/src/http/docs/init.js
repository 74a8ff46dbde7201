// Swagger UI over this server's own /openapi.json. BaseLayout has no "explore" bar, so the page only
// ever shows this API; "Authorize" takes a bearer token that stays in this tab's storage.
window.ui = SwaggerUIBundle({
  url: new URL("../openapi.json", window.location.href).toString(),
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayOperationId: true,
  tryItOutEnabled: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
