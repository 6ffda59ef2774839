/** One order: live status until the payment outcome is known, its lines, and what the customer can do next. */
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useApi } from '../api/context';
import type { Order } from '../api/orders';
import type { Product } from '../api/products';
import { useCart } from '../cart/context';
import { ErrorPanel, Loading } from '../components/Feedback';
import { StatusBadge } from '../components/StatusBadge';
import type { CartLine } from '../domain/cart';
import { formatPrice } from '../domain/money';
import { canCancel, describeReason, statusText } from '../domain/order-status';
import { useLoad } from '../hooks/useLoad';
import { useOrderStatus } from '../hooks/useOrderStatus';

function useProductNames(order: Order | undefined): ReadonlyMap<string, Product> {
  const api = useApi();
  const ids = order?.items.map((item) => item.productId).join(',') ?? '';
  const [products] = useLoad(
    async (signal) => {
      const found = new Map<string, Product>();
      if (ids === '') return found;
      // Names are a nicety: a product that fails to load is shown by its id rather than failing the page.
      const results = await Promise.allSettled(ids.split(',').map((id) => api.products.getProduct(id, signal)));
      for (const result of results) if (result.status === 'fulfilled') found.set(result.value.id, result.value);
      return found;
    },
    [api, ids],
  );
  return products.state === 'ready' ? products.data : new Map();
}

export function OrderPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const api = useApi();
  const { replace } = useCart();
  const { order, error, polling, restart, setOrder } = useOrderStatus(id);
  const products = useProductNames(order);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>();
  const [cancelling, setCancelling] = useState(false);
  const justPlaced = (location.state as { placed?: boolean } | null)?.placed === true;

  if (order === undefined) {
    if (error !== undefined && !polling) return <ErrorPanel error={error} onRetry={restart} />;
    if (error !== undefined) return <ErrorPanel error={error} />;
    return <Loading label="Loading your order…" />;
  }

  const text = statusText(order.status);
  const reason = describeReason(order.statusReason);

  function tryAgain(current: Order): void {
    const lines: CartLine[] = current.items.map((item) => {
      const product = products.get(item.productId);
      return {
        productId: item.productId,
        name: product?.name ?? item.productId,
        unitPrice: product?.price ?? item.unitPrice,
        currency: product?.currency ?? current.total.currency,
        quantity: item.quantity,
        imageUrl: product?.imageUrl ?? null,
      };
    });
    replace(lines);
    void navigate('/checkout');
  }

  async function cancel(current: Order): Promise<void> {
    setCancelling(true);
    setCancelError(undefined);
    try {
      setOrder(await api.orders.cancelOrder(current.id));
      setConfirmCancel(false);
    } catch (failure) {
      setCancelError(failure);
    } finally {
      setCancelling(false);
    }
  }

  return (
    <article className="order">
      <h1>
        {order.status === 'PAYMENT_FAILED'
          ? 'Your payment did not go through'
          : justPlaced
            ? 'Thank you for your order'
            : 'Your order'}
      </h1>
      <p>
        Order number <strong className="order__id">{order.id}</strong>, placed{' '}
        {new Date(order.createdAt).toLocaleString()}.
      </p>

      <section className={`order-status order-status--${text.tone}`} aria-labelledby="order-status-title">
        <h2 id="order-status-title">Status</h2>
        <div aria-live="polite" aria-atomic="true" data-testid="order-status" data-status={order.status}>
          <p className="order-status__line">
            <StatusBadge status={order.status} /> {text.description}
          </p>
          {reason !== undefined && order.status === 'PAYMENT_FAILED' && <p>{reason}</p>}
        </div>
        {order.status === 'PENDING_PAYMENT' && polling && <Loading label="Waiting for the payment result…" />}
        {error !== undefined && <p className="hint">We are having trouble getting updates and keep trying.</p>}
        {order.status === 'PAID' && <p>A confirmation email is on its way to {order.customer.email}.</p>}
        {order.status === 'PAYMENT_FAILED' && (
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              onClick={() => {
                tryAgain(order);
              }}
            >
              Try again with another card
            </button>
          </div>
        )}
      </section>

      <section aria-labelledby="order-items-title">
        <h2 id="order-items-title">Items</h2>
        <table className="order-items">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" className="numeric">
                Quantity
              </th>
              <th scope="col" className="numeric">
                Price
              </th>
              <th scope="col" className="numeric">
                Subtotal
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item) => (
              <tr key={item.productId}>
                <td>
                  <Link to={`/products/${encodeURIComponent(item.productId)}`}>
                    {products.get(item.productId)?.name ?? item.productId}
                  </Link>
                </td>
                <td className="numeric">{item.quantity}</td>
                <td className="numeric">{formatPrice(item.unitPrice, order.total.currency)}</td>
                <td className="numeric">{formatPrice(item.lineTotal, order.total.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Total
              </th>
              <td className="numeric">{formatPrice(order.total.value, order.total.currency)}</td>
            </tr>
          </tfoot>
        </table>
      </section>

      {canCancel(order.status) && (
        <section aria-labelledby="order-cancel-title" className="order-cancel">
          <h2 id="order-cancel-title">Changed your mind?</h2>
          {cancelError !== undefined && <ErrorPanel error={cancelError} focus />}
          {confirmCancel ? (
            <div className="actions">
              <p>
                {order.status === 'PAID' ? 'Cancel this order? The payment will be refunded.' : 'Cancel this order?'}
              </p>
              <button
                type="button"
                className="button button--danger"
                onClick={() => void cancel(order)}
                disabled={cancelling}
              >
                {cancelling ? 'Cancelling…' : 'Yes, cancel the order'}
              </button>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setConfirmCancel(false);
                }}
              >
                Keep the order
              </button>
            </div>
          ) : (
            <button
              type="button"
              className="button"
              onClick={() => {
                setConfirmCancel(true);
              }}
            >
              Cancel order
            </button>
          )}
        </section>
      )}

      <p className="actions">
        <Link to="/">Continue shopping</Link>
        <Link to={`/orders?email=${encodeURIComponent(order.customer.email)}`}>All your orders</Link>
      </p>
    </article>
  );
}
