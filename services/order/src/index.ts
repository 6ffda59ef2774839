/** Entry point: configuration, wiring, listen; SIGTERM/SIGINT stop everything in order. */
import { sql } from 'kysely';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createCore } from './core.js';
import { openDatabase } from './db/dialect.js';
import { migrateToLatest } from './db/migrate.js';
import { createLogger } from './logger.js';
import { EventHubPublisher } from './messaging/event-hubs.js';
import { PaymentEventsReceiver, ServiceBusPublisher, serviceBusClient } from './messaging/service-bus.js';
import { OutboxRelay } from './outbox/relay.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const db = openDatabase(config.database);
  if (config.migrateOnStart) await migrateToLatest(db);
  const core = createCore(db, log, config.product);

  const bus = serviceBusClient(config.serviceBus.endpoint);
  const paymentRequests = new ServiceBusPublisher(bus, config.serviceBus.paymentRequestsQueue);
  const orderEvents = new EventHubPublisher(config.eventHubs.endpoint, config.eventHubs.eventHubName);
  const relay = new OutboxRelay(core.outbox, { 'payment-requests': paymentRequests, 'order-events': orderEvents }, config.outbox, core.metrics, log);
  const { paymentEventsTopic, paymentEventsSubscription, receiverConcurrency } = config.serviceBus;
  const receiver = new PaymentEventsReceiver(bus, paymentEventsTopic, paymentEventsSubscription, (id, body) => core.paymentEvents.handle(id, body), receiverConcurrency, log);

  const app = createApp({
    log,
    metrics: core.metrics,
    orders: core.orders,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.maxBodyBytes,
    readiness: [
      { name: 'database', check: async () => void (await sql`select 1`.execute(db.kysely)) },
      { name: 'product', check: () => core.products.ready() },
      { name: 'servicebus', check: () => paymentRequests.ready() },
      { name: 'eventhubs', check: () => orderEvents.ready() },
    ],
  });
  const server = app.listen(config.port, config.host, () => log.info({ host: config.host, port: config.port }, 'order service listening'));
  relay.start();
  receiver.start();

  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await Promise.all([closed, receiver.stop(), relay.stop()]);
    await Promise.allSettled([paymentRequests.close(), orderEvents.close()]);
    await bus.close();
    await db.close();
    log.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`order-service: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
