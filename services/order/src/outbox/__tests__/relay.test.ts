/** The outbox relay against the real Service Bus and Event Hubs emulators, with the official SDKs. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventHubConsumerClient, earliestEventPosition, type ReceivedEventData } from '@azure/event-hubs';
import { ServiceBusClient } from '@azure/service-bus';
import { createLogger } from '../../observability/logger.js';
import { EventHubPublisher, eventHubProducer } from '../../adapters/event-hubs.js';
import { ServiceBusPublisher } from '../../adapters/service-bus.js';
import type { OutboxRepository } from '../outbox.repository.js';
import { OutboxRelay } from '../relay.js';
import { OrderPublicSchema } from '../../api/orders/order.model.js';
import {
  EnvelopeSchema,
  OrderStatusChangedSchema,
  contractValidator,
  createProduct,
  emulator,
  eventually,
  only,
  orderBody,
  postOrder,
  startOrderApp,
  useEmulators,
  useProductService,
  type OrderApp,
} from '../../../test/helpers.js';
import { startIdOnlyTracing } from '../../../test/tracing.js';

await startIdOnlyTracing();
useProductService();
useEmulators();

class SimulatedCrash extends Error {}

let app: OrderApp;
let bus: ServiceBusClient;
let publishers: { 'payment-requests': ServiceBusPublisher; 'order-events': EventHubPublisher };
const validate = contractValidator();

/** A relay that dies right after sending to `crashAfter` (before marking those rows sent). */
function relay(crashAfter?: string, pollMs = 20, batchSize = 50, outbox = app.parts.outbox): OutboxRelay {
  const afterSend = (rows: ReadonlyArray<{ destination: string }>): Promise<void> =>
    rows[0]?.destination === crashAfter
      ? Promise.reject(new SimulatedCrash(`process died after sending to ${crashAfter}`))
      : Promise.resolve();
  const options = { pollMs, batchSize, afterSend };
  return new OutboxRelay(outbox, publishers, options, app.parts.metrics, createLogger('silent'));
}

/** The app's outbox (its rows and its commit announcements), counting the relay's scans for unsent rows. */
function countingScans(): { outbox: OutboxRepository; scans: () => number } {
  const real = app.parts.outbox;
  let scans = 0;
  const outbox = Object.create(real) as OutboxRepository;
  outbox.pending = (limit: number) => {
    scans += 1;
    return real.pending(limit);
  };
  return { outbox, scans: () => scans };
}

async function readEvents(orderIds: string | readonly string[]): Promise<ReceivedEventData[]> {
  const wanted = new Set(typeof orderIds === 'string' ? [orderIds] : orderIds);
  const consumer = new EventHubConsumerClient('$Default', emulator('eventhubs').connectionString);
  const events: ReceivedEventData[] = [];
  const subscription = consumer.subscribe(
    {
      processEvents: (batch) => {
        events.push(...batch.filter((event) => wanted.has(String(event.correlationId))));
        return Promise.resolve();
      },
      processError: () => Promise.resolve(),
    },
    { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 },
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await subscription.close();
  await consumer.close();
  return events;
}

describe('outbox relay', () => {
  before(async () => {
    app = await startOrderApp();
    bus = new ServiceBusClient(emulator('servicebus').connectionString);
    publishers = {
      'payment-requests': new ServiceBusPublisher(bus, 'payment-requests'),
      'order-events': new EventHubPublisher(
        eventHubProducer({ connectionString: emulator('eventhubs').connectionString }, 'order-events'),
      ),
    };
  });
  after(async () => {
    await publishers['payment-requests'].close();
    await publishers['order-events'].close();
    await bus.close();
    await app.close();
  });

  it('test_crash_between_send_and_mark_resends_and_the_queue_holds_one_payment_request', async () => {
    const product = await createProduct();
    const placed = await postOrder(app, orderBody([{ productId: product, quantity: 1 }]));
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const order = OrderPublicSchema.parse(placed.body);

    // Each destination is sent twice: once by a relay that dies before marking the row, once after restart.
    await assert.rejects(relay('payment-requests').drainOnce(), SimulatedCrash);
    assert.equal((await app.parts.outbox.backlog()).pending, 2, 'nothing marked sent before the crash');
    await assert.rejects(relay('order-events').drainOnce(), SimulatedCrash);
    assert.equal((await app.parts.outbox.backlog()).pending, 1);
    assert.equal(await relay().drainOnce(), 1);
    assert.equal((await app.parts.outbox.backlog()).pending, 0);

    const receiver = bus.createReceiver('payment-requests', { receiveMode: 'peekLock' });
    try {
      const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 2000 });
      const mine = received.filter((message) => message.messageId === order.id);
      const message = only(mine, 'duplicate detection drops the re-send');
      assert.equal(message.correlationId, order.id);
      assert.equal(message.contentType, 'application/json');
      assert.equal(message.applicationProperties?.['type'], 'PaymentRequested');
      assert.equal(message.applicationProperties['version'], 1);
      assert.match(String(message.applicationProperties['traceparent']), /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
      assert.deepEqual(validate(message.body), []);
      assert.equal(EnvelopeSchema.parse(message.body).data['orderId'], order.id);
      for (const each of received) await receiver.completeMessage(each);
    } finally {
      await receiver.close();
    }

    const events = await readEvents(order.id);
    assert.equal(events.length, 2, 'Event Hubs keeps both sends');
    const [first, second] = events.map((event) => EnvelopeSchema.parse(event.body));
    assert.equal(first?.id, second?.id, 'a re-send carries the same envelope id, so consumers de-duplicate it');
    for (const event of events) {
      assert.equal(event.partitionKey, order.id);
      assert.equal(event.properties?.['type'], 'OrderStatusChanged');
      assert.deepEqual(validate(event.body), []);
    }
  });

  it('test_one_pass_sends_the_events_of_many_orders_each_order_in_order_on_one_partition', async () => {
    // The Event Hubs sends of different orders overlap (one per partition key); one order's stay in order.
    const product = await createProduct();
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const placed = await postOrder(app, orderBody([{ productId: product, quantity: 1 }]));
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      ids.push(OrderPublicSchema.parse(placed.body).id);
    }
    const cancelled = ids[0] ?? '';
    const cancel = await fetch(`${app.url}/orders/${cancelled}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200);

    await relay().drainOnce();
    assert.equal((await app.parts.outbox.backlog()).pending, 0, 'one pass sends every order');

    const events = await readEvents(ids);
    for (const id of ids) {
      const mine = events.filter((event) => event.correlationId === id);
      assert.ok(mine.every((event) => event.partitionKey === id));
      const statuses = mine.map((event) => OrderStatusChangedSchema.parse(event.body).data.status);
      assert.deepEqual(statuses, id === cancelled ? ['PENDING_PAYMENT', 'CANCELLED'] : ['PENDING_PAYMENT']);
    }
  });

  it('test_a_committed_row_is_sent_without_waiting_for_the_next_poll', async () => {
    const product = await createProduct();
    // Polling once an hour: only the wake-up of the order's commit can send its rows within this test.
    const running = relay(undefined, 3_600_000);
    running.start();
    try {
      await eventually(
        'the idle relay to wait',
        () => app.parts.outbox.backlog(),
        (backlog) => backlog.pending === 0,
      );
      const placed = await postOrder(app, orderBody([{ productId: product, quantity: 1 }]));
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const orderId = OrderPublicSchema.parse(placed.body).id;
      const rows = await eventually(
        'both rows of the new order marked sent',
        () => app.parts.outbox.forCorrelation(orderId),
        (found) => found.length === 2 && found.every((row) => row.sent_at !== null),
      );
      assert.equal(rows.length, 2);
    } finally {
      await running.stop();
    }
  });

  /**
   * Waits for the relay to go idle, places a one-line order and waits until both its rows are sent; the scan
   * count from before the order, for the caller to compare with.
   */
  async function sendOneOrderOnceIdle(product: string, scans: () => number): Promise<number> {
    await eventually(
      'the idle relay to wait',
      () => app.parts.outbox.backlog(),
      (backlog) => backlog.pending === 0,
    );
    const before = scans();
    const placed = await postOrder(app, orderBody([{ productId: product, quantity: 1 }]));
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const orderId = OrderPublicSchema.parse(placed.body).id;
    await eventually(
      'both rows of the new order marked sent',
      () => app.parts.outbox.forCorrelation(orderId),
      (found) => found.length === 2 && found.every((row) => row.sent_at !== null),
    );
    return before;
  }

  it('test_a_pass_that_finds_less_than_a_batch_is_not_followed_by_another_scan', async () => {
    const product = await createProduct();
    const { outbox, scans } = countingScans();
    // Polling once an hour: every scan in this test is the commit's wake-up or a pass following another.
    const running = relay(undefined, 3_600_000, 50, outbox);
    running.start();
    try {
      const before = await sendOneOrderOnceIdle(product, scans);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(scans() - before, 1, 'one scan found both rows; nothing was left for a second one');
    } finally {
      await running.stop();
    }
  });

  it('test_a_pass_that_fills_its_batch_is_followed_at_once_by_the_next', async () => {
    const product = await createProduct();
    const { outbox, scans } = countingScans();
    // One row per pass and an hour between polls: the order's second row goes out only if a full pass is
    // followed by another at once.
    const running = relay(undefined, 3_600_000, 1, outbox);
    running.start();
    try {
      const before = await sendOneOrderOnceIdle(product, scans);
      assert.ok(scans() - before >= 2, `a scan per row, got ${scans() - before}`);
    } finally {
      await running.stop();
    }
  });

  it('test_relay_loop_sends_new_rows_and_stops_cleanly', async () => {
    const product = await createProduct();
    const running = relay();
    running.start();
    let orderId: string;
    let rows;
    try {
      const placed = await postOrder(app, orderBody([{ productId: product, quantity: 1 }]));
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      orderId = OrderPublicSchema.parse(placed.body).id;
      rows = await app.parts.outbox.forCorrelation(orderId);
      assert.deepEqual(
        rows.map((row) => [row.destination, row.message_type]),
        [
          ['payment-requests', 'PaymentRequested'],
          ['order-events', 'OrderStatusChanged'],
        ],
        'the order wrote its two rows while the relay was running',
      );
      const deadline = Date.now() + 5000;
      while (rows.some((row) => row.sent_at === null) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rows = await app.parts.outbox.forCorrelation(orderId);
      }
    } finally {
      // A relay left running would keep the test process alive after a failure.
      await running.stop();
    }
    assert.deepEqual(
      rows.map((row) => row.sent_at === null),
      [false, false],
      'both rows marked sent',
    );
    assert.equal((await app.parts.outbox.backlog()).pending, 0);
    const [paymentRow, eventRow] = rows;
    assert.ok(paymentRow && eventRow);

    const receiver = bus.createReceiver('payment-requests', { receiveMode: 'peekLock' });
    try {
      const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 5000 });
      const mine = received.filter((message) => message.messageId === orderId);
      const message = only(mine, 'the PaymentRequested row reached the queue once');
      assert.equal(message.applicationProperties?.['type'], 'PaymentRequested');
      assert.deepEqual(message.body, JSON.parse(paymentRow.body), 'the body as written in the row');
      for (const each of received) await receiver.completeMessage(each);
    } finally {
      await receiver.close();
    }
    const event = only(await readEvents(orderId), 'the OrderStatusChanged row reached the event hub once');
    assert.equal(event.partitionKey, orderId);
    assert.deepEqual(event.body, JSON.parse(eventRow.body), 'the body as written in the row');
  });
});
