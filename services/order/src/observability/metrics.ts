/**
 * Prometheus metrics in the shape of docs/conventions.md: the HTTP RED metrics every service shares, then
 * the order service's own, all named `order_...`: orders by status, outbox backlog and lag, message
 * handling outcomes, payment timeouts, saga duration. The Node.js process and runtime defaults keep their own names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Gauges {
  /** Orders per status, read from the database at scrape time. */
  ordersByStatus(): Promise<ReadonlyArray<{ status: string; count: number }>>;
  /** Unsent outbox rows and the age in seconds of the oldest (0 when none). */
  outboxBacklog(): Promise<{ pending: number; oldestAgeSeconds: number }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly ordersCreated: Counter;
  readonly messagesHandled: Counter<'type' | 'outcome'>;
  readonly outboxSent: Counter<'destination'>;
  readonly paymentTimeouts: Counter;
  readonly sagaDuration: Histogram<'outcome'>;
  private gauges: Gauges | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.ordersCreated = new Counter({
      name: 'order_created_total',
      help: 'Orders created (idempotent replays not counted).',
      registers: [this.registry],
    });
    this.messagesHandled = new Counter({
      name: 'order_payment_events_handled_total',
      help: 'payment-events messages by type and outcome (applied, duplicate, ignored, refund-due, dead-lettered, abandoned).',
      labelNames: ['type', 'outcome'],
      registers: [this.registry],
    });
    this.outboxSent = new Counter({
      name: 'order_outbox_messages_sent_total',
      help: 'Outbox messages handed to the broker, by destination (re-sends after a crash included).',
      labelNames: ['destination'],
      registers: [this.registry],
    });
    this.paymentTimeouts = new Counter({
      name: 'order_payment_timeouts_total',
      help: 'Orders cancelled by the payment-timeout sweeper (still PENDING_PAYMENT after ORDER_PAYMENT_TIMEOUT_SECONDS).',
      registers: [this.registry],
    });
    this.sagaDuration = new Histogram({
      name: 'order_saga_duration_seconds',
      help: 'From order creation to its payment outcome applied, by the status it reached (PAID, PAYMENT_FAILED).',
      labelNames: ['outcome'],
      buckets: [1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [this.registry],
    });
    // collect() runs with `this` bound to its gauge; the attached Gauges are read through this closure.
    const attached = (): Gauges | undefined => this.gauges;
    new Gauge({
      name: 'order_orders_by_status',
      help: 'Orders in the database by status.',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const gauges = attached();
        if (gauges === undefined) return;
        this.reset();
        for (const row of await gauges.ordersByStatus()) this.set({ status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'order_outbox_pending_messages',
      help: 'Outbox rows not yet sent.',
      registers: [this.registry],
      async collect() {
        const gauges = attached();
        if (gauges === undefined) return;
        this.set((await gauges.outboxBacklog()).pending);
      },
    });
    new Gauge({
      name: 'order_outbox_lag_seconds',
      help: 'Age of the oldest unsent outbox row, in seconds (0 when the outbox is drained).',
      registers: [this.registry],
      async collect() {
        const gauges = attached();
        if (gauges === undefined) return;
        this.set((await gauges.outboxBacklog()).oldestAgeSeconds);
      },
    });
  }

  /** The database-backed gauges are attached once the repositories exist. */
  attach(gauges: Gauges): void {
    this.gauges = gauges;
  }
}
