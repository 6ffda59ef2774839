/** /health and /ready in the shared health shape, with a dependency down. */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { Metrics } from '../../../observability/metrics.js';
import { ProductUnavailableError } from '../../../orders/product-catalog.js';
import { opsRouter } from '../ops.router.js';

let server: Server;
let base: string;

describe('ops routes', () => {
  before(async () => {
    const app = express().use(
      opsRouter(new Metrics(), [
        { name: 'database', check: () => Promise.resolve() },
        {
          name: 'productService',
          check: () => Promise.reject(new ProductUnavailableError('product service unreachable (GET /health)')),
        },
        {
          name: 'serviceBus',
          check: () => Promise.reject(new Error('connect ECONNREFUSED Endpoint=sb://x;SharedAccessKey=secret-key;')),
        },
      ]),
    );
    server = await new Promise<Server>((done) => {
      const listening = app.listen(0, '127.0.0.1', () => {
        done(listening);
      });
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(
    () =>
      new Promise<void>((done) =>
        server.close(() => {
          done();
        }),
      ),
  );

  it('test_health_is_ok_with_no_checks', async () => {
    const response = await fetch(`${base}/health`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), { status: 'ok', checks: {} });
  });

  it('test_ready_is_503_naming_the_dependency_down_and_why', async () => {
    const response = await fetch(`${base}/ready`);
    assert.equal(response.status, 503);
    const body = (await response.json()) as {
      status: string;
      checks: Record<string, { status: string; error?: string }>;
    };
    assert.equal(body.status, 'unavailable');
    assert.deepEqual(body.checks['database'], { status: 'ok' });
    assert.deepEqual(body.checks['productService'], {
      status: 'unavailable',
      error: 'ProductUnavailableError: product service unreachable (GET /health)',
    });
    assert.equal(body.checks['serviceBus']?.status, 'unavailable');
    assert.doesNotMatch(body.checks['serviceBus'].error ?? '', /secret-key/, 'never a key');
  });
});
