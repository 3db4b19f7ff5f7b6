// The API reference at /docs: Swagger UI from the pinned npm package, bundled like
// every other page, so it runs under the pages' Content-Security-Policy with nothing
// loaded from another origin.
import "swagger-ui-dist/swagger-ui.css";
import { SwaggerUIBundle } from "swagger-ui-dist";

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // no badge fetched from the public validator
});
