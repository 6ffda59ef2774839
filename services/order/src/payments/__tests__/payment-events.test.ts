/** Step 4 of the saga end to end: payment-events on the real Service Bus emulator → order, product, outbox. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import { PaymentEventsReceiver } from '../../messaging/service-bus.js';
import {
  contractExample,
  contractValidator,
  createProduct,
  emulator,
  orderBody,
  postOrder,
  productStock,
  reservationStatus,
  startOrderApp,
  useEmulators,
  useProductService,
  type OrderApp,
} from '../../../test/helpers.js';

useProductService();
useEmulators();

let app: OrderApp;
let bus: ServiceBusClient;
let sender: ServiceBusSender;
let receiver: PaymentEventsReceiver;
const validate = contractValidator();

function paymentEvent(type: 'PaymentSucceeded' | 'PaymentFailed', orderId: string, amount: string): Record<string, any> {
  const example = contractExample(type);
  return {
    ...example,
    id: randomUUID(),
    correlationId: orderId,
    data: { ...example['data'], orderId, amount: { value: amount, currency: 'USD' } },
  };
}

function message(body: unknown, messageId: string = randomUUID()): ServiceBusMessage {
  const payload = body as { type?: unknown; version?: unknown };
  return {
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    contentType: 'application/json',
    messageId,
    applicationProperties: { type: String(payload.type ?? ''), version: Number(payload.version ?? 0) },
  };
}

async function placeOrder(stock = 5, quantity = 2): Promise<{ orderId: string; productId: string }> {
  const productId = await createProduct({ stock, price: '10.00' });
  const order = (await postOrder(app, orderBody([{ productId, quantity }]))).body;
  return { orderId: order['id'], productId };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function statusOf(orderId: string): Promise<string> {
  return (await app.core.orders.get(orderId)).status;
}

async function statusChanges(orderId: string): Promise<any[]> {
  const rows = await app.core.outbox.forCorrelation(orderId);
  return rows.filter((row) => row.message_type === 'OrderStatusChanged').map((row) => JSON.parse(row.body));
}

async function deadLettered(count: number): Promise<Map<string, { reason: string | undefined; description: string | undefined }>> {
  const dlq = bus.createReceiver('payment-events', 'order-service', { subQueueType: 'deadLetter' });
  const found = new Map<string, { reason: string | undefined; description: string | undefined }>();
  try {
    const deadline = Date.now() + 30_000;
    while (found.size < count && Date.now() < deadline) {
      for (const each of await dlq.receiveMessages(10, { maxWaitTimeInMs: 1000 })) {
        found.set(String(each.messageId), { reason: each.deadLetterReason, description: each.deadLetterErrorDescription });
        await dlq.completeMessage(each);
      }
    }
  } finally {
    await dlq.close();
  }
  return found;
}

describe('payment events', () => {
  before(async () => {
    app = await startOrderApp();
    bus = new ServiceBusClient(emulator('servicebus').connectionString);
    sender = bus.createSender('payment-events');
    receiver = new PaymentEventsReceiver(
      bus,
      'payment-events',
      'order-service',
      (id, body) => app.core.paymentEvents.handle(id, body),
      4,
      app.core.log,
    );
    receiver.start();
  });
  after(async () => {
    await receiver.stop();
    await sender.close();
    await bus.close();
    await app.close();
  });

  it('test_payment_succeeded_marks_paid_confirms_stock_and_emits_status_change', async () => {
    const { orderId, productId } = await placeOrder();
    await sender.sendMessages(message(paymentEvent('PaymentSucceeded', orderId, '20.00')));
    assert.equal(await eventually(() => statusOf(orderId), (s) => s === 'PAID'), 'PAID');
    assert.equal(await reservationStatus(orderId), 'CONFIRMED');
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 0 });
    const last = (await statusChanges(orderId)).at(-1);
    assert.deepEqual([last.data.previousStatus, last.data.status], ['PENDING_PAYMENT', 'PAID']);
    assert.deepEqual(validate(last), []);
  });

  it('test_redelivered_payment_event_changes_the_order_once', async () => {
    const { orderId } = await placeOrder();
    const event = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const messageId = randomUUID();
    // The topic has no duplicate detection: both copies are delivered; the inbox applies one.
    await sender.sendMessages(message(event, messageId));
    await sender.sendMessages(message(event, messageId));
    await eventually(() => statusOf(orderId), (s) => s === 'PAID');
    const handled = await eventually(
      async () => (await app.core.metrics.registry.getSingleMetricAsString('payment_events_handled_total')),
      (text) => /outcome="duplicate"/.test(text),
    );
    assert.match(handled, /type="PaymentSucceeded",outcome="duplicate"\} [1-9]/);
    assert.equal((await statusChanges(orderId)).filter((e) => e.data.status === 'PAID').length, 1);
    assert.equal((await app.core.orders.get(orderId)).version, 2);
  });

  it('test_payment_failed_marks_payment_failed_and_releases_stock', async () => {
    const { orderId, productId } = await placeOrder(5, 2);
    await sender.sendMessages(message(paymentEvent('PaymentFailed', orderId, '20.00')));
    assert.equal(await eventually(() => statusOf(orderId), (s) => s === 'PAYMENT_FAILED'), 'PAYMENT_FAILED');
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
    const last = (await statusChanges(orderId)).at(-1);
    assert.equal(last.data.reason, 'declined');
    assert.deepEqual(validate(last), []);
  });

  it('test_payment_for_a_cancelled_order_is_completed_without_a_status_change', async () => {
    const { orderId } = await placeOrder();
    await app.core.orders.cancel(orderId);
    const messageId = randomUUID();
    await sender.sendMessages(message(paymentEvent('PaymentSucceeded', orderId, '20.00'), messageId));
    await eventually(
      () => app.core.metrics.registry.getSingleMetricAsString('payment_events_handled_total'),
      (text) => /outcome="ignored"/.test(text),
    );
    assert.equal(await statusOf(orderId), 'CANCELLED');
  });

  it('test_each_poison_kind_gets_its_dead_letter_disposition', async () => {
    const { orderId } = await placeOrder();
    const valid = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const handle = (body: unknown) => app.core.paymentEvents.handle(randomUUID(), body);
    assert.deepEqual(await handle(Buffer.from('{"type": ')), { action: 'deadLetter', reason: 'MalformedBody', description: 'the body is not JSON' });
    assert.equal(((await handle({ ...valid, id: 'not-a-uuid' })) as { reason: string }).reason, 'SchemaViolation');
    assert.equal(((await handle({ ...valid, data: { ...valid['data'], orderId: 7 } })) as { reason: string }).reason, 'SchemaViolation');
    assert.equal(((await handle({ ...valid, type: 'PaymentRefunded' })) as { reason: string }).reason, 'UnknownMessageType');
    assert.equal(((await handle({ ...valid, version: 2 })) as { reason: string }).reason, 'UnknownMessageType');
    const stranger = paymentEvent('PaymentFailed', randomUUID(), '1.00');
    assert.equal(((await handle(stranger)) as { reason: string }).reason, 'UnknownOrder');
    assert.equal(await statusOf(orderId), 'PENDING_PAYMENT');
  });

  it('test_unknown_fields_in_data_are_ignored', async () => {
    const { orderId } = await placeOrder();
    const event = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const disposition = await app.core.paymentEvents.handle(randomUUID(), { ...event, data: { ...event['data'], risk: 'low' } });
    assert.deepEqual(disposition, { action: 'complete', outcome: 'applied' });
  });

  it('test_poison_messages_are_dead_lettered_with_a_reason', async () => {
    const { orderId } = await placeOrder();
    const valid = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const poison = {
      'bad-json': message('{"type": "PaymentSucceeded", ', `bad-json-${randomUUID()}`),
      'schema': message({ ...valid, data: { ...valid['data'], amount: { value: 20, currency: 'USD' } } }, `schema-${randomUUID()}`),
      'unknown-type': message({ ...valid, type: 'PaymentRefunded' }, `unknown-type-${randomUUID()}`),
      'unknown-version': message({ ...valid, version: 9 }, `unknown-version-${randomUUID()}`),
      'unknown-order': message(paymentEvent('PaymentSucceeded', randomUUID(), '1.00'), `unknown-order-${randomUUID()}`),
    };
    for (const each of Object.values(poison)) await sender.sendMessages(each);
    const found = await deadLettered(Object.keys(poison).length);
    const reasons = Object.fromEntries(
      Object.entries(poison).map(([name, sent]) => [name, found.get(String(sent.messageId))?.reason]),
    );
    assert.deepEqual(reasons, {
      'bad-json': 'MalformedBody',
      'schema': 'SchemaViolation',
      'unknown-type': 'UnknownMessageType',
      'unknown-version': 'UnknownMessageType',
      'unknown-order': 'UnknownOrder',
    });
    assert.match(found.get(String(poison.schema.messageId))?.description ?? '', /data: amount\.value/);
    assert.equal(await statusOf(orderId), 'PENDING_PAYMENT');
  });
});
