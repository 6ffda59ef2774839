/**
 * The saga messages this service produces (contract-tests/messages: PaymentRequested v1, OrderStatusChanged v1),
 * built as outbox rows. The envelope id is fixed when the row is written, so a re-send after a crash carries
 * the same id and consumers' de-duplication recognises it.
 */
import { randomUUID } from 'node:crypto';
import type { NewOutboxRow } from '../db/schema.js';
import { fromMinorUnits } from '../domain/money.js';
import type { Order, PaymentMethod } from '../domain/order.js';
import type { OrderStatus } from '../domain/order-status.js';
import { currentTraceparent } from '../observability/trace.js';

/** Logical destinations; the relay maps each to a sender (Service Bus queue, Event Hub). */
export const DESTINATIONS = { paymentRequests: 'payment-requests', orderEvents: 'order-events' } as const;
export type Destination = (typeof DESTINATIONS)[keyof typeof DESTINATIONS];

export interface Envelope<T> {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly data: T;
}

let sequence = 0;

/**
 * Outbox row ids sort in write order (milliseconds, then a per-process counter), so the relay sends the
 * messages of one order in the order they were written even when they share a timestamp.
 */
function outboxRowId(): string {
  sequence = (sequence + 1) % 0x1_0000_0000;
  const time = Date.now().toString(16).padStart(12, '0');
  return `${time}-${sequence.toString(16).padStart(8, '0')}-${randomUUID().slice(0, 13)}`;
}

function money(minor: number, currency: string): { value: string; currency: string } {
  return { value: fromMinorUnits(minor), currency };
}

function customerOf(order: Order): { email: string; name: string; phone?: string } {
  const { email, name, phone } = order.customer;
  return phone === undefined ? { email, name } : { email, name, phone };
}

function row<T>(
  destination: Destination,
  envelope: Envelope<T>,
  messageId: string,
  partitionKey: string | null,
): NewOutboxRow {
  return {
    id: outboxRowId(),
    destination,
    message_id: messageId,
    partition_key: partitionKey,
    correlation_id: envelope.correlationId,
    message_type: envelope.type,
    message_version: envelope.version,
    body: JSON.stringify(envelope),
    // The span that wrote the row; the relay's PRODUCER span continues it.
    traceparent: currentTraceparent(),
    created_at: envelope.occurredAt,
    sent_at: null,
    last_error: null,
  };
}

/** PaymentRequested v1 → queue payment-requests; the AMQP message id is the order id (duplicate detection). */
export function paymentRequested(order: Order, paymentMethod: PaymentMethod): NewOutboxRow {
  const envelope: Envelope<unknown> = {
    id: randomUUID(),
    type: 'PaymentRequested',
    version: 1,
    occurredAt: order.createdAt,
    correlationId: order.id,
    data: {
      orderId: order.id,
      customer: customerOf(order),
      amount: money(order.totalMinor, order.currency),
      paymentMethod: { type: paymentMethod.type, token: paymentMethod.token },
      items: order.items.map((item) => ({
        productId: item.productId,
        quantity: item.quantity,
        unitPrice: money(item.unitPriceMinor, order.currency),
      })),
    },
  };
  return row(DESTINATIONS.paymentRequests, envelope, order.id, null);
}

/** OrderStatusChanged v1 → Event Hub order-events, partition key = order id. */
export function orderStatusChanged(
  order: Order,
  previousStatus: OrderStatus | null,
  reason: string | null,
  occurredAt: string,
): NewOutboxRow {
  const id = randomUUID();
  const envelope: Envelope<unknown> = {
    id,
    type: 'OrderStatusChanged',
    version: 1,
    occurredAt,
    correlationId: order.id,
    data: {
      orderId: order.id,
      previousStatus,
      status: order.status,
      customer: customerOf(order),
      total: money(order.totalMinor, order.currency),
      ...(reason === null ? {} : { reason }),
    },
  };
  return row(DESTINATIONS.orderEvents, envelope, id, order.id);
}
