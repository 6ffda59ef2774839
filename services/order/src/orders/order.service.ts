/**
 * Orders: placing one (step 1 of the saga), reading them, and moving them through the status machine, with
 * each move's reservation step on the product service and its OrderStatusChanged message in the outbox.
 *
 * Placing an order: reserve the stock on the product service, price every line from the reservation's answer
 * (the product's price when its stock was held; client prices are never trusted), then write the order, its
 * idempotency key and its outbox rows in one transaction. A reservation whose order is refused after all (a
 * currency mismatch) or whose transaction never commits (crash, lost race for the key) is released here or,
 * failing that, expires on the product service after its TTL.
 *
 * Every status move writes the new status with a check on the version read (optimistic concurrency) and its
 * OrderStatusChanged in the same transaction, so of two concurrent moves of one order (a payment outcome and
 * a cancellation, two sweeper replicas) exactly one commits.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Executor } from '../db/database.js';
import { multiply, toMinorUnits } from '../domain/money.js';
import type { Customer, Order, OrderLine, PaymentMethod } from '../domain/order.js';
import { transition, type Consequence, type OrderEvent, type Transition } from '../domain/order-status.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { orderStatusChanged, paymentRequested } from '../outbox/messages.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import { IdempotencyKeyReusedError, InvalidCursorError, ItemRejectedError, OrderNotFoundError } from './errors.js';
import type { OrderRepository, PageAfter } from './order.repository.js';
import { ReservationStateError, StockRefusedError, type ProductCatalog, type ReservedLine } from './product-catalog.js';

/** Optimistic-concurrency retries of one status move before giving up. */
const MAX_MOVE_ATTEMPTS = 3;

/** The reason (order `statusReason`, OrderStatusChanged `reason`) of a cancellation by the payment timeout. */
export const PAYMENT_TIMEOUT_REASON = 'payment-timeout';

/** The longest `statusReason` the orders table holds. */
const MAX_REASON_LENGTH = 200;

/** A validated request to place an order (the HTTP API's OrderCreate); it carries no prices: items are priced here. */
export interface OrderRequest {
  readonly customer: Customer;
  readonly items: ReadonlyArray<{ readonly productId: string; readonly quantity: number }>;
  readonly paymentMethod: PaymentMethod;
}

export interface PlaceResult {
  readonly order: Order;
  readonly replayed: boolean;
}

export interface MoveOptions {
  readonly reason?: string | null;
  /** Runs inside the move's transaction (the payment-events inbox records the message id here). */
  readonly alsoInTransaction?: (executor: Executor) => Promise<void>;
}

export interface OrderPage {
  readonly orders: Order[];
  readonly nextCursor: string | null;
}

interface Cursor {
  readonly e: string;
  readonly c: string;
  readonly i: string;
}

export class OrderService {
  constructor(
    private readonly db: Db,
    private readonly orders: OrderRepository,
    private readonly outbox: OutboxRepository,
    private readonly products: ProductCatalog,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async place(request: OrderRequest, idempotencyKey: string, requestHash: string): Promise<PlaceResult> {
    const earlier = await this.replay(idempotencyKey, requestHash);
    if (earlier !== undefined) return { order: earlier, replayed: true };

    const orderId = randomUUID();
    const reserved = await this.reserve(orderId, request);
    let priced: { lines: OrderLine[]; currency: string };
    try {
      priced = await this.price(request, reserved);
    } catch (error) {
      await this.releaseQuietly(orderId);
      throw error;
    }
    const { lines, currency } = priced;

    const now = this.clock().toISOString();
    const order: Order = {
      id: orderId,
      status: 'PENDING_PAYMENT',
      customer: {
        email: request.customer.email.toLowerCase(),
        name: request.customer.name,
        ...(request.customer.phone === undefined ? {} : { phone: request.customer.phone }),
      },
      currency,
      totalMinor: lines.reduce((sum, line) => sum + multiply(line.unitPriceMinor, line.quantity), 0),
      items: lines,
      statusReason: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        await this.orders.insert(trx, order);
        await this.orders.insertIdempotencyKey(trx, idempotencyKey, requestHash, orderId, now);
        await this.outbox.add(trx, [
          paymentRequested(order, request.paymentMethod),
          orderStatusChanged(order, null, null, now),
        ]);
      });
    } catch (error) {
      await this.releaseQuietly(orderId);
      // A concurrent request with the same key won the race: answer as its replay.
      const winner = await this.replay(idempotencyKey, requestHash);
      if (winner !== undefined) return { order: winner, replayed: true };
      throw error;
    }
    this.outbox.committed();
    this.metrics.ordersCreated.inc();
    this.log.info({ order_id: orderId, items: lines.length }, 'order placed');
    return { order, replayed: false };
  }

  async get(orderId: string): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (order === undefined) throw new OrderNotFoundError(orderId);
    return order;
  }

  async listByCustomer(email: string, limit: number, cursor?: string): Promise<OrderPage> {
    const normalized = email.toLowerCase();
    const after = cursor === undefined ? undefined : decodeCursor(cursor, normalized);
    const found = await this.orders.listByCustomer(normalized, limit + 1, after);
    const orders = found.slice(0, limit);
    const last = orders.at(-1);
    const nextCursor =
      found.length > limit && last !== undefined
        ? encodeCursor({ e: normalized, c: last.createdAt, i: last.id })
        : null;
    return { orders, nextCursor };
  }

  cancel(orderId: string, reason?: string): Promise<Order> {
    return this.move(orderId, 'cancelled', { reason: reason ?? null });
  }

  fulfil(orderId: string): Promise<Order> {
    return this.move(orderId, 'fulfilled');
  }

  /**
   * Applies `event` to the order: checks the status machine (IllegalTransitionError if it forbids the move),
   * performs the move's reservation step on the product service (idempotent there, so it is safe to repeat
   * when the transaction below loses a race or the process dies), and writes the new status and its
   * OrderStatusChanged message in one transaction.
   *
   * A release comes before the transaction (a customer's cancel answers 503 and changes nothing while the
   * product service is down). A confirmation comes after it: the payment outcome is a fact that the status
   * records whatever the product service says, the order is PAID without waiting for the product service's
   * queue (the saga's latency under load), and only a PAID order's stock is ever sold, never one whose move
   * lost to a cancellation. When the confirmation fails after the commit, the error still reaches the caller:
   * the payment-events handler abandons the message and confirms again at its redelivery
   * ({@link confirmPaid}), so the step is done at least once.
   */
  async move(orderId: string, event: OrderEvent, options: MoveOptions = {}): Promise<Order> {
    for (let attempt = 1; ; attempt += 1) {
      const order = await this.get(orderId);
      const step = transition(order.status, event);
      const confirmsAfterCommit = step.consequence === 'confirmReservation';
      if (!confirmsAfterCommit) await this.settleReservation(order.id, step.consequence);
      // A refund owed must survive the customer's own words, so they are kept beside it, not instead of it.
      const customerReason = options.reason ?? null;
      const reason =
        step.consequence === 'requestRefund'
          ? `refund due: cancelled after payment${customerReason === null ? '' : ` (${customerReason})`}`
          : customerReason;
      const moved = await this.commitMove(order, step, reason, options.alsoInTransaction);
      if (moved !== undefined) {
        if (confirmsAfterCommit) await this.settleReservation(order.id, step.consequence);
        return moved;
      }
      if (attempt >= MAX_MOVE_ATTEMPTS) throw new Error(`order ${orderId} kept changing under a concurrent writer`);
    }
  }

  /**
   * Confirms the reservation of an order whose PaymentSucceeded was applied already: a redelivery of that
   * message, whose first delivery may have committed PAID and then failed to confirm (product service down,
   * process stopped). The product service confirms once per order, so repeating it is harmless.
   */
  confirmPaid(orderId: string): Promise<void> {
    return this.settleReservation(orderId, 'confirmReservation');
  }

  /**
   * Cancels an order whose payment outcome never came (the payment-timeout sweeper), with reason
   * `payment-timeout`: the same status machine, conditional update, outbox message and reservation step as
   * {@link cancel}, but only while the order is still PENDING_PAYMENT at `expectedVersion` (the version the
   * sweep read). Returns the cancelled order, or undefined when the order had moved on: a payment outcome,
   * a customer's cancel or another sweeper replica committed first, and this call changes nothing.
   *
   * The reservation is released after the commit, not before as in {@link move}: the conditional update
   * decides the race with a PaymentSucceeded first, so a sweep that loses never returns stock that a paid
   * order holds. If the process stops between the commit and the release (or the product service is
   * down), the reservation expires on the product service after its TTL.
   */
  async cancelUnpaid(orderId: string, expectedVersion: number): Promise<Order | undefined> {
    const order = await this.orders.findById(orderId);
    if (order?.status !== 'PENDING_PAYMENT' || order.version !== expectedVersion) return undefined;
    const step = transition(order.status, 'cancelled');
    const moved = await this.commitMove(order, step, PAYMENT_TIMEOUT_REASON);
    if (moved === undefined) return undefined;
    try {
      await this.settleReservation(order.id, step.consequence);
    } catch (error) {
      this.log.warn(
        { order_id: orderId, exception: error },
        'reservation release failed; it expires on the product service',
      );
    }
    return moved;
  }

  /**
   * Records on a CANCELLED order that a payment for it succeeded after all (the cancellation won the race
   * with the payment): `statusReason` becomes "refund due: payment succeeded after cancellation (<the
   * cancellation's reason>)". Runs in the caller's transaction (the payment-events inbox records the message
   * there); the status stays CANCELLED, so no OrderStatusChanged is written (a customer would get a second
   * "cancelled" message). Returns false when the order changed since it was read in this transaction.
   */
  async recordRefundDue(executor: Executor, orderId: string): Promise<boolean> {
    const order = await this.orders.findById(orderId, executor);
    if (order?.status !== 'CANCELLED') return false;
    const reason = `refund due: payment succeeded after cancellation (${order.statusReason ?? 'no reason given'})`;
    return this.orders.updateStatus(executor, order.id, order.version, {
      status: order.status,
      reason: reason.slice(0, MAX_REASON_LENGTH),
      at: this.clock().toISOString(),
    });
  }

  /**
   * Writes `step` for `order` if nobody changed the order since it was read (its version), with its
   * OrderStatusChanged, in one transaction. An unpaid order that is cancelled also has its PaymentRequested
   * withdrawn if the relay has not sent it yet: nothing should charge an order that will not ship.
   * Returns the moved order, or undefined when a concurrent writer changed the order first.
   */
  private async commitMove(
    order: Order,
    step: Transition,
    reason: string | null,
    alsoInTransaction?: (executor: Executor) => Promise<void>,
  ): Promise<Order | undefined> {
    const now = this.clock().toISOString();
    const moved: Order = {
      ...order,
      status: step.to,
      statusReason: reason,
      version: order.version + 1,
      updatedAt: now,
    };
    const committed = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await this.orders.updateStatus(trx, order.id, order.version, {
        status: step.to,
        reason,
        at: now,
      });
      if (!updated) return false;
      await alsoInTransaction?.(trx);
      if (isUnpaidCancellation(step)) await this.outbox.withdrawUnsent(trx, order.id, 'PaymentRequested', now);
      await this.outbox.add(trx, [orderStatusChanged(moved, step.from, reason, now)]);
      return true;
    });
    if (!committed) return undefined;
    this.outbox.committed();
    this.log.info({ order_id: order.id, from: step.from, to: step.to, reason }, 'order status changed');
    return moved;
  }

  private async settleReservation(orderId: string, consequence: Consequence): Promise<void> {
    try {
      if (consequence === 'confirmReservation') await this.products.confirm(orderId);
      if (consequence === 'releaseReservation') await this.products.release(orderId);
    } catch (error) {
      // The reservation expired, was already released, or is gone: the status still changes (the payment
      // outcome is a fact), and the gap is logged for the operators rather than blocking the saga.
      if (!(error instanceof ReservationStateError)) throw error;
      this.log.warn({ order_id: orderId, consequence, product_status: error.status }, 'reservation step refused');
    }
  }

  private async replay(key: string, requestHash: string): Promise<Order | undefined> {
    const known = await this.orders.findIdempotencyKey(key);
    if (known === undefined) return undefined;
    if (known.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return this.get(known.orderId);
  }

  /**
   * Prices the order's lines from the reservation's answer: each line's price and currency when its stock was
   * held, so placing an order costs the product service one call. Every line's currency must be the order's
   * (the first line's).
   *
   * Expand/contract: a product service older than the priced reservations answers no prices, and a line it
   * left unpriced is priced by reading the product, as before. Once every product service prices its
   * reservations, that fallback (and ProductCatalog.getProduct) can go.
   */
  private async price(
    request: OrderRequest,
    reserved: readonly ReservedLine[],
  ): Promise<{ lines: OrderLine[]; currency: string }> {
    const byProduct = new Map(reserved.map((line) => [line.productId, line]));
    const prices = await Promise.all(
      request.items.map(async (item) => {
        const line = byProduct.get(item.productId);
        if (line?.unitPrice !== undefined && line.currency !== undefined) {
          return { price: line.unitPrice, currency: line.currency };
        }
        return this.products.getProduct(item.productId);
      }),
    );
    const lines: OrderLine[] = [];
    let currency: string | undefined;
    for (const [index, item] of request.items.entries()) {
      const found = prices[index];
      // Only on the fallback: the product was deleted since its stock was held.
      if (found === undefined) {
        throw new ItemRejectedError(
          index,
          item.productId,
          'unknown-product',
          `product '${item.productId}' does not exist`,
        );
      }
      currency ??= found.currency;
      if (found.currency !== currency) {
        throw new ItemRejectedError(
          index,
          item.productId,
          'currency-mismatch',
          `product '${item.productId}' is priced in ${found.currency}, the order in ${currency}`,
        );
      }
      lines.push({ productId: item.productId, quantity: item.quantity, unitPriceMinor: toMinorUnits(found.price) });
    }
    return { lines, currency: currency as string };
  }

  private async reserve(orderId: string, request: OrderRequest): Promise<ReservedLine[]> {
    try {
      return await this.products.reserve(
        orderId,
        request.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
      );
    } catch (error) {
      if (!(error instanceof StockRefusedError)) throw error;
      const index = request.items.findIndex((item) => item.productId === error.productId);
      throw new ItemRejectedError(
        Math.max(index, 0),
        error.productId,
        error.reason,
        error.reason === 'unknown-product'
          ? `product '${error.productId}' does not exist`
          : `product '${error.productId}' has ${error.available ?? 'too little'} in stock, ${error.requested ?? 'more'} requested`,
        error.available,
      );
    }
  }

  private async releaseQuietly(orderId: string): Promise<void> {
    try {
      await this.products.release(orderId);
    } catch (error) {
      this.log.warn(
        { order_id: orderId, exception: error },
        'reservation release failed; it expires on the product service',
      );
    }
  }
}

function isUnpaidCancellation(step: Transition): boolean {
  return step.from === 'PENDING_PAYMENT' && step.to === 'CANCELLED';
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string, email: string): PageAfter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this service issued');
  }
  const cursor = parsed as Partial<Cursor> | null;
  if (cursor === null || typeof cursor.c !== 'string' || typeof cursor.i !== 'string' || typeof cursor.e !== 'string') {
    throw new InvalidCursorError('the cursor is not one this service issued');
  }
  if (cursor.e !== email) throw new InvalidCursorError('the cursor was issued for another customerEmail');
  return { createdAt: cursor.c, id: cursor.i };
}
