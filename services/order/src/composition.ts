/**
 * The composition root: the only module that picks the adapters (database driver, Service Bus, Event Hubs,
 * product service over HTTP) and wires them into the orders, outbox and payments modules and the HTTP API.
 * `composeParts` builds what needs no broker (the tests use it as it is); `composeService` builds the whole
 * service from its Config, with start and stop in the order a clean shutdown needs.
 */
import type { Server } from 'node:http';
import { sql } from 'kysely';
import { openDatabase } from './adapters/database.js';
import { EventHubPublisher, eventHubProducer } from './adapters/event-hubs.js';
import { ProductClient } from './adapters/product-client.js';
import { PaymentEventsReceiver, ServiceBusPublisher, serviceBusClient } from './adapters/service-bus.js';
import { createApp } from './api/app.js';
import { createHttpServer, listen } from './api/http-server.js';
import { PAYMENT_TIMEOUT_DEFAULTS, type Config } from './config.js';
import type { Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { OrderRepository } from './orders/order.repository.js';
import { OrderService } from './orders/order.service.js';
import { PaymentTimeoutSweeper, type PaymentTimeoutOptions } from './orders/payment-timeout.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { OutboxRelay } from './outbox/relay.js';
import { InboxRepository } from './payments/inbox.repository.js';
import { PaymentEventsHandler } from './payments/payment-events.js';

/** The service's parts that do not touch a broker SDK. */
export interface Parts {
  readonly db: Db;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly products: ProductClient;
  readonly orderRepository: OrderRepository;
  readonly outbox: OutboxRepository;
  readonly orders: OrderService;
  readonly paymentEvents: PaymentEventsHandler;
  readonly paymentTimeouts: PaymentTimeoutSweeper;
}

export function composeParts(
  db: Db,
  log: Logger,
  product: { baseUrl: string; timeoutMs: number },
  paymentTimeout: PaymentTimeoutOptions = PAYMENT_TIMEOUT_DEFAULTS,
): Parts {
  const metrics = new Metrics();
  const products = new ProductClient(product);
  const orderRepository = new OrderRepository(db);
  const outbox = new OutboxRepository(db);
  const orders = new OrderService(db, orderRepository, outbox, products, metrics, log);
  const paymentEvents = new PaymentEventsHandler(db, orders, new InboxRepository(db), metrics, log);
  const paymentTimeouts = new PaymentTimeoutSweeper(orders, orderRepository, paymentTimeout, metrics, log);
  metrics.attach({ ordersByStatus: () => orderRepository.countByStatus(), outboxBacklog: () => outbox.backlog() });
  return { db, log, metrics, products, orderRepository, outbox, orders, paymentEvents, paymentTimeouts };
}

export interface Service {
  /** Listens, then starts the outbox relay, the payment-events receiver and the payment-timeout sweeper. */
  start(): Promise<void>;
  /**
   * Stops taking requests and messages, waits for those in flight, the relay's current batch and the
   * sweeper's current pass, then closes the broker links and the database.
   */
  stop(): Promise<void>;
}

export async function composeService(config: Config, log: Logger): Promise<Service> {
  const db = openDatabase(config.database);
  if (config.migrateOnStart) await migrateToLatest(db);
  const parts = composeParts(db, log, config.product, config.paymentTimeout);

  const bus = serviceBusClient(config.serviceBus.endpoint);
  const paymentRequests = new ServiceBusPublisher(bus, config.serviceBus.paymentRequestsQueue);
  const orderEvents = new EventHubPublisher(eventHubProducer(config.eventHubs.endpoint, config.eventHubs.eventHubName));
  const relay = new OutboxRelay(
    parts.outbox,
    { 'payment-requests': paymentRequests, 'order-events': orderEvents },
    config.outbox,
    parts.metrics,
    log,
  );
  const { paymentEventsTopic, paymentEventsSubscription, receiverConcurrency } = config.serviceBus;
  const receiver = new PaymentEventsReceiver(
    bus,
    paymentEventsTopic,
    paymentEventsSubscription,
    (id, body) => parts.paymentEvents.handle(id, body),
    receiverConcurrency,
    log,
  );

  const app = createApp({
    log,
    metrics: parts.metrics,
    orders: parts.orders,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.maxBodyBytes,
    readiness: [
      {
        name: 'database',
        check: async () => {
          await sql`select 1`.execute(db.kysely);
        },
      },
      { name: 'productService', check: () => parts.products.ready() },
      { name: 'serviceBus', check: () => paymentRequests.ready() },
      { name: 'eventHubs', check: () => orderEvents.ready() },
    ],
  });
  let server: Server | undefined;

  return {
    async start() {
      const started = createHttpServer(app, config.http);
      await listen(started, config.port, config.host);
      log.info({ host: config.host, port: config.port }, 'order service listening');
      server = started;
      relay.start();
      receiver.start();
      parts.paymentTimeouts.start();
    },
    async stop() {
      const listening = server;
      const closed = new Promise<void>((resolve) => {
        if (listening === undefined) {
          resolve();
          return;
        }
        listening.close(() => {
          resolve();
        });
      });
      listening?.closeIdleConnections();
      await Promise.all([closed, receiver.stop(), relay.stop(), parts.paymentTimeouts.stop()]);
      await Promise.allSettled([paymentRequests.close(), orderEvents.close()]);
      await bus.close();
      await db.close();
    },
  };
}
