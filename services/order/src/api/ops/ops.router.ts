/**
 * Liveness, readiness and Prometheus metrics, answering the shared health shape of docs/conventions.md:
 * `{"status": "ok" | "unavailable", "checks": {"<dependency>": {"status": ..., "error"?: ...}}}`.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Metrics } from '../../observability/metrics.js';
import { z } from '../zod.js';

/** A dependency check named in camelCase (`database`, `productService`): resolves when it answers. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export type CheckResult = { readonly status: 'ok' } | { readonly status: 'unavailable'; readonly error: string };

const CHECK_TIMEOUT_MS = 3000;

/** Why a check failed, in a short phrase: the error's class and message, with any key scrubbed. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/(SharedAccessKey|AccountKey|Password)=[^;\s]*/gi, '$1=[redacted]').slice(0, 300);
}

async function run(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${CHECK_TIMEOUT_MS / 1000} s`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'unavailable', error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

const Status = z.enum(['ok', 'unavailable']);
export const HealthCheckSchema = z
  .object({
    status: Status,
    error: z.string().optional().openapi({ description: 'Why the dependency is unavailable (absent when ok).' }),
  })
  .openapi('HealthCheck');
export const HealthSchema = z
  .object({
    status: Status.openapi({ description: '`ok` (HTTP 200) when every check is ok, else `unavailable` (HTTP 503).' }),
    checks: z.record(z.string(), HealthCheckSchema).openapi({
      description: 'One entry per dependency, named in camelCase; empty for /health.',
      example: {
        database: { status: 'ok' },
        productService: {
          status: 'unavailable',
          error: 'ProductUnavailableError: product service unreachable (GET /health)',
        },
      },
    }),
  })
  .openapi('Health');

export function registerOpsRoutes(registry: OpenAPIRegistry): void {
  const health = (description: string) => ({ description, content: { 'application/json': { schema: HealthSchema } } });
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process is serving (checks no dependency; `checks` is empty)',
    responses: { 200: health('Serving') },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: database, product service, Service Bus and Event Hubs answer',
    responses: { 200: health('Every dependency answers'), 503: health('A dependency does not answer') },
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
    res.json({ status: 'ok', checks: {} });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(checks.map(async (check) => [check.name, await run(check)] as const));
    const ok = results.every(([, result]) => result.status === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
