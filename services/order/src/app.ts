/** Builds the Express app from its collaborators; index.ts owns the process (listen, signals). */
import { AsyncResource } from 'node:async_hooks';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import { openApiDocument } from './api/openapi.js';
import { opsRouter, type ReadinessCheck } from './api/ops/ops.router.js';
import { OrderController, orderProblem } from './api/orders/order.controller.js';
import { orderRouter } from './api/orders/order.router.js';
import type { OrderService } from './api/orders/order.service.js';
import { observability } from './http/observability.js';
import { errorHandler, notFoundHandler, ProblemError } from './http/problem.js';
import type { Logger } from './logger.js';
import type { Metrics } from './observability/metrics.js';

export interface AppDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly orders: OrderService;
  readonly readiness: readonly ReadinessCheck[];
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
}

/** Body parsing finishes on the socket's async context; bind `next` so the request's trace context survives. */
function keepContext(middleware: RequestHandler): RequestHandler {
  return (req, res, next) => middleware(req, res, AsyncResource.bind(next));
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(observability(deps.log, deps.metrics));
  app.use(
    cors({
      origin: [...deps.corsOrigins],
      allowedHeaders: ['Content-Type', 'Idempotency-Key', 'traceparent'],
      exposedHeaders: ['Location', 'traceparent', 'Idempotent-Replayed'],
    }),
  );
  app.use(keepContext(express.json({ limit: deps.maxBodyBytes, type: ['application/json', 'application/*+json'] })));

  const document = openApiDocument();
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
