/**
 * The payment-timeout sweeper over real components: SQLite files, the product service (reservations), and
 * for the service as a process the Service Bus and Event Hubs emulators. An order "older than the timeout"
 * is one whose created_at is moved back in its database row.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { OrderPublicSchema } from '../../api/orders/order.model.js';
import type { Db } from '../../db/database.js';
import { Metrics } from '../../observability/metrics.js';
import { OrderRepository } from '../order.repository.js';
import { OrderService } from '../order.service.js';
import { PaymentTimeoutSweeper } from '../payment-timeout.js';
import type { ProductCatalog } from '../product-catalog.js';
import {
  OrderStatusChangedSchema,
  contractExample,
  contractValidator,
  createProduct,
  eventually,
  jsonAnswer,
  orderBody,
  postOrder,
  productStock,
  reservationStatus,
  spawnOrderServiceOnEmulators,
  startOrderApp,
  useEmulators,
  useProductService,
  type Envelope,
  type OrderApp,
  type OrderStatusChanged,
} from '../../../test/helpers.js';
import { freePort, stopProcess, waitFor } from '../../../test/platform.js';

useProductService();
useEmulators();

const TIMEOUT_SECONDS = 900; // the default, which startOrderApp's parts use
const validate = contractValidator();
let app: OrderApp;

async function placeOrder(quantity = 2): Promise<{ orderId: string; productId: string }> {
  const productId = await createProduct({ stock: 5, price: '10.00' });
  const placed = await postOrder(app, orderBody([{ productId, quantity }]));
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  return { orderId: OrderPublicSchema.parse(placed.body).id, productId };
}

/** Moves the order's creation `seconds` into the past, as if it had waited that long for its payment. */
async function age(db: Db, orderId: string, seconds: number): Promise<void> {
  const createdAt = new Date(Date.now() - seconds * 1000).toISOString();
  await db.kysely.updateTable('orders').set({ created_at: createdAt }).where('id', '=', orderId).execute();
}

async function statusChanges(orderId: string): Promise<OrderStatusChanged[]> {
  const rows = await app.parts.outbox.forCorrelation(orderId);
  return rows
    .filter((row) => row.message_type === 'OrderStatusChanged')
    .map((row) => OrderStatusChangedSchema.parse(JSON.parse(row.body)));
}

/** previousStatus → status of every OrderStatusChanged in the outbox for the order, in order. */
async function moves(orderId: string): Promise<string[]> {
  return (await statusChanges(orderId)).map((e) => `${e.data.previousStatus ?? 'none'}→${e.data.status}`);
}

async function paymentRequest(orderId: string): Promise<{ sent_at: string | null; last_error: string | null }> {
  const row = (await app.parts.outbox.forCorrelation(orderId)).find((r) => r.message_type === 'PaymentRequested');
  assert.ok(row, 'a PaymentRequested row');
  return { sent_at: row.sent_at, last_error: row.last_error };
}

async function counter(metrics: Metrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
}

function paymentSucceeded(orderId: string): Envelope {
  const example = contractExample('PaymentSucceeded');
  return {
    ...example,
    id: randomUUID(),
    correlationId: orderId,
    data: { ...example.data, orderId, amount: { value: '20.00', currency: 'USD' } },
  };
}

async function inboxOutcome(messageId: string): Promise<string | undefined> {
  const row = await app.parts.db.kysely
    .selectFrom('inbox')
    .select('outcome')
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return row?.outcome;
}

/**
 * A second order-service replica on the same database: its own OrderService and sweeper (and metrics),
 * with `repository` and `products` standing in for its order repository and product service client.
 */
function replica(
  repository: OrderRepository,
  products: ProductCatalog = app.parts.products,
): { sweeper: PaymentTimeoutSweeper; metrics: Metrics } {
  const { db, log, outbox } = app.parts;
  const metrics = new Metrics();
  const orders = new OrderService(db, repository, outbox, products, metrics, log);
  const sweeper = new PaymentTimeoutSweeper(
    orders,
    repository,
    { timeoutSeconds: TIMEOUT_SECONDS, sweepSeconds: 30 },
    metrics,
    log,
  );
  return { sweeper, metrics };
}

describe('payment timeout sweeper', () => {
  beforeEach(async () => {
    app = await startOrderApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('test_order_pending_longer_than_the_timeout_is_cancelled_released_and_announced', async () => {
    const { orderId, productId } = await placeOrder(2);
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 2 });
    await age(app.parts.db, orderId, TIMEOUT_SECONDS + 1);

    const pass = await app.parts.paymentTimeouts.sweepOnce();

    assert.deepEqual(pass, { examined: 1, cancelled: 1, failed: 0 });
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual([order.status, order.statusReason, order.version], ['CANCELLED', 'payment-timeout', 2]);
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
    assert.deepEqual(await moves(orderId), ['none→PENDING_PAYMENT', 'PENDING_PAYMENT→CANCELLED']);
    const cancelled = (await statusChanges(orderId)).at(-1);
    assert.equal(cancelled?.data.reason, 'payment-timeout');
    assert.deepEqual(validate(cancelled), []);
    // Not sent yet (no relay runs here): withdrawn, so nothing charges an order that will not ship.
    assert.equal((await paymentRequest(orderId)).last_error, 'withdrawn: the order was cancelled before this was sent');
    assert.equal(await counter(app.parts.metrics, 'order_payment_timeouts_total'), 1);

    // The next pass finds nothing: one cancellation, one message.
    assert.deepEqual(await app.parts.paymentTimeouts.sweepOnce(), { examined: 0, cancelled: 0, failed: 0 });
    assert.equal((await statusChanges(orderId)).length, 2);
  });

  it('test_order_younger_than_the_timeout_is_left_pending', async () => {
    const { orderId, productId } = await placeOrder(2);
    await age(app.parts.db, orderId, TIMEOUT_SECONDS - 5);

    assert.deepEqual(await app.parts.paymentTimeouts.sweepOnce(), { examined: 0, cancelled: 0, failed: 0 });

    const order = await app.parts.orders.get(orderId);
    assert.deepEqual([order.status, order.version], ['PENDING_PAYMENT', 1]);
    assert.equal(await reservationStatus(orderId), 'RESERVED');
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 2 });
    assert.deepEqual(await moves(orderId), ['none→PENDING_PAYMENT']);
    assert.deepEqual(await paymentRequest(orderId), { sent_at: null, last_error: null });
    assert.equal(await counter(app.parts.metrics, 'order_payment_timeouts_total'), 0);
  });

  it('test_payment_succeeding_after_the_timeout_cancel_is_recorded_as_refund_due', async () => {
    const { orderId, productId } = await placeOrder(2);
    await age(app.parts.db, orderId, TIMEOUT_SECONDS + 60);
    await app.parts.paymentTimeouts.sweepOnce();
    const messageId = randomUUID();

    const first = await app.parts.paymentEvents.handle(messageId, paymentSucceeded(orderId));
    const again = await app.parts.paymentEvents.handle(messageId, paymentSucceeded(orderId));

    assert.deepEqual(
      [first, again],
      [
        { action: 'complete', outcome: 'refund-due' },
        { action: 'complete', outcome: 'duplicate' },
      ],
    );
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual(
      [order.status, order.statusReason],
      ['CANCELLED', 'refund due: payment succeeded after cancellation (payment-timeout)'],
    );
    assert.equal(await inboxOutcome(messageId), 'refund-due:CANCELLED');
    assert.deepEqual(await moves(orderId), ['none→PENDING_PAYMENT', 'PENDING_PAYMENT→CANCELLED']);
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
  });

  it('test_payment_succeeding_between_the_sweep_read_and_its_update_wins_and_the_sweep_changes_nothing', async () => {
    const { orderId, productId } = await placeOrder(2);
    await age(app.parts.db, orderId, TIMEOUT_SECONDS + 60);
    // The sweeping replica reads the order while it is PENDING_PAYMENT; before it writes, the payment
    // outcome is applied by the other replica (app.parts), so the sweeper's read is stale when it writes.
    let interleaved = false;
    const staleReads = new OrderRepository(app.parts.db);
    const read = staleReads.findById.bind(staleReads);
    staleReads.findById = async (id, executor) => {
      const order = await read(id, executor);
      if (!interleaved && id === orderId) {
        interleaved = true;
        const applied = await app.parts.paymentEvents.handle(randomUUID(), paymentSucceeded(orderId));
        assert.deepEqual(applied, { action: 'complete', outcome: 'applied' });
      }
      return order;
    };
    const sweeping = replica(staleReads);

    const pass = await sweeping.sweeper.sweepOnce();

    assert.ok(interleaved, 'the payment was applied between the read and the write');
    assert.deepEqual(pass, { examined: 1, cancelled: 0, failed: 0 });
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual([order.status, order.statusReason, order.version], ['PAID', null, 2]);
    assert.deepEqual(await moves(orderId), ['none→PENDING_PAYMENT', 'PENDING_PAYMENT→PAID']);
    // The losing sweep released nothing: the paid order keeps its stock.
    assert.equal(await reservationStatus(orderId), 'CONFIRMED');
    assert.deepEqual(await productStock(productId), { stock: 3, reserved: 0 });
    assert.deepEqual(await paymentRequest(orderId), { sent_at: null, last_error: null });
    assert.equal(await counter(sweeping.metrics, 'order_payment_timeouts_total'), 0);
  });

  it('test_the_sweep_releases_stock_only_once_it_has_won_so_a_payment_arriving_meanwhile_is_a_refund_due', async () => {
    const { orderId, productId } = await placeOrder(2);
    await age(app.parts.db, orderId, TIMEOUT_SECONDS + 60);
    // The payment outcome is applied (by the other replica) right after the sweeping replica's release
    // reaches the product service. Had the sweep released before winning the order, the payment would have
    // found it still PENDING_PAYMENT and marked it PAID with its stock back on the shelf.
    const { products } = app.parts;
    let applied: unknown;
    const releaseThenPay: ProductCatalog = {
      getProduct: (id) => products.getProduct(id),
      reserve: (id, lines) => products.reserve(id, lines),
      confirm: (id) => products.confirm(id),
      release: async (id) => {
        const status = await products.release(id);
        applied = await app.parts.paymentEvents.handle(randomUUID(), paymentSucceeded(orderId));
        return status;
      },
    };
    const sweeping = replica(new OrderRepository(app.parts.db), releaseThenPay);

    assert.deepEqual(await sweeping.sweeper.sweepOnce(), { examined: 1, cancelled: 1, failed: 0 });

    assert.deepEqual(applied, { action: 'complete', outcome: 'refund-due' });
    const order = await app.parts.orders.get(orderId);
    assert.deepEqual(
      [order.status, order.statusReason],
      ['CANCELLED', 'refund due: payment succeeded after cancellation (payment-timeout)'],
    );
    assert.deepEqual(await moves(orderId), ['none→PENDING_PAYMENT', 'PENDING_PAYMENT→CANCELLED']);
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
  });

  it('test_concurrent_sweeps_of_two_replicas_and_payment_outcomes_move_each_order_exactly_once', async () => {
    const placed = await Promise.all([1, 2, 3, 4, 5, 6].map(() => placeOrder(1)));
    for (const { orderId } of placed) await age(app.parts.db, orderId, TIMEOUT_SECONDS + 60);
    const other = replica(new OrderRepository(app.parts.db));
    const messageIds = new Map(placed.map(({ orderId }) => [orderId, randomUUID()]));

    // Both replicas sweep while every order's payment succeeds: whoever writes first wins each order.
    await Promise.all([
      app.parts.paymentTimeouts.sweepOnce(),
      other.sweeper.sweepOnce(),
      ...placed.map(({ orderId }) =>
        app.parts.paymentEvents.handle(messageIds.get(orderId), paymentSucceeded(orderId)),
      ),
    ]);

    let cancelledCount = 0;
    for (const { orderId } of placed) {
      const order = await app.parts.orders.get(orderId);
      const changes = await moves(orderId);
      assert.equal(changes.length, 2, `${orderId}: exactly one move out of PENDING_PAYMENT: ${changes.join(', ')}`);
      assert.equal(changes[1], `PENDING_PAYMENT→${order.status}`);
      assert.equal(order.version, order.status === 'CANCELLED' ? 3 : 2);
      const outcome = await inboxOutcome(messageIds.get(orderId) ?? '');
      if (order.status === 'PAID') {
        assert.equal(outcome, 'applied');
        assert.equal(await reservationStatus(orderId), 'CONFIRMED');
      } else {
        assert.equal(order.status, 'CANCELLED');
        cancelledCount += 1;
        // The payment lost the race: its money is recorded as due back.
        assert.equal(outcome, 'refund-due:CANCELLED');
        assert.equal(order.statusReason, 'refund due: payment succeeded after cancellation (payment-timeout)');
        // RELEASED by the sweep: a payment confirms only once its PAID has committed, so one that lost the
        // order never sold its stock.
        assert.equal(await reservationStatus(orderId), 'RELEASED');
      }
    }
    const timeouts =
      (await counter(app.parts.metrics, 'order_payment_timeouts_total')) +
      (await counter(other.metrics, 'order_payment_timeouts_total'));
    assert.equal(timeouts, cancelledCount, 'one timeout counted per cancelled order, by one replica');
  });
});

describe('payment timeout in the running service', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  after(async () => {
    if (child !== undefined) await stopProcess(child);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('test_a_short_timeout_from_the_environment_cancels_an_unpaid_order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'order-timeout-'));
    const port = await freePort();
    child = spawnOrderServiceOnEmulators({
      port,
      sqlitePath: join(dir, 'orders.sqlite'),
      stdio: 'ignore',
      env: { ORDER_PAYMENT_TIMEOUT_SECONDS: '2', ORDER_PAYMENT_TIMEOUT_SWEEP_SECONDS: '1' },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 30_000, child);
    const productId = await createProduct({ stock: 5 });
    const placed = await jsonAnswer(
      await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(orderBody([{ productId, quantity: 2 }])),
      }),
    );
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const orderId = OrderPublicSchema.parse(placed.body).id;

    // No payment worker runs: nothing ever answers the PaymentRequested.
    const order = await eventually(
      'the order to leave PENDING_PAYMENT',
      async () => OrderPublicSchema.parse(await (await fetch(`${base}/orders/${orderId}`)).json()),
      (o) => o.status !== 'PENDING_PAYMENT',
      15_000,
    );

    assert.deepEqual([order.status, order.statusReason], ['CANCELLED', 'payment-timeout']);
    assert.equal(await reservationStatus(orderId), 'RELEASED');
    assert.deepEqual(await productStock(productId), { stock: 5, reserved: 0 });
    // Counted once cancelUnpaid has returned, after the release answered: a moment after the checks above.
    await eventually(
      'order_payment_timeouts_total 1',
      async () => (await fetch(`${base}/metrics`)).text(),
      (metrics) => /^order_payment_timeouts_total 1$/m.test(metrics),
    );
  });
});
