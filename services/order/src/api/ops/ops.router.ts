/** Liveness, readiness (every dependency answers) and Prometheus metrics. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Metrics } from '../../observability/metrics.js';
import { z } from '../zod.js';

/** A named dependency check: resolves when the dependency answers, rejects otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3000;

async function run(check: ReadinessCheck): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

export function registerOpsRoutes(registry: OpenAPIRegistry): void {
  const status = z.object({ status: z.string(), checks: z.record(z.string(), z.string()).optional() });
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process is serving',
    responses: { 200: { description: 'Serving', content: { 'application/json': { schema: status } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: database, product service, Service Bus and Event Hubs answer',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: status } } },
      503: { description: 'A dependency does not answer', content: { 'application/json': { schema: status } } },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format' } },
  });
}

export function opsRouter(metrics: Metrics, checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(checks.map(async (check) => [check.name, await run(check)] as const));
    const ok = results.every(([, result]) => result === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
