/**
 * The order API in its HTTP server over real sockets, with short timeouts: an oversized body is a 413
 * problem and the server keeps serving; a client too slow with its request head or body is cut off.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { tempDatabase, type TempDatabase } from '../../../test/helpers.js';
import { composeParts } from '../../composition.js';
import { createLogger } from '../../observability/logger.js';
import { createApp } from '../app.js';
import { createHttpServer, listen } from '../http-server.js';

const TIMEOUTS = { headersTimeoutMs: 400, requestTimeoutMs: 800 };
const MAX_BODY_BYTES = 2048;

/** Everything the server sends on one connection until it closes it, and how long that took. */
function converse(port: number, sent: string): Promise<{ answer: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(sent));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      resolve({ answer, elapsedMs: Date.now() - started });
    });
    setTimeout(() => {
      socket.destroy(new Error(`the server kept the connection open; got ${JSON.stringify(answer)}`));
    }, 5000).unref();
  });
}

describe('order HTTP server limits', () => {
  let database: TempDatabase;
  let server: Server;
  let port: number;

  before(async () => {
    database = await tempDatabase();
    // The product service is never reached: every request here is refused before an order is placed.
    const parts = composeParts(database.db, createLogger('silent'), { baseUrl: 'http://127.0.0.1:9', timeoutMs: 100 });
    const app = createApp({
      log: parts.log,
      metrics: parts.metrics,
      orders: parts.orders,
      corsOrigins: [],
      maxBodyBytes: MAX_BODY_BYTES,
      readiness: [],
    });
    server = createHttpServer(app, TIMEOUTS);
    await listen(server, 0, '127.0.0.1');
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) =>
      server.close(() => {
        done();
      }),
    );
    await database.remove();
  });

  it('test_an_oversized_body_is_413_problem_json_and_the_server_keeps_serving', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': '6b0f3f0e-8a3c-4d8e-9f57-0e1c2b3a4d5e' },
      body: JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    assert.equal(response.status, 413);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await response.json()) as { status: number }).status, 413);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  });

  it('test_a_request_head_sent_too_slowly_is_cut_off', async () => {
    const { answer, elapsedMs } = await converse(port, 'GET /health HTTP/1.1\r\nHost: x\r\n');
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(elapsedMs < TIMEOUTS.headersTimeoutMs + 1500, `cut off after ${elapsedMs} ms`);
  });

  it('test_a_body_sent_too_slowly_is_cut_off', async () => {
    const head = 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const { answer, elapsedMs } = await converse(port, `${head}{"customer":`);
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(elapsedMs < TIMEOUTS.requestTimeoutMs + 1500, `cut off after ${elapsedMs} ms`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  });
});
