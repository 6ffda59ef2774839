import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStubApi, anOrder, problem, type StubApi } from '../../test/stub-api';
import { OrderApi, type Order, type OrderStatus } from '../api/orders';
import { ApiError } from '../api/problem';
import { DEFAULT_BACKOFF, abortableSleep, describeReason, isSettled, nextDelay, pollOrder } from './order-status';

describe('nextDelay', () => {
  it('grows by the factor up to the cap', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let index = 0; index < 10; index += 1) {
      delay = nextDelay(delay);
      delays.push(delay);
    }
    expect(delays.slice(0, 3)).toEqual([500, 800, 1280]);
    expect(Math.max(...delays)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(delays.every((value, index) => index === 0 || value >= (delays[index - 1] ?? 0))).toBe(true);
  });
});

describe('isSettled', () => {
  it('is false only while the payment is pending', () => {
    expect(isSettled('PENDING_PAYMENT')).toBe(false);
    for (const status of ['PAID', 'PAYMENT_FAILED', 'FULFILLED', 'CANCELLED'] as const) {
      expect(isSettled(status)).toBe(true);
    }
  });
});

describe('pollOrder against a stub order service', () => {
  let stub: StubApi;
  let statuses: (OrderStatus | number)[];
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return Promise.resolve();
  };

  beforeEach(async () => {
    waits.length = 0;
    stub = await startStubApi();
    stub.on('GET /orders/ord_7f3a9c', () => {
      const next = statuses.length > 1 ? statuses.shift() : statuses[0];
      if (typeof next === 'number') return { status: next, body: problem(next, 'Service unavailable', 'try later') };
      return { status: 200, body: anOrder(next) };
    });
  });
  afterEach(() => stub.close());

  function poll(signal = new AbortController().signal) {
    const api = new OrderApi(stub.url);
    const seen: OrderStatus[] = [];
    const errors: unknown[] = [];
    const done = pollOrder({
      fetchOrder: (s) => api.getOrder('ord_7f3a9c', s),
      onOrder: (order: Order) => seen.push(order.status),
      onError: (error) => errors.push(error),
      shouldStop: (error) => error instanceof ApiError && error.status === 404,
      signal,
      sleep,
    });
    return { done, seen, errors };
  }

  it('stops reading once the order is PAID', async () => {
    statuses = ['PENDING_PAYMENT', 'PENDING_PAYMENT', 'PAID', 'FULFILLED'];
    const { done, seen } = poll();
    const last = await done;
    expect(last?.status).toBe('PAID');
    expect(seen).toEqual(['PENDING_PAYMENT', 'PENDING_PAYMENT', 'PAID']);
    expect(stub.requests).toHaveLength(3);
    expect(waits).toEqual([500, 800]);
  });

  it('stops at PAYMENT_FAILED', async () => {
    statuses = ['PENDING_PAYMENT', 'PAYMENT_FAILED'];
    const { done } = poll();
    expect((await done)?.status).toBe('PAYMENT_FAILED');
    expect(stub.requests).toHaveLength(2);
  });

  it('keeps reading through temporary failures, backing off', async () => {
    statuses = [503, 503, 'PENDING_PAYMENT', 'PAID'];
    const { done, errors, seen } = poll();
    expect((await done)?.status).toBe('PAID');
    expect(errors).toHaveLength(2);
    expect(seen).toEqual(['PENDING_PAYMENT', 'PAID']);
    expect(waits).toEqual([500, 800, 1280]);
  });

  it('gives up on an order that does not exist', async () => {
    statuses = [404];
    const { done, errors } = poll();
    expect(await done).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(stub.requests).toHaveLength(1);
  });

  it('stops when aborted', async () => {
    statuses = ['PENDING_PAYMENT'];
    const controller = new AbortController();
    const api = new OrderApi(stub.url);
    let reads = 0;
    const last = await pollOrder({
      fetchOrder: (s) => api.getOrder('ord_7f3a9c', s),
      onOrder: () => {
        reads += 1;
        if (reads === 2) controller.abort();
      },
      onError: () => undefined,
      signal: controller.signal,
      sleep,
    });
    expect(last?.status).toBe('PENDING_PAYMENT');
    expect(stub.requests).toHaveLength(2);
  });
});

describe('abortableSleep', () => {
  it('ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe('describeReason', () => {
  it('puts known decline reasons in words', () => {
    expect(describeReason('insufficient_funds')).toBe('Your card has insufficient funds.');
    expect(describeReason('insufficient-funds')).toBe('Your card has insufficient funds.');
    expect(describeReason('gateway said no')).toBe('gateway said no');
    expect(describeReason(null)).toBeUndefined();
  });
});
