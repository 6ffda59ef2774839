import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IllegalTransitionError,
  ORDER_EVENTS,
  ORDER_STATUSES,
  isTerminal,
  lateOutcomeConsequence,
  transition,
  type Consequence,
  type OrderEvent,
  type OrderStatus,
} from '../order-status.js';

const ALLOWED: ReadonlyArray<[OrderStatus, OrderEvent, OrderStatus, Consequence]> = [
  ['PENDING_PAYMENT', 'paymentSucceeded', 'PAID', 'confirmReservation'],
  ['PENDING_PAYMENT', 'paymentFailed', 'PAYMENT_FAILED', 'releaseReservation'],
  ['PENDING_PAYMENT', 'cancelled', 'CANCELLED', 'releaseReservation'],
  ['PAID', 'fulfilled', 'FULFILLED', 'none'],
  ['PAID', 'cancelled', 'CANCELLED', 'requestRefund'],
];

describe('order status machine', () => {
  for (const [from, event, to, consequence] of ALLOWED) {
    it(`test_${event}_moves_${from}_to_${to}_with_${consequence}`, () => {
      assert.deepEqual(transition(from, event), { from, to, consequence });
    });
  }

  const allowed = new Set(ALLOWED.map(([from, event]) => `${from}/${event}`));
  for (const from of ORDER_STATUSES) {
    for (const event of ORDER_EVENTS) {
      if (allowed.has(`${from}/${event}`)) continue;
      it(`test_${event}_is_rejected_in_${from}`, () => {
        assert.throws(
          () => transition(from, event),
          (error: unknown) => error instanceof IllegalTransitionError && error.status === from && error.event === event,
        );
      });
    }
  }

  it('test_terminal_statuses_are_fulfilled_payment_failed_and_cancelled', () => {
    assert.deepEqual(ORDER_STATUSES.filter(isTerminal), ['PAYMENT_FAILED', 'FULFILLED', 'CANCELLED']);
  });

  it('test_a_payment_that_succeeds_for_a_cancelled_order_obliges_a_refund_and_no_other_late_outcome_does', () => {
    const refunds = ORDER_STATUSES.flatMap((status) =>
      ORDER_EVENTS.filter((event) => lateOutcomeConsequence(status, event) === 'requestRefund').map(
        (event) => `${status}/${event}`,
      ),
    );
    assert.deepEqual(refunds, ['CANCELLED/paymentSucceeded']);
  });
});
