/** The service's parts that do not touch a broker SDK, wired together (shared by index.ts and the tests). */
import { OrderRepository } from './api/orders/order.repository.js';
import { OrderService } from './api/orders/order.service.js';
import { ProductClient } from './clients/product.js';
import type { Db } from './db/dialect.js';
import type { Logger } from './logger.js';
import { Metrics } from './observability/metrics.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { InboxRepository } from './payments/inbox.repository.js';
import { PaymentEventsHandler } from './payments/payment-events.js';

export interface Core {
  readonly db: Db;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly products: ProductClient;
  readonly orderRepository: OrderRepository;
  readonly outbox: OutboxRepository;
  readonly orders: OrderService;
  readonly paymentEvents: PaymentEventsHandler;
}

export function createCore(db: Db, log: Logger, product: { baseUrl: string; timeoutMs: number }): Core {
  const metrics = new Metrics();
  const products = new ProductClient(product);
  const orderRepository = new OrderRepository(db);
  const outbox = new OutboxRepository(db);
  const orders = new OrderService(db, orderRepository, outbox, products, metrics, log);
  const paymentEvents = new PaymentEventsHandler(db, orders, new InboxRepository(db), metrics, log);
  metrics.attach({ ordersByStatus: () => orderRepository.countByStatus(), outboxBacklog: () => outbox.backlog() });
  return { db, log, metrics, products, orderRepository, outbox, orders, paymentEvents };
}
