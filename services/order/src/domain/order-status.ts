/**
 * The order status machine. Pure: no I/O, no clock; the service asks it whether a move is allowed and what
 * the move obliges it to do with the stock reservation and the money.
 *
 *   PENDING_PAYMENT ─ payment succeeded ─▶ PAID ─ fulfilled ─▶ FULFILLED
 *   PENDING_PAYMENT ─ payment failed ──▶ PAYMENT_FAILED
 *   PENDING_PAYMENT | PAID ─ cancelled ─▶ CANCELLED   (PENDING_PAYMENT: by a customer, or by the payment-timeout sweeper)
 *
 * A payment outcome that arrives once the order has left PENDING_PAYMENT moves nothing; see
 * {@link lateOutcomeConsequence} for what it still obliges.
 */

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PAID', 'PAYMENT_FAILED', 'FULFILLED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_EVENTS = ['paymentSucceeded', 'paymentFailed', 'fulfilled', 'cancelled'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** What the move obliges the service to do besides changing the status. */
export type Consequence =
  | 'confirmReservation' // the held stock is sold
  | 'releaseReservation' // the held stock returns to the shelf
  | 'requestRefund' // money was taken and must go back
  | 'none';

export interface Transition {
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly consequence: Consequence;
}

const TRANSITIONS: Readonly<Record<OrderEvent, Partial<Record<OrderStatus, Transition>>>> = {
  paymentSucceeded: {
    PENDING_PAYMENT: { from: 'PENDING_PAYMENT', to: 'PAID', consequence: 'confirmReservation' },
  },
  paymentFailed: {
    PENDING_PAYMENT: { from: 'PENDING_PAYMENT', to: 'PAYMENT_FAILED', consequence: 'releaseReservation' },
  },
  fulfilled: {
    PAID: { from: 'PAID', to: 'FULFILLED', consequence: 'none' },
  },
  cancelled: {
    PENDING_PAYMENT: { from: 'PENDING_PAYMENT', to: 'CANCELLED', consequence: 'releaseReservation' },
    PAID: { from: 'PAID', to: 'CANCELLED', consequence: 'requestRefund' },
  },
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly status: OrderStatus,
    readonly event: OrderEvent,
  ) {
    super(`an order in status ${status} cannot be ${describe(event)}`);
    this.name = 'IllegalTransitionError';
  }
}

function describe(event: OrderEvent): string {
  switch (event) {
    case 'paymentSucceeded':
      return 'marked paid';
    case 'paymentFailed':
      return 'marked payment failed';
    case 'fulfilled':
      return 'fulfilled';
    case 'cancelled':
      return 'cancelled';
  }
}

/** The transition `event` causes from `status`, or undefined when the machine forbids it. */
export function transitionFor(status: OrderStatus, event: OrderEvent): Transition | undefined {
  return TRANSITIONS[event][status];
}

/** Like {@link transitionFor} but throws {@link IllegalTransitionError} for a forbidden move. */
export function transition(status: OrderStatus, event: OrderEvent): Transition {
  const found = transitionFor(status, event);
  if (found === undefined) throw new IllegalTransitionError(status, event);
  return found;
}

export function isTerminal(status: OrderStatus): boolean {
  return ORDER_EVENTS.every((event) => transitionFor(status, event) === undefined);
}

/**
 * What a payment outcome that the status machine refuses still obliges: a payment that succeeded for an
 * order already CANCELLED (a customer or the payment-timeout sweeper won the race with the payment) took
 * money for an order that will not ship, so a refund is due; any other late outcome obliges nothing.
 */
export function lateOutcomeConsequence(
  status: OrderStatus,
  event: OrderEvent,
): Extract<Consequence, 'requestRefund' | 'none'> {
  return event === 'paymentSucceeded' && status === 'CANCELLED' ? 'requestRefund' : 'none';
}
