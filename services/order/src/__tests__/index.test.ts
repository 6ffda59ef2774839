/**
 * The service as a process, the way shopctl runs it: ready only when every dependency answers, one order
 * through the saga over the real emulators and product service, JSON logs with trace ids, its spans
 * exported over OTLP/HTTP protobuf to a local receiver as one trace, clean SIGTERM.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient } from '@azure/service-bus';
import {
  PaymentRequestedSchema,
  contractExample,
  createProduct,
  emulator,
  orderBody,
  spawnOrderServiceOnEmulators,
  useEmulators,
  useProductService,
} from '../../test/helpers.js';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../test/otlp-receiver.js';
import { freePort, stopProcess, waitFor } from '../../test/platform.js';

useProductService();
useEmulators();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const PAYMENT_SPAN_ID = 'b7ad6b7169203331';
let child: ChildProcess;
let otlp: OtlpReceiver;
/** The traceparent the PaymentRequested message of the saga test carried. */
let paymentRequestTraceparent = '';
let base: string;
let dir: string;
let stdout = '';

function logLines(): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Log lines reach stdout in chunks, up to 200 ms after what they record (observability/logger.ts). */
async function untilLogged(done: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !done(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('order service process', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'order-process-'));
    otlp = await startOtlpReceiver();
    const port = await freePort();
    child = spawnOrderServiceOnEmulators({
      port,
      sqlitePath: join(dir, 'orders.sqlite'),
      stdio: ['ignore', 'pipe', 'pipe'],
      // The SDK's batch processor exports every 5 s by default; the test waits less.
      env: { ORDER_OUTBOX_POLL_MS: '50', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
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
    await otlp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('test_health_and_ready_answer_the_shared_shape_naming_every_dependency', async () => {
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', checks: {} });
    const response = await fetch(`${base}/ready`);
    const body = (await response.json()) as { status: string; checks: Record<string, unknown> };
    assert.equal(response.status, 200, JSON.stringify(body));
    const ok = { status: 'ok' };
    assert.deepEqual(body, {
      status: 'ok',
      checks: { database: ok, productService: ok, serviceBus: ok, eventHubs: ok },
    });
  });

  it('test_an_order_goes_through_the_saga_with_one_trace', async () => {
    const productId = await createProduct({ price: '5.00' });
    const placed = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`,
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
      paymentRequestTraceparent = String(request.applicationProperties?.['traceparent']);
      assert.match(paymentRequestTraceparent, new RegExp(`^00-${TRACE_ID}-`));
      assert.deepEqual(PaymentRequestedSchema.parse(request.body).data.amount, { value: '10.00', currency: 'USD' });
      await receiver.completeMessage(request);
      await receiver.close();

      const example = contractExample('PaymentSucceeded');
      const sender = bus.createSender('payment-events');
      await sender.sendMessages({
        body: Buffer.from(
          JSON.stringify({
            ...example,
            id: randomUUID(),
            correlationId: orderId,
            data: { ...example.data, orderId },
          }),
        ),
        contentType: 'application/json',
        messageId: randomUUID(),
        applicationProperties: {
          type: 'PaymentSucceeded',
          version: 1,
          traceparent: `00-${TRACE_ID}-${PAYMENT_SPAN_ID}-01`,
        },
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

    // The status a poll already sees may not be logged yet.
    const paidLine = (): Record<string, unknown> | undefined =>
      logLines().find(
        (line) => line['message'] === 'order status changed' && line['order_id'] === orderId && line['to'] === 'PAID',
      );
    await untilLogged(() => paidLine() !== undefined);
    const lines = logLines();
    const placedLine = lines.find((line) => line['message'] === 'order placed' && line['order_id'] === orderId);
    assert.equal(placedLine?.['trace_id'], TRACE_ID, 'the request keeps the trace id of its traceparent');
    const paid = paidLine();
    assert.equal(paid?.['trace_id'], TRACE_ID, 'the message keeps the trace id of its traceparent');
    assert.notEqual(paid['span_id'], placedLine['span_id'], 'each unit of work has its own span');
    assert.doesNotMatch(stdout, /4242424242424242/, 'the card token never reaches the logs');
  });

  it('test_the_sagas_spans_are_exported_over_otlp_as_one_trace', async () => {
    const spans = (): ReceivedSpan[] => otlp.spans.filter((span) => span.traceId === TRACE_ID);
    const named = (name: string, kind: number): ReceivedSpan | undefined =>
      spans().find((span) => span.name === name && span.kind === kind);
    const deadline = Date.now() + 10_000;
    while (named('process payment-events', SPAN_KIND.consumer) === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const shown = JSON.stringify(spans(), null, 1);
    assert.ok(otlp.contentTypes.length > 0 && otlp.contentTypes.every((type) => type === 'application/x-protobuf'));
    assert.ok(
      spans().every((span) => span.service === 'order'),
      shown,
    );

    const server = named('POST /orders', SPAN_KIND.server);
    assert.equal(server?.parentSpanId, CALLER_SPAN_ID, `the server span continues the request's: ${shown}`);
    const product = spans().filter((span) => span.kind === SPAN_KIND.client && span.name === 'POST');
    assert.ok(product.length > 0, `the reservation call to the product service is a client span: ${shown}`);

    const producer = named('send payment-requests', SPAN_KIND.producer);
    assert.ok(producer, shown);
    assert.ok(
      spans().some((span) => span.spanId === producer.parentSpanId),
      'the producer continues the span that wrote the outbox row',
    );
    assert.equal(paymentRequestTraceparent, `00-${TRACE_ID}-${producer.spanId}-01`, 'the message carries the producer');

    const consumer = named('process payment-events', SPAN_KIND.consumer);
    assert.equal(consumer?.parentSpanId, PAYMENT_SPAN_ID, `the consumer continues the message's: ${shown}`);
    const event = named('send order-events', SPAN_KIND.producer);
    assert.ok(event, `the PAID OrderStatusChanged is sent in the same trace: ${shown}`);
  });

  it('test_every_log_line_has_the_shared_shape', async () => {
    // The access line of the saga test's last poll may still be on its way.
    await untilLogged(() => logLines().length >= 5);
    const lines = logLines();
    assert.ok(lines.length >= 5, stdout);
    for (const line of lines) {
      const shown = JSON.stringify(line);
      assert.match(String(line['time']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, shown);
      assert.ok(['debug', 'info', 'warning', 'error', 'critical'].includes(String(line['level'])), shown);
      assert.equal(line['service'], 'order', shown);
      assert.equal(typeof line['message'], 'string', shown);
      for (const key of Object.keys(line)) assert.match(key, /^[a-z][a-z0-9_]*$/, `${key} in ${shown}`);
      for (const noise of ['msg', 'pid', 'hostname']) assert.equal(noise in line, false, `${noise} in ${shown}`);
      if ('trace_id' in line || 'span_id' in line) {
        assert.match(String(line['trace_id']), /^[0-9a-f]{32}$/, shown);
        assert.match(String(line['span_id']), /^[0-9a-f]{16}$/, shown);
      }
    }
    const requests = lines.filter((line) => line['message'] === 'request');
    assert.ok(requests.length > 0);
    for (const line of requests) assert.ok('trace_id' in line && 'span_id' in line, JSON.stringify(line));
  });

  it('test_sigterm_stops_the_service_cleanly', async () => {
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(
      logLines().some((line) => line['message'] === 'stopped'),
      stdout,
    );
  });
});
