/**
 * The product client's connection handling over a real local HTTP server: a keep-alive connection that the
 * server drops as the next request arrives is retried on a fresh one, and an answer that never comes fails
 * the call as "unavailable" after the timeout, and a call carries the trace context in hand. (Answers and refusals of the real product service are covered
 * by the API tests.)
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { startIdOnlyTracing } from '../../../test/tracing.js';
import { ProductUnavailableError } from '../../orders/product-catalog.js';
import { ProductClient } from '../product-client.js';

const PRODUCT = { id: 'p-1', name: 'Mug', price: '9.99', currency: 'USD', stock: 3 };

/** A server calling `answer` with each request and the number of that request on its connection (1, 2, ...). */
async function serve(answer: (response: ServerResponse, nthOnConnection: number, socket: Socket) => void): Promise<{
  server: Server;
  url: string;
  requests: () => number;
}> {
  let requests = 0;
  const perConnection = new WeakMap<Socket, number>();
  const server = createServer((request, response) => {
    requests += 1;
    const nth = (perConnection.get(request.socket) ?? 0) + 1;
    perConnection.set(request.socket, nth);
    answer(response, nth, request.socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

describe('product client', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.closeAllConnections();
    return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('test_a_keep_alive_connection_dropped_by_the_server_is_retried_on_a_new_one', async () => {
    // The second request on any connection finds it closed, as when the server's idle timeout ends it.
    const product = await serve((response, nth, socket) => {
      if (nth > 1) {
        socket.destroy();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PRODUCT));
    });
    servers.push(product.server);
    const client = new ProductClient({ baseUrl: product.url, timeoutMs: 2000 });
    assert.deepEqual(await client.getProduct('p-1'), PRODUCT);
    assert.deepEqual(await client.getProduct('p-1'), PRODUCT, 'answered on a fresh connection');
    assert.equal(product.requests(), 3, 'the first call, the dropped one and its retry');
  });

  it('test_an_answer_that_never_comes_is_unavailable_after_the_timeout', async () => {
    const product = await serve(() => undefined);
    servers.push(product.server);
    const client = new ProductClient({ baseUrl: product.url, timeoutMs: 200 });
    await assert.rejects(client.reserve('o-1', [{ productId: 'p-1', quantity: 1 }]), (error: Error) => {
      assert.ok(error instanceof ProductUnavailableError, String(error));
      assert.match(error.message, /product service unreachable \(POST \/reservations\)/);
      assert.match(String((error.cause as Error | undefined)?.message), /no answer within 200 ms/);
      return true;
    });
    assert.equal(product.requests(), 1, 'a timeout is not retried');
  });

  it('test_a_base_url_path_prefixes_every_call', async () => {
    let seen = '';
    const product = await serve((response) => {
      response.writeHead(404).end();
    });
    product.server.prependListener('request', (request: { url?: string }) => {
      seen = request.url ?? '';
    });
    servers.push(product.server);
    const client = new ProductClient({ baseUrl: `${product.url}/catalog/`, timeoutMs: 2000 });
    assert.equal(await client.getProduct('a b'), undefined);
    assert.equal(seen, '/catalog/products/a%20b');
  });

  it('test_a_call_carries_the_traceparent_of_the_span_in_hand', async () => {
    // As in production with no exporter: the HTTP instrumentation leaves outgoing calls to the client.
    await startIdOnlyTracing();
    const received: Array<string | undefined> = [];
    const product = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PRODUCT));
    });
    product.server.prependListener('request', (request: { headers: Record<string, string | undefined> }) => {
      received.push(request.headers['traceparent']);
    });
    servers.push(product.server);
    const client = new ProductClient({ baseUrl: product.url, timeoutMs: 2000 });
    const inHand = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', // pragma: allowlist secret (a W3C example trace id)
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
    });
    await context.with(trace.setSpan(context.active(), inHand), () => client.getProduct('p-1'));
    await client.getProduct('p-1');
    assert.deepEqual(received, ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', undefined]);
  });
});
