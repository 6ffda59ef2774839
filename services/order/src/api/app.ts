/** Builds the Express app from its collaborators; composition.ts listens, index.ts owns the process. */
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { bindToContext } from '../observability/trace.js';
import type { OrderService } from '../orders/order.service.js';
import { openApiDocument, routeTemplates } from './openapi.js';
import { opsRouter, type ReadinessCheck } from './ops/ops.router.js';
import { OrderController, orderProblem } from './orders/order.controller.js';
import { orderRouter } from './orders/order.router.js';
import { errorHandler, notFoundHandler, ProblemError } from './problem.js';
import { observability, routeLabeler } from './request-observability.js';

export interface AppDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly orders: OrderService;
  readonly readiness: readonly ReadinessCheck[];
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
}

/**
 * Body parsing finishes on the socket's async context; bind `next` so the request's trace context survives.
 * (Only the trace context: AsyncResource.bind, which carries every AsyncLocalStorage, costs a deprecation
 * wrapper per call in Node 20, a visible share of a request in the CPU profile.)
 */
function keepContext(middleware: RequestHandler): RequestHandler {
  return (req, res, next) => middleware(req, res, bindToContext(next));
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: hashing every body costs each response (the status polls most), and no client revalidates.
  app.set('etag', false);
  app.set('query parser', 'simple');
  const document = openApiDocument();
  app.use(observability(deps.log, deps.metrics, routeLabeler(routeTemplates(document))));
  app.use(
    cors({
      origin: [...deps.corsOrigins],
      allowedHeaders: ['Content-Type', 'Idempotency-Key', 'traceparent'],
      exposedHeaders: ['Location', 'traceparent', 'Idempotent-Replayed'],
    }),
  );
  app.use(keepContext(express.json({ limit: deps.maxBodyBytes, type: ['application/json', 'application/*+json'] })));

  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(opsRouter(deps.metrics, deps.readiness));
  app.use('/orders', orderRouter(new OrderController(deps.orders)));
  app.use(notFoundHandler);
  const handle = errorHandler(deps.log);
  app.use(((error, req, res, next) => {
    const problem = error instanceof ProblemError ? error : orderProblem(error);
    handle(problem ?? error, req, res, next);
  }) satisfies express.ErrorRequestHandler);
  return app;
}
