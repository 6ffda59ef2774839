/** Order history: the orders placed with one email address, newest first, paged. */
import { useCallback, useEffect, useId, useState, type SubmitEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../api/context';
import type { Order } from '../api/orders';
import { rememberedCustomer } from '../cart/customer';
import { Empty, ErrorPanel, Loading } from '../components/Feedback';
import { StatusBadge } from '../components/StatusBadge';
import { formatPrice } from '../domain/money';
import { validateEmail } from '../domain/validation';

interface History {
  readonly email: string;
  readonly orders: readonly Order[];
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly error?: unknown;
}

export function OrdersPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const email = params.get('email') ?? '';
  const [draft, setDraft] = useState(email || rememberedCustomer()?.email || '');
  const [emailError, setEmailError] = useState<string | undefined>();
  const [history, setHistory] = useState<History | undefined>();
  const emailId = useId();

  const load = useCallback(
    async (forEmail: string, cursor: string | null, signal?: AbortSignal): Promise<void> => {
      setHistory((current) => ({
        email: forEmail,
        orders: cursor === null || current === undefined ? [] : current.orders,
        cursor,
        loading: true,
      }));
      try {
        const page = await api.orders.listOrders(forEmail, cursor ?? undefined, 10, signal);
        if (signal?.aborted) return;
        setHistory((current) => ({
          email: forEmail,
          orders: [...(cursor === null ? [] : (current?.orders ?? [])), ...page.items],
          cursor: page.nextCursor,
          loading: false,
        }));
      } catch (error) {
        if (signal?.aborted) return;
        setHistory((current) => ({ email: forEmail, orders: current?.orders ?? [], cursor, loading: false, error }));
      }
    },
    [api],
  );

  useEffect(() => {
    if (email === '') {
      setHistory(undefined);
      return;
    }
    setDraft(email);
    const controller = new AbortController();
    void load(email, null, controller.signal);
    return () => {
      controller.abort();
    };
  }, [email, load]);

  function submit(event: SubmitEvent<HTMLFormElement>): void {
    event.preventDefault();
    const problem = validateEmail(draft);
    setEmailError(problem);
    if (problem === undefined) setParams({ email: draft.trim() });
  }

  return (
    <>
      <h1>Your orders</h1>
      <form className="filters" onSubmit={submit} noValidate>
        <div className="field field--grow">
          <label htmlFor={emailId}>Email address used at checkout</label>
          {emailError !== undefined && (
            <p className="field-error" id={`${emailId}-error`}>
              {emailError}
            </p>
          )}
          <input
            id={emailId}
            type="email"
            autoComplete="email"
            value={draft}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
            aria-invalid={emailError !== undefined}
            aria-describedby={emailError !== undefined ? `${emailId}-error` : undefined}
          />
        </div>
        <button type="submit" className="button button--primary">
          Show orders
        </button>
      </form>

      {history !== undefined && history.loading && history.orders.length === 0 && (
        <Loading label="Loading your orders…" />
      )}
      {history?.error !== undefined && (
        <ErrorPanel error={history.error} onRetry={() => void load(history.email, history.cursor)} />
      )}
      {history !== undefined && !history.loading && history.error === undefined && history.orders.length === 0 && (
        <Empty title="No orders yet">
          <p>We found no orders for {history.email}.</p>
        </Empty>
      )}
      {history !== undefined && history.orders.length > 0 && (
        <>
          <ul className="order-list">
            {history.orders.map((order) => (
              <li key={order.id} className="order-list__item">
                <Link to={`/orders/${encodeURIComponent(order.id)}`}>Order {order.id}</Link>
                <span>{new Date(order.createdAt).toLocaleDateString()}</span>
                <span>
                  {order.items.reduce((count, item) => count + item.quantity, 0)} items,{' '}
                  {formatPrice(order.total.value, order.total.currency)}
                </span>
                <StatusBadge status={order.status} />
              </li>
            ))}
          </ul>
          {history.cursor !== null && history.error === undefined && (
            <button
              type="button"
              className="button show-more"
              disabled={history.loading}
              onClick={() => void load(history.email, history.cursor)}
            >
              {history.loading ? 'Loading…' : 'Show older orders'}
            </button>
          )}
        </>
      )}
    </>
  );
}
