/**
 * The service as a process, the way shopctl runs it: ready only when every dependency answers, one order
 * through the saga over the real emulators and product service, JSON logs with trace ids, clean SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient } from '@azure/service-bus';
import { contractExample, createProduct, emulator, orderBody, productService, useEmulators, useProductService } from '../../test/helpers.js';
import { freePort, stopProcess, waitFor } from '../../test/platform.js';

useProductService();
useEmulators();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let child: ChildProcess;
let base: string;
let dir: string;
let stdout = '';

describe('order service process', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'order-process-'));
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'],
        ORDER_PORT: String(port),
        ORDER_SQLITE_PATH: join(dir, 'orders.sqlite'),
        ORDER_PRODUCT_URL: productService(),
        ORDER_SERVICEBUS_CONNECTION_STRING: emulator('servicebus').connectionString,
        ORDER_EVENTHUBS_CONNECTION_STRING: emulator('eventhubs').connectionString,
        ORDER_OUTBOX_POLL_MS: '50',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 30_000, child);
  });
  after(async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('test_ready_reports_every_dependency', async () => {
    const response = await fetch(`${base}/ready`);
    const body = (await response.json()) as { status: string; checks: Record<string, string> };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.deepEqual(body.checks, { database: 'ok', product: 'ok', servicebus: 'ok', eventhubs: 'ok' });
  });

  it('test_an_order_goes_through_the_saga_with_one_trace', async () => {
    const productId = await createProduct({ price: '5.00' });
    const placed = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify(orderBody([{ productId, quantity: 2 }])),
    });
    assert.equal(placed.status, 201);
    const orderId = ((await placed.json()) as { id: string }).id;

    const bus = new ServiceBusClient(emulator('servicebus').connectionString);
    try {
      const receiver = bus.createReceiver('payment-requests');
      const [request] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
      assert.equal(request?.messageId, orderId);
      assert.match(String(request?.applicationProperties?.['traceparent']), new RegExp(`^00-${TRACE_ID}-`));
      assert.deepEqual(request?.body.data.amount, { value: '10.00', currency: 'USD' });
      await receiver.completeMessage(request!);
      await receiver.close();

      const example = contractExample('PaymentSucceeded');
      const sender = bus.createSender('payment-events');
      await sender.sendMessages({
        body: Buffer.from(JSON.stringify({ ...example, id: randomUUID(), correlationId: orderId, data: { ...example['data'], orderId } })),
        contentType: 'application/json',
        messageId: randomUUID(),
        applicationProperties: { type: 'PaymentSucceeded', version: 1, traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` },
      });
      await sender.close();
    } finally {
      await bus.close();
    }

    let status = '';
    for (let i = 0; i < 100 && status !== 'PAID'; i += 1) {
      status = ((await (await fetch(`${base}/orders/${orderId}`)).json()) as { status: string }).status;
      if (status !== 'PAID') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 'PAID');

    const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.some((line) => line['msg'] === 'order placed' && line['traceId'] === TRACE_ID));
    assert.ok(lines.some((line) => line['msg'] === 'order status changed' && line['traceId'] === TRACE_ID));
    assert.doesNotMatch(stdout, /4242424242424242/, 'the card token never reaches the logs');
  });

  it('test_sigterm_stops_the_service_cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /"msg":"stopped"/);
  });
});
