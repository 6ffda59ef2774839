/**
 * One trace across the order service's edges, with every span recorded in memory: the HTTP server span
 * continues the request's traceparent, an outbox row keeps the context of the span that wrote it and the
 * relay's PRODUCER span (whose context the message carries) continues it, and a received payment event
 * gets a CONSUMER span in its sender's trace, or a trace of its own when its traceparent is garbage.
 * Real Service Bus and Event Hubs emulators, a real SQLite file, the app in a real HTTP server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { EventHubConsumerClient, earliestEventPosition, type ReceivedEventData } from '@azure/event-hubs';
import { ServiceBusClient } from '@azure/service-bus';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EventHubPublisher, eventHubProducer } from '../../adapters/event-hubs.js';
import { PaymentEventsReceiver, ServiceBusPublisher } from '../../adapters/service-bus.js';
import { createApp } from '../../api/app.js';
import { composeParts, type Parts } from '../../composition.js';
import type { Order } from '../../domain/order.js';
import { OutboxRelay } from '../../outbox/relay.js';
import {
  contractExample,
  emulator,
  eventually,
  tempDatabase,
  useEmulators,
  type TempDatabase,
} from '../../../test/helpers.js';
import { startRecordingTracing, untracedFetch } from '../../../test/tracing.js';
import { createLogger } from '../logger.js';

const spans = await startRecordingTracing();
useEmulators();

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const traceparent = (spanId: string): string => `00-${TRACE_ID}-${spanId}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

let database: TempDatabase;
let parts: Parts;
let server: Server;
let base: string;
let bus: ServiceBusClient;

function finished(): ReadableSpan[] {
  return spans.getFinishedSpans();
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function ids(header: unknown): { traceId: string; spanId: string } {
  const match = TRACEPARENT.exec(String(header));
  assert.ok(match?.[1] !== undefined && match[2] !== undefined, `not a sampled traceparent: ${String(header)}`);
  return { traceId: match[1], spanId: match[2] };
}

/** A PAID order written straight to the database: fulfilling it needs no product service. */
async function paidOrder(): Promise<Order> {
  const now = new Date().toISOString();
  const order: Order = {
    id: randomUUID(),
    status: 'PAID',
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    currency: 'USD',
    totalMinor: 1250,
    items: [{ productId: 'p-1', quantity: 1, unitPriceMinor: 1250 }],
    statusReason: null,
    version: 2,
    createdAt: now,
    updatedAt: now,
  };
  await database.db.kysely.transaction().execute((trx) => parts.orderRepository.insert(trx, order));
  return order;
}

async function readEvent(orderId: string): Promise<ReceivedEventData> {
  const consumer = new EventHubConsumerClient('$Default', emulator('eventhubs').connectionString);
  const found: ReceivedEventData[] = [];
  const subscription = consumer.subscribe(
    {
      processEvents: (batch) => {
        found.push(...batch.filter((event) => event.correlationId === orderId));
        return Promise.resolve();
      },
      processError: () => Promise.resolve(),
    },
    { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 },
  );
  try {
    return await eventually(
      'the OrderStatusChanged event',
      () => Promise.resolve(found[0]),
      (event) => event !== undefined,
    ).then((event) => event as ReceivedEventData);
  } finally {
    await subscription.close();
    await consumer.close();
  }
}

/** Sends a PaymentSucceeded for an order this service does not know (it is dead-lettered) with `header`. */
async function sendPaymentEvent(header: string): Promise<string> {
  const example = contractExample('PaymentSucceeded');
  const messageId = randomUUID();
  const sender = bus.createSender('payment-events');
  try {
    await sender.sendMessages({
      body: Buffer.from(JSON.stringify({ ...example, id: randomUUID() })),
      contentType: 'application/json',
      messageId,
      applicationProperties: { type: 'PaymentSucceeded', version: 1, traceparent: header },
    });
  } finally {
    await sender.close();
  }
  return messageId;
}

async function consumerSpanOf(messageId: string): Promise<ReadableSpan> {
  return (await eventually(
    `the CONSUMER span of message ${messageId}`,
    () => Promise.resolve(finished().find((span) => span.attributes['messaging.message.id'] === messageId)),
    (span) => span !== undefined,
  )) as ReadableSpan;
}

describe('tracing', () => {
  let receiver: PaymentEventsReceiver;

  before(async () => {
    database = await tempDatabase();
    // No product service: the routes exercised here never call it.
    parts = composeParts(database.db, createLogger('silent'), { baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    const app = createApp({
      log: parts.log,
      metrics: parts.metrics,
      orders: parts.orders,
      corsOrigins: [],
      maxBodyBytes: 64 * 1024,
      readiness: [],
    });
    server = await new Promise<Server>((listening) => {
      const started = app.listen(0, '127.0.0.1', () => {
        listening(started);
      });
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    bus = new ServiceBusClient(emulator('servicebus').connectionString);
    receiver = new PaymentEventsReceiver(
      bus,
      'payment-events',
      'order-service',
      (id, body) => parts.paymentEvents.handle(id, body),
      2,
      parts.log,
    );
    receiver.start();
  });
  after(async () => {
    await receiver.stop();
    await bus.close();
    await new Promise((closed) => server.close(closed));
    await database.remove();
  });

  it('test_a_request_with_a_traceparent_gets_a_server_span_that_is_its_child', async () => {
    const response = await untracedFetch(`${base}/orders/${randomUUID()}`, {
      headers: { traceparent: traceparent(CALLER_SPAN_ID) },
    });
    assert.equal(response.status, 404);
    const answered = ids(response.headers.get('traceparent'));
    const server = await eventually(
      'the server span',
      () => Promise.resolve(finished().find((span) => span.spanContext().spanId === answered.spanId)),
      (span) => span !== undefined,
    );
    assert.ok(server);
    assert.equal(server.kind, SpanKind.SERVER);
    assert.equal(server.name, 'GET /orders/{id}', 'named after the route template, not the path');
    assert.equal(server.attributes['http.route'], '/orders/{id}');
    assert.equal(server.spanContext().traceId, TRACE_ID);
    assert.equal(parentOf(server), CALLER_SPAN_ID);
  });

  it('test_a_request_without_a_traceparent_starts_a_trace', async () => {
    const response = await untracedFetch(`${base}/orders/${randomUUID()}`, { headers: { traceparent: 'garbage' } });
    const answered = ids(response.headers.get('traceparent'));
    assert.notEqual(answered.traceId, TRACE_ID);
    const server = finished().find((span) => span.spanContext().spanId === answered.spanId);
    assert.equal(server?.parentSpanContext, undefined, 'a root span');
  });

  it('test_the_outbox_message_carries_the_context_of_the_span_that_wrote_it', async () => {
    const order = await paidOrder();
    const response = await untracedFetch(`${base}/orders/${order.id}/fulfil`, {
      method: 'POST',
      headers: { traceparent: traceparent(CALLER_SPAN_ID) },
    });
    assert.equal(response.status, 200, await response.text());
    const server = ids(response.headers.get('traceparent'));
    const [row] = await parts.outbox.forCorrelation(order.id);
    const writer = ids(row?.traceparent);
    assert.equal(writer.traceId, TRACE_ID);
    const writerSpan = finished().find((span) => span.spanContext().spanId === writer.spanId);
    assert.ok(writerSpan, 'the row names a span of this request');
    assert.ok(
      writer.spanId === server.spanId || parentOf(writerSpan) === server.spanId,
      'the server span or its route handler wrote the row',
    );

    const publisher = new EventHubPublisher(
      eventHubProducer({ connectionString: emulator('eventhubs').connectionString }, 'order-events'),
    );
    const payments = new ServiceBusPublisher(bus, 'payment-requests');
    try {
      const relay = new OutboxRelay(
        parts.outbox,
        { 'order-events': publisher, 'payment-requests': payments },
        { pollMs: 1000, batchSize: 50 },
        parts.metrics,
        parts.log,
      );
      assert.equal(await relay.drainOnce(), 1);
    } finally {
      await publisher.close();
      await payments.close();
    }
    const producer = finished().find((span) => span.kind === SpanKind.PRODUCER && parentOf(span) === writer.spanId);
    assert.ok(producer, 'a PRODUCER span, the child of the writer');
    assert.equal(producer.name, 'send order-events');
    assert.equal(producer.spanContext().traceId, TRACE_ID);
    assert.equal(producer.attributes['messaging.system'], 'eventhubs');

    const event = await readEvent(order.id);
    const carried = ids(event.properties?.['traceparent']);
    assert.deepEqual(carried, { traceId: TRACE_ID, spanId: producer.spanContext().spanId });
    assert.equal(event.properties?.['Diagnostic-Id'], event.properties?.['traceparent'], 'the SDK keeps ours');
  });

  it('test_a_payment_event_with_a_traceparent_is_handled_in_a_consumer_span_of_that_trace', async () => {
    const messageId = await sendPaymentEvent(traceparent(CALLER_SPAN_ID));
    const consumer = await consumerSpanOf(messageId);
    assert.equal(consumer.kind, SpanKind.CONSUMER);
    assert.equal(consumer.name, 'process payment-events');
    assert.equal(consumer.spanContext().traceId, TRACE_ID);
    assert.equal(parentOf(consumer), CALLER_SPAN_ID);
    assert.equal(consumer.attributes['messaging.destination.subscription.name'], 'order-service');
    assert.equal(consumer.status.code, SpanStatusCode.ERROR, 'an unknown order is dead-lettered');
  });

  it('test_a_payment_event_with_a_garbage_traceparent_starts_a_new_trace', async () => {
    const messageId = await sendPaymentEvent(`00-${TRACE_ID}-not-hex-01`);
    const consumer = await consumerSpanOf(messageId);
    assert.notEqual(consumer.spanContext().traceId, TRACE_ID);
    assert.equal(consumer.parentSpanContext, undefined, 'a root span');
  });
});
