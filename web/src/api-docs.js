// The interactive page of the HTTP API (/app/api-docs.html): Swagger UI, from the npm package
// swagger-ui-dist and served by the binary like the rest of web/dist, reads the service's own
// OpenAPI document. Nothing comes from the internet: the validator badge (which would ask
// validator.swagger.io) is off.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  defaultModelsExpandDepth: 0,
  // Some 170 operations: the tags open on a click, so the page is drawn at once.
  docExpansion: 'none',
  filter: true,
});
