/** Step 4 of the saga end to end: payment-events on the real Service Bus emulator → order, product, outbox. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import { PaymentEventsReceiver } from '../../adapters/service-bus.js';
import { composeParts } from '../../composition.js';
import { createLogger } from '../../observability/logger.js';
import type { Disposition } from '../payment-events.js';
import { OrderPublicSchema } from '../../api/orders/order.model.js';
import {
  OrderStatusChangedSchema,
  contractExample,
  contractValidator,
  createProduct,
  emulator,
  eventually,
  orderBody,
  postOrder,
  productStock,
  reservationStatus,
  startOrderApp,
  useEmulators,
  useProductService,
  type Envelope,
  type OrderApp,
  type OrderStatusChanged,
} from '../../../test/helpers.js';
import { freePort } from '../../../test/platform.js';

useProductService();
useEmulators();

let app: OrderApp;
let bus: ServiceBusClient;
let sender: ServiceBusSender;
let receiver: PaymentEventsReceiver;
/** What the handler told the receiver to do with each delivery, by message id, in delivery order. */
const dispositions = new Map<string, Disposition[]>();
/** When set, the receiver's handler waits for it before answering (to have several messages settled at once). */
let hold: ((messageId: string | undefined) => Promise<void>) | undefined;
const validate = contractValidator();

function paymentEvent(type: 'PaymentSucceeded' | 'PaymentFailed', orderId: string, amount: string): Envelope {
  const example = contractExample(type);
  return {
    ...example,
    id: randomUUID(),
    correlationId: orderId,
    data: { ...example.data, orderId, amount: { value: amount, currency: 'USD' } },
  };
}

/** A message for the topic; a string body goes as it is (to send text that is not JSON). */
function message(body: string | Envelope, messageId: string = randomUUID()): ServiceBusMessage {
  return {
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    contentType: 'application/json',
    messageId,
    applicationProperties:
      typeof body === 'string' ? { type: '', version: 0 } : { type: body.type, version: body.version },
  };
}

/** The dead-letter reason of a disposition (undefined when it completes or abandons the message). */
function deadLetterReason(disposition: Disposition): string | undefined {
  return disposition.action === 'deadLetter' ? disposition.reason : undefined;
}

async function placeOrder(stock = 5, quantity = 2): Promise<{ orderId: string; productId: string }> {
  const productId = await createProduct({ stock, price: '10.00' });
  const placed = await postOrder(app, orderBody([{ productId, quantity }]));
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  return { orderId: OrderPublicSchema.parse(placed.body).id, productId };
}

async function inboxEntry(
  messageId: string,
): Promise<{ order_id: string | null; message_type: string; outcome: string } | undefined> {
  return app.parts.db.kysely
    .selectFrom('inbox')
    .select(['order_id', 'message_type', 'outcome'])
    .where('message_id', '=', messageId)
    .executeTakeFirst();
}

async function statusOf(orderId: string): Promise<string> {
  return (await app.parts.orders.get(orderId)).status;
}

async function statusChanges(orderId: string): Promise<OrderStatusChanged[]> {
  const rows = await app.parts.outbox.forCorrelation(orderId);
  return rows
    .filter((row) => row.message_type === 'OrderStatusChanged')
    .map((row) => OrderStatusChangedSchema.parse(JSON.parse(row.body)));
}

async function deadLettered(
  count: number,
): Promise<Map<string, { reason: string | undefined; description: string | undefined }>> {
  const dlq = bus.createReceiver('payment-events', 'order-service', { subQueueType: 'deadLetter' });
  const found = new Map<string, { reason: string | undefined; description: string | undefined }>();
  try {
    const deadline = Date.now() + 30_000;
    while (found.size < count && Date.now() < deadline) {
      for (const each of await dlq.receiveMessages(10, { maxWaitTimeInMs: 1000 })) {
        found.set(String(each.messageId), {
          reason: each.deadLetterReason,
          description: each.deadLetterErrorDescription,
        });
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
      async (id, body) => {
        const disposition = await app.parts.paymentEvents.handle(id, body);
        if (id !== undefined) dispositions.set(id, [...(dispositions.get(id) ?? []), disposition]);
        if (hold !== undefined) await hold(id);
        return disposition;
      },
      4,
      app.parts.log,
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
    assert.equal(
      await eventually(
        'status PAID',
        () => statusOf(orderId),
        (s) => s === 'PAID',
      ),
      'PAID',
    );
    // PAID commits first, the confirmation follows it (OrderService.move).
    await eventually(
      'reservation CONFIRMED',
      () => reservationStatus(orderId),
      (s) => s === 'CONFIRMED',
    );
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 0 });
    const last = (await statusChanges(orderId)).at(-1);
    assert.ok(last);
    assert.deepEqual([last.data.previousStatus, last.data.status], ['PENDING_PAYMENT', 'PAID']);
    assert.deepEqual(validate(last), []);
  });

  it('test_applied_payment_outcomes_observe_the_saga_duration_by_the_status_reached', async () => {
    const paid = await placeOrder();
    const failed = await placeOrder();
    await sender.sendMessages(message(paymentEvent('PaymentSucceeded', paid.orderId, '20.00')));
    await sender.sendMessages(message(paymentEvent('PaymentFailed', failed.orderId, '20.00')));
    await eventually(
      'both outcomes applied',
      async () => [await statusOf(paid.orderId), await statusOf(failed.orderId)].join(),
      (statuses) => statuses === 'PAID,PAYMENT_FAILED',
    );
    const text = await app.parts.metrics.registry.getSingleMetricAsString('order_saga_duration_seconds');
    assert.match(text, /^# TYPE order_saga_duration_seconds histogram$/m);
    for (const outcome of ['PAID', 'PAYMENT_FAILED']) {
      assert.match(text, new RegExp(`^order_saga_duration_seconds_count\\{outcome="${outcome}"\\} [1-9]`, 'm'));
      // Each saga here completes within seconds: counted under the 60 s bucket the SLO reads.
      const under60 = new RegExp(`^order_saga_duration_seconds_bucket\\{le="60",outcome="${outcome}"\\} (\\d+)$`, 'm');
      const count = new RegExp(`^order_saga_duration_seconds_count\\{outcome="${outcome}"\\} (\\d+)$`, 'm');
      assert.equal(text.match(under60)?.[1], text.match(count)?.[1]);
    }
  });

  it('test_paid_order_cancelled_with_a_reason_keeps_refund_due_beside_the_reason', async () => {
    const { orderId } = await placeOrder();
    await sender.sendMessages(message(paymentEvent('PaymentSucceeded', orderId, '20.00')));
    await eventually(
      'status PAID',
      () => statusOf(orderId),
      (s) => s === 'PAID',
    );
    const cancelled = await app.parts.orders.cancel(orderId, 'ordered by mistake');
    assert.equal(cancelled.statusReason, 'refund due: cancelled after payment (ordered by mistake)');
    const last = (await statusChanges(orderId)).at(-1);
    assert.ok(last);
    assert.deepEqual([last.data.status, last.data.reason], ['CANCELLED', cancelled.statusReason]);
  });

  it('test_redelivered_payment_event_changes_the_order_once', async () => {
    const { orderId } = await placeOrder();
    const event = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const messageId = randomUUID();
    // The topic has no duplicate detection: both copies are delivered; the inbox applies one.
    await sender.sendMessages(message(event, messageId));
    await sender.sendMessages(message(event, messageId));
    await eventually(
      'status PAID',
      () => statusOf(orderId),
      (s) => s === 'PAID',
    );
    const duplicates = await eventually(
      'a duplicate outcome',
      async () => await app.parts.metrics.registry.getSingleMetricAsString('order_payment_events_handled_total'),
      (text) => /outcome="duplicate"/.test(text),
    );
    assert.match(duplicates, /type="PaymentSucceeded",outcome="duplicate"\} [1-9]/);
    assert.equal((await statusChanges(orderId)).filter((e) => e.data.status === 'PAID').length, 1);
    assert.equal((await app.parts.orders.get(orderId)).version, 2);
  });

  it('test_payment_succeeded_paid_but_not_confirmed_is_confirmed_at_its_redelivery', async () => {
    const { orderId, productId } = await placeOrder(5, 2);
    // The same database with the product service not answering (nothing listens on the port): the first
    // delivery commits PAID, then fails to confirm, and its message is abandoned for a redelivery.
    const productDown = composeParts(app.parts.db, createLogger('silent'), {
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 1000,
    });
    const messageId = randomUUID();
    const event = paymentEvent('PaymentSucceeded', orderId, '20.00');

    const first = await productDown.paymentEvents.handle(messageId, event);

    assert.equal(first.action, 'abandon');
    assert.equal(await statusOf(orderId), 'PAID', 'the outcome is recorded without waiting for the product service');
    assert.equal((await inboxEntry(messageId))?.outcome, 'applied');
    assert.equal(await reservationStatus(orderId), 'RESERVED');

    const redelivered = await app.parts.paymentEvents.handle(messageId, event);

    assert.deepEqual(redelivered, { action: 'complete', outcome: 'duplicate' });
    assert.equal(await reservationStatus(orderId), 'CONFIRMED');
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 0 });
    assert.equal((await statusChanges(orderId)).filter((e) => e.data.status === 'PAID').length, 1);
  });

  it('test_payment_failed_marks_payment_failed_and_releases_stock', async () => {
    const { orderId, productId } = await placeOrder(5, 2);
    await sender.sendMessages(message(paymentEvent('PaymentFailed', orderId, '20.00')));
    assert.equal(
      await eventually(
        'status PAYMENT_FAILED',
        () => statusOf(orderId),
        (s) => s === 'PAYMENT_FAILED',
      ),
      'PAYMENT_FAILED',
    );
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
    const last = (await statusChanges(orderId)).at(-1);
    assert.ok(last);
    assert.equal(last.data.reason, 'declined');
    assert.deepEqual(validate(last), []);
  });

  it('test_payment_succeeded_for_a_cancelled_order_is_completed_and_records_refund_due_without_touching_stock', async () => {
    const { orderId, productId } = await placeOrder(5, 2);
    const cancelled = await app.parts.orders.cancel(orderId, 'changed my mind');
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    const eventsBefore = await statusChanges(orderId);

    const messageId = randomUUID();
    await sender.sendMessages(message(paymentEvent('PaymentSucceeded', orderId, '20.00'), messageId));
    const handled = await eventually(
      'the message to be handled',
      () => Promise.resolve(dispositions.get(messageId) ?? []),
      (each) => each.length > 0,
    );

    // Completed at the first delivery: an abandoned or dead-lettered payment would be retried or lost.
    assert.deepEqual(handled, [{ action: 'complete', outcome: 'refund-due' }]);
    assert.deepEqual(await inboxEntry(messageId), {
      order_id: orderId,
      message_type: 'PaymentSucceeded',
      outcome: 'refund-due:CANCELLED',
    });
    // The money taken is not lost silently: the order says a refund is due, and the metric counts it.
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual(
      [order.status, order.statusReason, order.version],
      ['CANCELLED', 'refund due: payment succeeded after cancellation (changed my mind)', cancelled.version + 1],
    );
    assert.match(
      await app.parts.metrics.registry.getSingleMetricAsString('order_payment_events_handled_total'),
      /type="PaymentSucceeded",outcome="refund-due"\} [1-9]/,
    );
    assert.deepEqual(await statusChanges(orderId), eventsBefore, 'the status did not change: no OrderStatusChanged');
    assert.equal(await reservationStatus(orderId), 'RELEASED', 'the released reservation is not confirmed');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
  });

  it('test_payment_failed_for_a_cancelled_order_is_completed_as_ignored_without_touching_the_order', async () => {
    const { orderId } = await placeOrder(5, 2);
    const cancelled = await app.parts.orders.cancel(orderId);
    const messageId = randomUUID();

    const disposition = await app.parts.paymentEvents.handle(
      messageId,
      paymentEvent('PaymentFailed', orderId, '20.00'),
    );

    assert.deepEqual(disposition, { action: 'complete', outcome: 'ignored' });
    assert.equal((await inboxEntry(messageId))?.outcome, 'ignored:CANCELLED');
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual(
      [order.status, order.version, order.updatedAt],
      ['CANCELLED', cancelled.version, cancelled.updatedAt],
    );
  });

  it('test_each_poison_kind_gets_its_dead_letter_disposition', async () => {
    const { orderId } = await placeOrder();
    const valid = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const handle = (body: unknown) => app.parts.paymentEvents.handle(randomUUID(), body);
    assert.deepEqual(await handle(Buffer.from('{"type": ')), {
      action: 'deadLetter',
      reason: 'MalformedBody',
      description: 'the body is not JSON',
    });
    assert.equal(deadLetterReason(await handle({ ...valid, id: 'not-a-uuid' })), 'SchemaViolation');
    assert.equal(deadLetterReason(await handle({ ...valid, data: { ...valid.data, orderId: 7 } })), 'SchemaViolation');
    assert.equal(deadLetterReason(await handle({ ...valid, type: 'PaymentRefunded' })), 'UnknownMessageType');
    assert.equal(deadLetterReason(await handle({ ...valid, version: 2 })), 'UnknownMessageType');
    const stranger = paymentEvent('PaymentFailed', randomUUID(), '1.00');
    assert.equal(deadLetterReason(await handle(stranger)), 'UnknownOrder');
    assert.equal(await statusOf(orderId), 'PENDING_PAYMENT');
  });

  it('test_unknown_fields_in_data_are_ignored', async () => {
    const { orderId } = await placeOrder();
    const event = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const disposition = await app.parts.paymentEvents.handle(randomUUID(), {
      ...event,
      data: { ...event.data, risk: 'low' },
    });
    assert.deepEqual(disposition, { action: 'complete', outcome: 'applied' });
  });

  it('test_poison_messages_are_dead_lettered_with_a_reason', async () => {
    const { orderId } = await placeOrder();
    const valid = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const poison = {
      'bad-json': message('{"type": "PaymentSucceeded", ', `bad-json-${randomUUID()}`),
      schema: message(
        { ...valid, data: { ...valid.data, amount: { value: 20, currency: 'USD' } } },
        `schema-${randomUUID()}`,
      ),
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
      schema: 'SchemaViolation',
      'unknown-type': 'UnknownMessageType',
      'unknown-version': 'UnknownMessageType',
      'unknown-order': 'UnknownOrder',
    });
    assert.match(found.get(String(poison.schema.messageId))?.description ?? '', /data: amount\.value/);
    assert.equal(await statusOf(orderId), 'PENDING_PAYMENT');
  });

  it('test_poison_messages_settled_in_the_same_tick_keep_their_own_reasons', async () => {
    // The receiver's four handlers answer at the same moment, so its four settlements are asked for in one
    // tick, where rhea would merge two consecutive deliveries into one disposition (the first one's reason).
    const { orderId } = await placeOrder();
    const valid = paymentEvent('PaymentSucceeded', orderId, '20.00');
    const kinds = [
      ['bad-json', '{"type": ', 'MalformedBody'],
      ['unknown-type', { ...valid, type: 'PaymentRefunded' }, 'UnknownMessageType'],
    ] as const;
    const poison = [0, 1, 2, 3].map((i) => {
      const [name, body, reason] = kinds[i % 2] ?? kinds[0];
      return { sent: message(body, `${name}-${i}-${randomUUID()}`), reason };
    });
    const ids = new Set(poison.map(({ sent }) => String(sent.messageId)));
    const waiting: (() => void)[] = [];
    hold = (id) => {
      if (id === undefined || !ids.has(id)) return Promise.resolve();
      return new Promise<void>((release) => {
        waiting.push(release);
        if (waiting.length === ids.size) for (const each of waiting) each();
      });
    };
    try {
      await sender.sendMessages(poison.map(({ sent }) => sent));
      const found = await deadLettered(poison.length);
      assert.deepEqual(
        poison.map(({ sent }) => found.get(String(sent.messageId))?.reason),
        poison.map(({ reason }) => reason),
      );
    } finally {
      hold = undefined;
    }
  });
});
