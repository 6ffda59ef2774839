import type { OrderStatus } from '../api/orders';
import { statusText } from '../domain/order-status';

export function StatusBadge({ status }: { status: OrderStatus }) {
  const text = statusText(status);
  return <span className={`badge badge--${text.tone}`}>{text.label}</span>;
}
