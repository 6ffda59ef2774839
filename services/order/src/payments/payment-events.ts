/**
 * Step 4 of the saga: applies PaymentSucceeded / PaymentFailed (v1) from topic payment-events to the order.
 * Knows nothing of Service Bus: it takes the message's id and raw body and says what to do with the message
 * (complete, dead-letter with a reason, or abandon for a later redelivery); adapters/service-bus.ts does it.
 *
 * - Poison (body not JSON, envelope or data not matching the schema, unknown type or version, unknown order):
 *   dead-letter with a reason; retrying cannot help.
 * - Already in the inbox (a redelivery, or a re-send by the publisher): complete without effect, except that
 *   an applied PaymentSucceeded confirms the reservation again (its first delivery may have committed PAID
 *   and stopped before confirming).
 * - An outcome the order's status no longer allows: completed. A PaymentSucceeded for a CANCELLED order
 *   (a customer or the payment-timeout sweeper cancelled it first) took money for an order that will not
 *   ship: "refund due" is recorded on the order (statusReason) in the same transaction as the inbox row
 *   (outcome `refund-due:CANCELLED`), counted as outcome `refund-due` and logged as a warning naming the
 *   payment. Any other late outcome is recorded in the inbox as ignored, with a warning.
 * - Product service or database unavailable: abandon; the broker redelivers (and dead-letters after
 *   MaxDeliveryCount).
 */
import { z } from 'zod';
import type { Db } from '../db/database.js';
import {
  IllegalTransitionError,
  lateOutcomeConsequence,
  type OrderEvent,
  type OrderStatus,
} from '../domain/order-status.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { OrderNotFoundError } from '../orders/errors.js';
import type { OrderService } from '../orders/order.service.js';
import type { InboxRepository } from './inbox.repository.js';

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'refund-due';

export type Disposition =
  | { readonly action: 'complete'; readonly outcome: Outcome }
  | { readonly action: 'deadLetter'; readonly reason: string; readonly description: string }
  | { readonly action: 'abandon'; readonly description: string };

const money = z.object({
  value: z.string().regex(/^-?(0|[1-9][0-9]*)\.[0-9]{2}$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

const envelope = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});

// Unknown fields in data are ignored (zod strips them): producers may add fields without a new version.
const KNOWN: Readonly<
  Record<
    string,
    Readonly<
      Record<number, { schema: z.ZodType<{ orderId: string; paymentId: string; reason?: string }>; event: OrderEvent }>
    >
  >
> = {
  PaymentSucceeded: {
    1: {
      schema: z.object({
        orderId: z.string().min(1),
        paymentId: z.string().min(1),
        amount: money,
        authorizationCode: z.string().min(1),
      }),
      event: 'paymentSucceeded',
    },
  },
  PaymentFailed: {
    1: {
      schema: z.object({
        orderId: z.string().min(1),
        paymentId: z.string().min(1),
        amount: money,
        reason: z.enum(['declined', 'insufficient_funds', 'fraud_suspected', 'gateway_unavailable']),
        retryable: z.boolean(),
      }),
      event: 'paymentFailed',
    },
  },
};

function issues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
    .slice(0, 1000);
}

/** The body as the SDK hands it over: already-decoded JSON, a string, or bytes. */
function decode(body: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    if (typeof body === 'string') return { ok: true, value: JSON.parse(body) };
    if (body instanceof Uint8Array) return { ok: true, value: JSON.parse(Buffer.from(body).toString('utf8')) };
    return { ok: true, value: body };
  } catch {
    return { ok: false };
  }
}

export class PaymentEventsHandler {
  constructor(
    private readonly db: Db,
    private readonly orders: OrderService,
    private readonly inbox: InboxRepository,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  async handle(messageId: string | undefined, body: unknown): Promise<Disposition> {
    const decoded = decode(body);
    if (!decoded.ok) return this.poison('unknown', 'MalformedBody', 'the body is not JSON');
    const parsedEnvelope = envelope.safeParse(decoded.value);
    if (!parsedEnvelope.success) {
      return this.poison('unknown', 'SchemaViolation', `envelope: ${issues(parsedEnvelope.error)}`);
    }
    const { type, version, data } = parsedEnvelope.data;
    const known = KNOWN[type]?.[version];
    if (known === undefined) {
      return this.poison(type, 'UnknownMessageType', `no handler for ${type} version ${version}`);
    }
    const parsedData = known.schema.safeParse(data);
    if (!parsedData.success) return this.poison(type, 'SchemaViolation', `data: ${issues(parsedData.error)}`);
    const { orderId } = parsedData.data;
    // Redeliveries and re-sends keep the broker message id; the envelope id stands in if a sender set none.
    const inboxId = messageId ?? parsedEnvelope.data.id;

    try {
      const earlier = await this.inbox.outcomeOf(inboxId);
      if (earlier !== undefined) return await this.duplicate(type, known.event, orderId, earlier);
      const reason = known.event === 'paymentFailed' ? (parsedData.data.reason ?? null) : null;
      const moved = await this.orders.move(orderId, known.event, {
        reason,
        alsoInTransaction: (trx) => this.inbox.record(trx, { messageId: inboxId, type, orderId, outcome: 'applied' }),
      });
      // The saga's span as the order saw it: created, then its payment outcome applied (the SLO in monitoring/).
      const sagaSeconds = (Date.parse(moved.updatedAt) - Date.parse(moved.createdAt)) / 1000;
      this.metrics.sagaDuration.observe({ outcome: moved.status }, Math.max(0, sagaSeconds));
      return this.done(type, 'applied', orderId);
    } catch (error) {
      if (error instanceof OrderNotFoundError) return this.poison(type, 'UnknownOrder', `no order '${orderId}'`);
      if (!(error instanceof IllegalTransitionError)) return this.abandon(type, orderId, messageId, error);
      // Either a concurrent copy of this message applied it first, or the order moved on (e.g. cancelled).
      try {
        return await this.late(type, known.event, error.status, orderId, parsedData.data.paymentId, inboxId, messageId);
      } catch (lateError) {
        return this.abandon(type, orderId, messageId, lateError);
      }
    }
  }

  /** An outcome the order's status refused: a duplicate, a refund due, or nothing to do. */
  private async late(
    type: string,
    event: OrderEvent,
    status: OrderStatus,
    orderId: string,
    paymentId: string,
    inboxId: string,
    messageId: string | undefined,
  ): Promise<Disposition> {
    const refundDue = lateOutcomeConsequence(status, event) === 'requestRefund';
    const earlier = await this.db.kysely.transaction().execute(async (trx) => {
      const recorded = await this.inbox.outcomeOf(inboxId, trx);
      if (recorded !== undefined) return recorded;
      if (refundDue && !(await this.orders.recordRefundDue(trx, orderId))) {
        // The order changed since it was read: roll back, and the message is abandoned and handled again.
        throw new Error(`order ${orderId} changed while recording a refund due`);
      }
      const outcome = `${refundDue ? 'refund-due' : 'ignored'}:${status}`;
      await this.inbox.record(trx, { messageId: inboxId, type, orderId, outcome });
      return undefined;
    });
    if (earlier !== undefined) return this.duplicate(type, event, orderId, earlier);
    if (refundDue) {
      this.log.warn(
        { order_id: orderId, payment_id: paymentId, message_id: messageId, message_type: type, order_status: status },
        'payment succeeded for a cancelled order: refund due',
      );
      return this.done(type, 'refund-due', orderId);
    }
    this.log.warn(
      { order_id: orderId, message_id: messageId, message_type: type, order_status: status },
      'payment outcome does not apply to the order status',
    );
    return this.done(type, 'ignored', orderId);
  }

  /**
   * A message handled before (a redelivery, a re-send, or a concurrent copy). An applied PaymentSucceeded is
   * confirmed at the product service again before the message is completed: its first delivery commits PAID
   * before it confirms (OrderService.move), and may have stopped in between.
   */
  private async duplicate(type: string, event: OrderEvent, orderId: string, earlier: string): Promise<Disposition> {
    if (earlier === 'applied' && event === 'paymentSucceeded') await this.orders.confirmPaid(orderId);
    return this.done(type, 'duplicate', orderId);
  }

  /** Product service or database unavailable (or a concurrent change): the broker redelivers. */
  private abandon(type: string, orderId: string, messageId: string | undefined, error: unknown): Disposition {
    const description = error instanceof Error ? error.message : String(error);
    this.metrics.messagesHandled.inc({ type, outcome: 'abandoned' });
    this.log.warn(
      { order_id: orderId, message_id: messageId, message_type: type, reason: description },
      'payment event not applied; will be redelivered',
    );
    return { action: 'abandon', description };
  }

  private done(type: string, outcome: Outcome, orderId: string): Disposition {
    this.metrics.messagesHandled.inc({ type, outcome });
    if (outcome !== 'applied') {
      this.log.info({ order_id: orderId, message_type: type, outcome }, 'payment event skipped');
    }
    return { action: 'complete', outcome };
  }

  private poison(type: string, reason: string, description: string): Disposition {
    this.metrics.messagesHandled.inc({ type, outcome: 'dead-lettered' });
    this.log.warn({ message_type: type, reason, description }, 'payment event dead-lettered');
    return { action: 'deadLetter', reason, description };
  }
}
