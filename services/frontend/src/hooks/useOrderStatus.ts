import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../api/context';
import type { Order } from '../api/orders';
import { ApiError } from '../api/problem';
import { pollOrder } from '../domain/order-status';

export interface OrderStatusState {
  readonly order: Order | undefined;
  /** The last failed read; cleared by the next successful one. */
  readonly error: unknown;
  /** Still reading: the payment outcome is not known yet. */
  readonly polling: boolean;
}

/** Follows an order until its payment outcome is known. `restart()` reads it again (e.g. after cancelling). */
export function useOrderStatus(orderId: string): OrderStatusState & { restart: () => void; setOrder: (order: Order) => void } {
  const api = useApi();
  const [state, setState] = useState<OrderStatusState>({ order: undefined, error: undefined, polling: true });
  const [run, setRun] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((current) => ({ ...current, polling: true }));
    void pollOrder({
      fetchOrder: (signal) => api.orders.getOrder(orderId, signal),
      onOrder: (order) => setState({ order, error: undefined, polling: true }),
      onError: (error) => setState((current) => ({ ...current, error })),
      // An order that does not exist will not appear by asking again; nor will a malformed id become valid.
      shouldStop: (error) => error instanceof ApiError && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429,
      signal: controller.signal,
    }).then(() => {
      if (!controller.signal.aborted) setState((current) => ({ ...current, polling: false }));
    });
    return () => controller.abort();
  }, [api, orderId, run]);

  const restart = useCallback(() => setRun((value) => value + 1), []);
  const setOrder = useCallback((order: Order) => setState((current) => ({ ...current, order, error: undefined })), []);
  return { ...state, restart, setOrder };
}
