/**
 * Message pact order ← payment (asynchronous messages on topic payment-events), written by feeding each
 * message to the order service's real handler (services/order/src/payments/payment-events.ts) the way its
 * Service Bus receiver does (src/adapters/service-bus.ts: broker message id, raw body bytes, a span from
 * the `traceparent` application property), over its real collaborators: order service, repositories, inbox
 * and outbox on an in-memory SQLite database with the service's migrations. Only the product service is a
 * recording stand-in (the ProductCatalog port), to show which reservation step each outcome takes.
 *
 * The metadata names the wire fields the order side relies on: `contentType`, `messageId` (the inbox key),
 * application properties `type` and `version` (the subscription filters on them) and `traceparent`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { openDatabase } from '../../../../services/order/src/adapters/database.js';
import type { Db } from '../../../../services/order/src/db/database.js';
import { migrateToLatest } from '../../../../services/order/src/db/migrate.js';
import type { Order } from '../../../../services/order/src/domain/order.js';
import { createLogger } from '../../../../services/order/src/observability/logger.js';
import { Metrics } from '../../../../services/order/src/observability/metrics.js';
import { inConsumerSpan } from '../../../../services/order/src/observability/trace.js';
import { startIdOnlyTracing } from '../../../../services/order/test/tracing.js';
import { OrderRepository } from '../../../../services/order/src/orders/order.repository.js';
import { OrderService } from '../../../../services/order/src/orders/order.service.js';
import type {
  ProductCatalog,
  ReservationStatus,
  ReservedLine,
} from '../../../../services/order/src/orders/product-catalog.js';
import { OutboxRepository } from '../../../../services/order/src/outbox/outbox.repository.js';
import { InboxRepository } from '../../../../services/order/src/payments/inbox.repository.js';
import { PaymentEventsHandler } from '../../../../services/order/src/payments/payment-events.js';
import { currency, money, openPact, pactFile, traceparent, utcTimestamp, uuid } from '../src/contract.js';
import { messageValidator } from '../src/schemas.js';

const { boolean, integer, regex, string } = MatchersV3;

const pact = openPact('order', 'payment');

const ORDER_PAID = '0b1e4c5d-2f3a-4b6c-8d7e-9f0a1b2c3d01';
const ORDER_DECLINED = '0b1e4c5d-2f3a-4b6c-8d7e-9f0a1b2c3d02';
const PAYMENT_SUCCEEDED = '5d0c2b1a-8e7f-4a6b-9c3d-2e1f0a9b8c77';
const PAYMENT_FAILED = '9a8b7c6d-5e4f-4321-8765-0fedcba98765';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const AMOUNT = { value: '25.00', currency: 'USD' };
const FAILURE_REASONS = ['declined', 'insufficient_funds', 'fraud_suspected', 'gateway_unavailable'] as const;

/** The Service Bus fields of a payment event (see contract-tests/PLAN.md "Message metadata"). */
function metadata(type: 'PaymentSucceeded' | 'PaymentFailed', paymentId: string) {
  return {
    contentType: 'application/json',
    messageId: uuid(paymentId),
    type,
    // An application property of type int on the wire (payment sets `"version": 1`).
    version: integer(1) as unknown as string,
    traceparent: traceparent(TRACEPARENT),
  };
}

function envelope(type: 'PaymentSucceeded' | 'PaymentFailed', orderId: string, paymentId: string, data: object) {
  return {
    id: uuid(paymentId),
    type,
    version: 1,
    occurredAt: utcTimestamp('2026-11-26T08:00:01.250Z'),
    correlationId: uuid(orderId),
    data: {
      orderId: uuid(orderId),
      paymentId: uuid(paymentId),
      amount: { value: money(AMOUNT.value), currency: currency(AMOUNT.currency) },
      ...data,
    },
  };
}

/** The product service as the ProductCatalog port, recording the reservation steps asked of it. */
class RecordingCatalog implements ProductCatalog {
  readonly steps: string[] = [];
  getProduct(): Promise<undefined> {
    return Promise.reject(new Error('not used by the payment-events handler'));
  }
  reserve(): Promise<ReservedLine[]> {
    return Promise.reject(new Error('not used by the payment-events handler'));
  }
  confirm(orderId: string): Promise<ReservationStatus> {
    this.steps.push(`confirm ${orderId}`);
    return Promise.resolve('CONFIRMED');
  }
  release(orderId: string): Promise<ReservationStatus> {
    this.steps.push(`release ${orderId}`);
    return Promise.resolve('RELEASED');
  }
}

let db: Db;
let orders: OrderService;
let outbox: OutboxRepository;
let handler: PaymentEventsHandler;
const catalog = new RecordingCatalog();
const validate = messageValidator();

/** An order awaiting payment, as step 1 of the saga leaves it. */
async function orderAwaitingPayment(id: string): Promise<void> {
  const order: Order = {
    id,
    status: 'PENDING_PAYMENT',
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    currency: 'USD',
    totalMinor: 2500,
    items: [{ productId: 'contract-mug-classic', quantity: 2, unitPriceMinor: 1250 }],
    statusReason: null,
    version: 1,
    createdAt: '2026-11-26T08:00:00.000Z',
    updatedAt: '2026-11-26T08:00:00.000Z',
  };
  await db.kysely.transaction().execute((trx) => new OrderRepository(db).insert(trx, order));
}

interface ReceivedMessage {
  readonly contents: { readonly content: unknown };
  readonly metadata: unknown;
}

/** What the Service Bus receiver does with a delivery: a consumer span from `traceparent`, then the handler. */
function deliver(message: ReceivedMessage) {
  const wire = message.metadata as Record<string, unknown>;
  const body = message.contents.content as { type: string; version: number };
  // The subscription filters on the application properties; they must agree with the body.
  assert.deepEqual([wire['type'], wire['version'], wire['contentType']], [body.type, body.version, 'application/json']);
  const messageId = String(wire['messageId']);
  return inConsumerSpan(wire['traceparent'], { system: 'servicebus', destination: 'payment-events', messageId }, () =>
    handler.handle(messageId, Buffer.from(JSON.stringify(message.contents.content), 'utf8')),
  );
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

async function lastStatusChange(
  orderId: string,
): Promise<{ body: Record<string, unknown>; traceparent: string | null }> {
  const rows = (await outbox.forCorrelation(orderId)).filter((row) => row.message_type === 'OrderStatusChanged');
  const last = rows.at(-1);
  assert.ok(last !== undefined, 'an OrderStatusChanged row in the outbox');
  return { body: JSON.parse(last.body) as Record<string, unknown>, traceparent: last.traceparent };
}

async function inboxEntry(messageId: string) {
  return db.kysely
    .selectFrom('inbox')
    .select(['order_id', 'message_type', 'outcome'])
    .where('message_id', '=', messageId)
    .executeTakeFirst();
}

describe('order ← payment', () => {
  before(async () => {
    await startIdOnlyTracing(); // as the service runs with no exporter: ids only
    db = openDatabase({ dialect: 'sqlite', path: ':memory:' });
    await migrateToLatest(db);
    const log = createLogger('silent');
    const metrics = new Metrics();
    outbox = new OutboxRepository(db);
    orders = new OrderService(db, new OrderRepository(db), outbox, catalog, metrics, log);
    handler = new PaymentEventsHandler(db, orders, new InboxRepository(db), metrics, log);
    await orderAwaitingPayment(ORDER_PAID);
    await orderAwaitingPayment(ORDER_DECLINED);
  });
  after(async () => {
    await db.close();
  });

  it('marks the order paid and confirms its stock on PaymentSucceeded', async () => {
    await pact
      .addAsynchronousInteraction()
      .given('a payment succeeded for an order', {
        orderId: ORDER_PAID,
        amount: AMOUNT.value,
        currency: AMOUNT.currency,
      })
      .expectsToReceive('a PaymentSucceeded message', (builder) => {
        builder
          .withJSONContent(
            envelope('PaymentSucceeded', ORDER_PAID, PAYMENT_SUCCEEDED, {
              authorizationCode: string('AUTH-839201'),
            }),
          )
          .withMetadata(metadata('PaymentSucceeded', PAYMENT_SUCCEEDED));
      })
      .executeTest(async (message) => {
        assert.deepEqual(await deliver(message), { action: 'complete', outcome: 'applied' });
        assert.equal((await orders.get(ORDER_PAID)).status, 'PAID');
        assert.ok(catalog.steps.includes(`confirm ${ORDER_PAID}`));
        assert.deepEqual(await inboxEntry(PAYMENT_SUCCEEDED), {
          order_id: ORDER_PAID,
          message_type: 'PaymentSucceeded',
          outcome: 'applied',
        });
        const change = await lastStatusChange(ORDER_PAID);
        assert.deepEqual(validate(change.body), []);
        assert.deepEqual(change.body['data'], {
          orderId: ORDER_PAID,
          previousStatus: 'PENDING_PAYMENT',
          status: 'PAID',
          customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
          total: AMOUNT,
        });
        // The trace goes on from the payment message's traceparent.
        assert.equal(traceIdOf(change.traceparent), traceIdOf(TRACEPARENT));
        // A redelivery (same message id) changes nothing.
        assert.deepEqual(await deliver(message), { action: 'complete', outcome: 'duplicate' });
      });
  });

  it('marks the order payment-failed with the reason and releases its stock on PaymentFailed', async () => {
    await pact
      .addAsynchronousInteraction()
      .given('a payment failed for an order', {
        orderId: ORDER_DECLINED,
        amount: AMOUNT.value,
        currency: AMOUNT.currency,
        reason: 'declined',
      })
      .expectsToReceive('a PaymentFailed message', (builder) => {
        builder
          .withJSONContent(
            envelope('PaymentFailed', ORDER_DECLINED, PAYMENT_FAILED, {
              reason: regex(new RegExp(`^(${FAILURE_REASONS.join('|')})$`), 'declined'),
              retryable: boolean(false),
            }),
          )
          .withMetadata(metadata('PaymentFailed', PAYMENT_FAILED));
      })
      .executeTest(async (message) => {
        assert.deepEqual(await deliver(message), { action: 'complete', outcome: 'applied' });
        const order = await orders.get(ORDER_DECLINED);
        assert.deepEqual([order.status, order.statusReason], ['PAYMENT_FAILED', 'declined']);
        assert.ok(catalog.steps.includes(`release ${ORDER_DECLINED}`));
        const change = await lastStatusChange(ORDER_DECLINED);
        assert.deepEqual(validate(change.body), []);
        assert.equal((change.body['data'] as { reason?: unknown }).reason, 'declined');
      });
  });

  it('writes message examples that satisfy contract-tests/messages', () => {
    const written = JSON.parse(readFileSync(pactFile('order', 'payment'), 'utf8')) as {
      interactions: { description: string; type: string; contents: { content: unknown } }[];
    };
    const descriptions = written.interactions.map((interaction) => interaction.description);
    assert.deepEqual(descriptions, ['a PaymentFailed message', 'a PaymentSucceeded message']);
    for (const interaction of written.interactions) {
      assert.equal(interaction.type, 'Asynchronous/Messages');
      assert.deepEqual(validate(interaction.contents.content), [], interaction.description);
    }
  });
});
