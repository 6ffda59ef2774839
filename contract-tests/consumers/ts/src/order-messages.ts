/**
 * Provider side of the message pacts in which order is the provider (payment-order.json: PaymentRequested;
 * notification-order.json: OrderStatusChanged): builds the message the order service would put on the wire,
 * with the service's own code end to end, for the contract gate's verifier.
 *
 *   node --import tsx contract-tests/consumers/ts/src/order-messages.ts "<message description>" ['<params JSON>']
 *
 * prints one JSON object, `{"contents": <body>, "metadata": {...}}`, on stdout and exits 0; an unknown
 * description or bad parameters exit 2 with the reason on stderr.
 *
 * How the message is made (no step is re-implemented here):
 * 1. the outbox row: `paymentRequested` / `orderStatusChanged` of services/order/src/outbox/messages.ts;
 * 2. the row goes through the outbox as in the service: written by OutboxRepository to an in-memory SQLite
 *    database migrated with the service's migrations, then sent by OutboxRelay.drainOnce (its row → outgoing
 *    message mapping);
 * 3. the relay (with tracing started as the service starts it, ids only) hands it to the real broker publishers of src/adapters: ServiceBusPublisher (queue
 *    payment-requests) and EventHubPublisher (Event Hub order-events), whose private mappings (`toServiceBus`,
 *    `toEvent`) make the SDK message. Only the SDK clients handed to them are stand-ins that keep what they
 *    are given instead of sending it (a ServiceBusClient and an EventHubProducerClient).
 *
 * Metadata: every AMQP field the SDK message sets (`contentType`, `messageId`, `correlationId`, and
 * `subject` or any other if the adapter starts setting it) plus, for Event Hubs, the `partitionKey` the batch
 * is created with; then the application properties under their own names (`type`, `version` (an integer),
 * `traceparent`). The contents are the body bytes parsed as JSON.
 *
 * Params (all optional; the provider state's params can be passed as they are, unknown keys are ignored):
 * `orderId`, `customerEmail`, `customerName`, `customerPhone` (null: none), `productId`, `quantity`,
 * `unitPrice`, `currency`, `paymentToken`; for OrderStatusChanged also `status` (default PAID),
 * `previousStatus` (default PENDING_PAYMENT; null for the order's creation) and `reason`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { EventData, EventHubProducerClient } from '@azure/event-hubs';
import type { ServiceBusClient, ServiceBusMessage } from '@azure/service-bus';
import { openDatabase } from '../../../../services/order/src/adapters/database.js';
import { EventHubPublisher } from '../../../../services/order/src/adapters/event-hubs.js';
import { ServiceBusPublisher } from '../../../../services/order/src/adapters/service-bus.js';
import { migrateToLatest } from '../../../../services/order/src/db/migrate.js';
import type { NewOutboxRow } from '../../../../services/order/src/db/schema.js';
import { multiply, toMinorUnits } from '../../../../services/order/src/domain/money.js';
import type { Order } from '../../../../services/order/src/domain/order.js';
import { ORDER_STATUSES, type OrderStatus } from '../../../../services/order/src/domain/order-status.js';
import { createLogger } from '../../../../services/order/src/observability/logger.js';
import { Metrics } from '../../../../services/order/src/observability/metrics.js';
import { DESTINATIONS, orderStatusChanged, paymentRequested } from '../../../../services/order/src/outbox/messages.js';
import { OutboxRepository } from '../../../../services/order/src/outbox/outbox.repository.js';
import { OutboxRelay } from '../../../../services/order/src/outbox/relay.js';
import { startIdOnlyTracing } from '../../../../services/order/test/tracing.js';

/** The descriptions the consumer pacts use (payment's and notification's consumer tests). */
export const PAYMENT_REQUESTED = 'a PaymentRequested message';
export const ORDER_STATUS_CHANGED = 'an OrderStatusChanged message';
export const ORDER_MESSAGE_DESCRIPTIONS: readonly string[] = [PAYMENT_REQUESTED, ORDER_STATUS_CHANGED];

export interface ProviderMessage {
  readonly contents: unknown;
  readonly metadata: Record<string, unknown>;
}

export type MessageParams = Readonly<Record<string, unknown>>;

export class MessageRequestError extends Error {
  override name = 'MessageRequestError';
}

function text(params: MessageParams, key: string, fallback: string): string {
  const value = params[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new MessageRequestError(`param ${key} must be a non-empty string`);
  }
  return value;
}

function status(params: MessageParams, key: string, fallback: OrderStatus, nullable: boolean): OrderStatus | null {
  const value = params[key];
  if (value === undefined) return fallback;
  if (value === null && nullable) return null;
  if (!(ORDER_STATUSES as readonly unknown[]).includes(value)) {
    throw new MessageRequestError(
      `param ${key} must be one of ${ORDER_STATUSES.join(', ')}${nullable ? ' or null' : ''}`,
    );
  }
  return value as OrderStatus;
}

/** The order the message is about, as the service holds it after placing it (amounts in minor units). */
function orderOf(params: MessageParams, orderStatus: OrderStatus, reason: string | null): Order {
  const quantity = params['quantity'] ?? 2;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
    throw new MessageRequestError('param quantity must be a positive integer');
  }
  const unitPriceMinor = toMinorUnits(text(params, 'unitPrice', '12.50'));
  const phone = params['customerPhone'] === null ? undefined : text(params, 'customerPhone', '+447700900123');
  const placedAt = '2026-11-26T08:00:00.000Z';
  return {
    id: text(params, 'orderId', randomUUID()),
    status: orderStatus,
    customer: {
      email: text(params, 'customerEmail', 'ada@example.com').toLowerCase(),
      name: text(params, 'customerName', 'Ada Lovelace'),
      ...(phone === undefined ? {} : { phone }),
    },
    currency: text(params, 'currency', 'USD'),
    totalMinor: multiply(unitPriceMinor, quantity),
    items: [{ productId: text(params, 'productId', 'contract-mug-classic'), quantity, unitPriceMinor }],
    statusReason: reason,
    version: 1,
    createdAt: placedAt,
    updatedAt: placedAt,
  };
}

/** The outbox row order writes for the message `description`. */
export function outboxRow(description: string, params: MessageParams = {}): NewOutboxRow {
  switch (description) {
    case PAYMENT_REQUESTED: {
      const order = orderOf(params, 'PENDING_PAYMENT', null);
      return paymentRequested(order, { type: 'card', token: text(params, 'paymentToken', '4242424242424242') });
    }
    case ORDER_STATUS_CHANGED: {
      const to = status(params, 'status', 'PAID', false) ?? 'PAID';
      const from = status(params, 'previousStatus', 'PENDING_PAYMENT', true);
      const reason = params['reason'] === undefined || params['reason'] === null ? null : text(params, 'reason', '');
      const order = orderOf(params, to, reason);
      return orderStatusChanged(order, from, reason, '2026-11-26T08:00:02.000Z');
    }
    default:
      throw new MessageRequestError(
        `unknown message description "${description}"; known: ${ORDER_MESSAGE_DESCRIPTIONS.map((d) => `"${d}"`).join(', ')}`,
      );
  }
}

/** Stand-ins of the SDK clients under the publishers: they keep every message added to a batch. */
class CapturingServiceBus {
  readonly sent: ServiceBusMessage[] = [];

  createSender() {
    const sent = this.sent;
    return {
      createMessageBatch: () => {
        const batch: ServiceBusMessage[] = [];
        return Promise.resolve({
          get count() {
            return batch.length;
          },
          tryAddMessage(message: ServiceBusMessage) {
            batch.push(message);
            return true;
          },
          keep: () => sent.push(...batch),
        });
      },
      sendMessages: (batch: { keep(): void }) => {
        batch.keep();
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
}

class CapturingEventHubProducer {
  readonly sent: { event: EventData; partitionKey: string | undefined }[] = [];

  createBatch(options: { partitionKey?: string } = {}) {
    const batch: EventData[] = [];
    return Promise.resolve({
      get count() {
        return batch.length;
      },
      tryAdd(event: EventData) {
        batch.push(event);
        return true;
      },
      keep: (into: CapturingEventHubProducer['sent']) => {
        for (const event of batch) into.push({ event, partitionKey: options.partitionKey });
      },
    });
  }

  sendBatch(batch: { keep(into: CapturingEventHubProducer['sent']): void }): Promise<void> {
    batch.keep(this.sent);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const BODY_KEYS = new Set(['body', 'applicationProperties', 'properties']);

function decodeBody(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return JSON.parse(Buffer.from(body).toString('utf8'));
  if (typeof body === 'string') return JSON.parse(body);
  return body;
}

/** The SDK message as pact metadata: its AMQP fields, then its application properties, by name. */
function toProviderMessage(
  message: Record<string, unknown>,
  properties: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
): ProviderMessage {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (!BODY_KEYS.has(key) && value !== undefined) metadata[key] = value;
  }
  Object.assign(metadata, extra, properties ?? {});
  return { contents: decodeBody(message['body']), metadata };
}

/** Builds the message for `description` with order's real outbox, relay and broker adapters. */
export async function buildOrderMessage(description: string, params: MessageParams = {}): Promise<ProviderMessage> {
  // As the service runs with no exporter: the relay's PRODUCER span gets real ids, which the message carries.
  await startIdOnlyTracing();
  const row = outboxRow(description, params);
  const db = openDatabase({ dialect: 'sqlite', path: ':memory:' });
  const serviceBus = new CapturingServiceBus();
  const eventHub = new CapturingEventHubProducer();
  const eventHubs = new EventHubPublisher(eventHub as unknown as EventHubProducerClient);
  try {
    await migrateToLatest(db);
    const outbox = new OutboxRepository(db);
    await db.kysely.transaction().execute((trx) => outbox.add(trx, [row]));

    const publishers = {
      [DESTINATIONS.paymentRequests]: new ServiceBusPublisher(
        serviceBus as unknown as ServiceBusClient,
        DESTINATIONS.paymentRequests,
      ),
      [DESTINATIONS.orderEvents]: eventHubs,
    };
    const relay = new OutboxRelay(
      outbox,
      publishers,
      { pollMs: 1000, batchSize: 10 },
      new Metrics(),
      createLogger('silent'),
    );
    const sent = await relay.drainOnce();
    if (sent !== 1) throw new Error(`the outbox relay sent ${sent} messages, expected 1`);
  } finally {
    await db.close();
  }

  const [busMessage] = serviceBus.sent;
  if (busMessage !== undefined) {
    return toProviderMessage({ ...busMessage }, busMessage.applicationProperties);
  }
  const [hubEvent] = eventHub.sent;
  if (hubEvent !== undefined) {
    return toProviderMessage({ ...hubEvent.event }, hubEvent.event.properties, { partitionKey: hubEvent.partitionKey });
  }
  throw new Error('no broker adapter received the message');
}

async function main(argv: readonly string[]): Promise<number> {
  const [description, rawParams] = argv;
  if (description === undefined || argv.length > 2) {
    process.stderr.write(`usage: order-messages.ts "<message description>" ['<params JSON>']\n`);
    return 2;
  }
  try {
    let params: MessageParams = {};
    if (rawParams !== undefined && rawParams !== '') {
      const parsed: unknown = JSON.parse(rawParams);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new MessageRequestError('params must be a JSON object');
      }
      params = parsed as MessageParams;
    }
    const message = await buildOrderMessage(description, params);
    process.stdout.write(`${JSON.stringify(message)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof MessageRequestError || error instanceof SyntaxError) {
      process.stderr.write(`order-messages: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
