// The package ships no types: the one call /docs makes.
declare module "swagger-ui-dist" {
  export interface SwaggerUIOptions {
    url: string;
    dom_id: string;
    deepLinking?: boolean;
    validatorUrl?: string | null;
  }
  export function SwaggerUIBundle(options: SwaggerUIOptions): unknown;
}
