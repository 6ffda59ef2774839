/**
 * What each order status means to a customer, and the confirmation page's status polling. Polling stops as
 * soon as the payment outcome is known: every status but PENDING_PAYMENT. (PAID may later become FULFILLED or
 * CANCELLED; that is not worth keeping a connection busy for, and shows on the next visit.)
 */
import type { Order, OrderStatus } from '../api/orders';

export interface StatusText {
  readonly label: string;
  readonly description: string;
  readonly tone: 'pending' | 'good' | 'bad' | 'neutral';
}

export const STATUS_TEXT: Readonly<Record<OrderStatus, StatusText>> = {
  PENDING_PAYMENT: {
    label: 'Awaiting payment',
    description: 'We are taking the payment from your card.',
    tone: 'pending',
  },
  PAID: { label: 'Paid', description: 'Payment received. We are getting your order ready.', tone: 'good' },
  PAYMENT_FAILED: {
    label: 'Payment failed',
    description: 'Your card was not charged, and the items are no longer held for you.',
    tone: 'bad',
  },
  FULFILLED: { label: 'Shipped', description: 'Your order has left our warehouse.', tone: 'good' },
  CANCELLED: { label: 'Cancelled', description: 'This order was cancelled.', tone: 'neutral' },
};

export function statusText(status: string): StatusText {
  return (
    (STATUS_TEXT as Record<string, StatusText | undefined>)[status] ?? {
      label: status,
      description: '',
      tone: 'neutral',
    }
  );
}

export function isSettled(status: OrderStatus): boolean {
  return status !== 'PENDING_PAYMENT';
}

export function canCancel(status: OrderStatus): boolean {
  return status === 'PENDING_PAYMENT' || status === 'PAID';
}

export interface Backoff {
  /** First wait, in milliseconds. */
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, factor: 1.6, maxMs: 8000 };

export function nextDelay(previousMs: number | undefined, backoff: Backoff = DEFAULT_BACKOFF): number {
  if (previousMs === undefined) return backoff.initialMs;
  return Math.min(Math.round(previousMs * backoff.factor), backoff.maxMs);
}

export interface PollOptions {
  readonly fetchOrder: (signal: AbortSignal) => Promise<Order>;
  readonly onOrder: (order: Order) => void;
  /** A failed read; polling goes on (with backoff) unless `shouldStop(error)` says otherwise. */
  readonly onError: (error: unknown) => void;
  readonly signal: AbortSignal;
  readonly backoff?: Backoff;
  readonly shouldStop?: (error: unknown) => boolean;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads the order until its payment outcome is known, waiting longer between reads each time (and after
 * failures), and resolves with the last order read (undefined when stopped first). Aborting `signal` stops
 * it at once.
 */
export async function pollOrder(options: PollOptions): Promise<Order | undefined> {
  const sleep = options.sleep ?? abortableSleep;
  let delay: number | undefined;
  let last: Order | undefined;
  while (!options.signal.aborted) {
    try {
      last = await options.fetchOrder(options.signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it may abort during the await; TypeScript keeps the loop's narrowing
      if (options.signal.aborted) break;
      options.onOrder(last);
      if (isSettled(last.status)) return last;
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above: aborted while awaiting
      if (options.signal.aborted) break;
      options.onError(error);
      if (options.shouldStop?.(error) === true) return last;
    }
    delay = nextDelay(delay, options.backoff);
    await sleep(delay, options.signal);
  }
  return last;
}

/** The payment service's decline reasons in words; anything else is shown as sent. */
export function describeReason(reason: string | null): string | undefined {
  if (reason === null || reason.trim() === '') return undefined;
  const key = reason.toLowerCase().replace(/[\s-]+/g, '_');
  if (key === 'declined' || key === 'card_declined') return 'Your card was declined by the bank.';
  if (key === 'insufficient_funds') return 'Your card has insufficient funds.';
  return reason;
}
