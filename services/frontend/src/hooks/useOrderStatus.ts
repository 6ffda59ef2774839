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
export function useOrderStatus(
  orderId: string,
): OrderStatusState & { restart: () => void; setOrder: (order: Order) => void } {
  const api = useApi();
  const [state, setState] = useState<Omit<OrderStatusState, 'polling'>>({ order: undefined, error: undefined });
  const [run, setRun] = useState(0);
  // Which poll has ended, by what started it (api, order id, run): `polling` holds until the current one has.
  const [ended, setEnded] = useState<{ api: typeof api; orderId: string; run: number }>();

  useEffect(() => {
    const controller = new AbortController();
    void pollOrder({
      fetchOrder: (signal) => api.orders.getOrder(orderId, signal),
      onOrder: (order) => {
        setState({ order, error: undefined });
      },
      onError: (error) => {
        setState((current) => ({ ...current, error }));
      },
      // An order that does not exist will not appear by asking again; nor will a malformed id become valid.
      shouldStop: (error) =>
        error instanceof ApiError &&
        error.status !== undefined &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 429,
      signal: controller.signal,
    }).then(() => {
      if (!controller.signal.aborted) setEnded({ api, orderId, run });
    });
    return () => {
      controller.abort();
    };
  }, [api, orderId, run]);

  const restart = useCallback(() => {
    setRun((value) => value + 1);
  }, []);
  const setOrder = useCallback((order: Order) => {
    setState((current) => ({ ...current, order, error: undefined }));
  }, []);
  const polling = ended?.api !== api || ended.orderId !== orderId || ended.run !== run;
  return { ...state, polling, restart, setOrder };
}
