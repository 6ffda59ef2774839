/**
 * The payment-timeout sweeper: no order waits for its payment forever. Every `sweepSeconds` it looks for
 * orders still PENDING_PAYMENT that were placed more than `timeoutSeconds` ago and cancels each with reason
 * `payment-timeout` through OrderService.cancelUnpaid (status machine, conditional update, OrderStatusChanged
 * in the outbox, reservation released, unsent PaymentRequested withdrawn).
 *
 * Why an order can wait that long: the payment worker never answered (stopped, or its request was
 * dead-lettered after MaxDeliveryCount), or the PaymentRequested never left the outbox. A payment outcome
 * that arrives after the sweep is handled by the payment-events handler: a PaymentFailed is ignored, a
 * PaymentSucceeded records "refund due" on the cancelled order.
 *
 * Safe to run in every replica and against a concurrent payment outcome: each cancellation is conditional
 * on the order's version as the sweep read it, so exactly one writer moves an order and the others change
 * nothing (no second status change, no second release, no second message).
 */
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { PollingLoop } from '../polling-loop.js';
import type { OrderRepository } from './order.repository.js';
import type { OrderService } from './order.service.js';

/** Orders looked at per pass; a full batch starts the next pass at once. */
const BATCH_SIZE = 100;

export interface PaymentTimeoutOptions {
  /** An order still PENDING_PAYMENT this many seconds after it was placed is cancelled. */
  readonly timeoutSeconds: number;
  /** Seconds between passes. */
  readonly sweepSeconds: number;
}

export class PaymentTimeoutSweeper {
  private readonly loop: PollingLoop;

  constructor(
    private readonly orders: OrderService,
    private readonly repository: OrderRepository,
    private readonly options: PaymentTimeoutOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.loop = new PollingLoop(
      async () => {
        const pass = await this.sweepOnce();
        // A full batch without failures may have more behind it; failures wait for the next interval.
        return pass.examined >= BATCH_SIZE && pass.failed === 0;
      },
      options.sweepSeconds * 1000,
      (error) => {
        this.log.error({ exception: error }, 'payment timeout sweep failed');
      },
    );
  }

  /**
   * One pass: cancels up to one batch of the orders whose payment timed out. Returns how many orders it
   * looked at, how many it cancelled (the others were moved first by another writer, or failed).
   */
  async sweepOnce(): Promise<{ examined: number; cancelled: number; failed: number }> {
    const placedBy = new Date(this.clock().getTime() - this.options.timeoutSeconds * 1000).toISOString();
    const due = await this.repository.awaitingPaymentSince(placedBy, BATCH_SIZE);
    let cancelled = 0;
    let failed = 0;
    for (const { id, version } of due) {
      try {
        const order = await this.orders.cancelUnpaid(id, version);
        if (order === undefined) {
          this.log.info({ order_id: id }, 'payment timeout: the order moved on before the sweep; left as it is');
          continue;
        }
        cancelled += 1;
        this.metrics.paymentTimeouts.inc();
        this.log.warn(
          { order_id: id, created_at: order.createdAt, timeout_seconds: this.options.timeoutSeconds },
          'payment timeout: order cancelled',
        );
      } catch (error) {
        // The next pass tries again (the order is still PENDING_PAYMENT).
        failed += 1;
        this.log.error({ order_id: id, exception: error }, 'payment timeout: cancelling the order failed');
      }
    }
    return { examined: due.length, cancelled, failed };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the pass in progress, if any. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
