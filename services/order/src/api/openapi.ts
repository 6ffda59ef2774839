/** The OpenAPI 3.1 document, built from the routes' registrations (served at /openapi.json). */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerOpsRoutes } from './ops/ops.router.js';
import { registerOrderRoutes } from './orders/order.router.js';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export function openApiDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registerOrderRoutes(registry);
  registerOpsRoutes(registry);
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    responses: {
      200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Contoso Shop order service',
      version: '1.0.0',
      description: 'Orders and their status through the order saga. Errors are application/problem+json (RFC 9457).',
    },
  });
}

/** The document's path templates (`/orders/{id}`): every route the service serves. */
export function routeTemplates(document: OpenApiDocument): string[] {
  return Object.keys(document.paths ?? {});
}
