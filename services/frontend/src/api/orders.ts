/**
 * Typed client of the order service (services/order): place, read, list by customer and cancel orders.
 * `POST /orders` carries an Idempotency-Key, so repeating a submission after a lost answer never places a
 * second order.
 */
import { requestJson, withQuery } from './http';

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PAID', 'PAYMENT_FAILED', 'FULFILLED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Customer {
  readonly email: string;
  readonly name: string;
  readonly phone?: string | undefined;
}

export interface OrderCreate {
  readonly customer: Customer;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly paymentMethod: { readonly type: 'card'; readonly token: string };
}

export interface Money {
  /** Decimal string with two places. */
  readonly value: string;
  readonly currency: string;
}

export interface OrderItem {
  readonly productId: string;
  readonly quantity: number;
  /** Decimal strings in the order's currency, priced by the order service. */
  readonly unitPrice: string;
  readonly lineTotal: string;
}

export interface Order {
  readonly id: string;
  readonly status: OrderStatus;
  /** Why the order is in its status (e.g. the payment decline reason), when the service knows. */
  readonly statusReason: string | null;
  readonly customer: Customer;
  readonly items: readonly OrderItem[];
  readonly total: Money;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderPage {
  readonly items: readonly Order[];
  readonly nextCursor: string | null;
}

export class OrderApi {
  constructor(private readonly baseUrl: string) {}

  createOrder(order: OrderCreate, idempotencyKey: string, signal?: AbortSignal): Promise<Order> {
    return requestJson<Order>(`${this.baseUrl}/orders`, {
      method: 'POST',
      body: order,
      headers: { 'Idempotency-Key': idempotencyKey },
      signal,
    });
  }

  getOrder(id: string, signal?: AbortSignal): Promise<Order> {
    return requestJson<Order>(`${this.baseUrl}/orders/${encodeURIComponent(id)}`, { signal });
  }

  listOrders(customerEmail: string, cursor?: string, limit = 10, signal?: AbortSignal): Promise<OrderPage> {
    return requestJson<OrderPage>(withQuery(`${this.baseUrl}/orders`, { customerEmail, cursor, limit }), { signal });
  }

  cancelOrder(id: string, reason?: string, signal?: AbortSignal): Promise<Order> {
    return requestJson<Order>(`${this.baseUrl}/orders/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      body: reason === undefined ? {} : { reason },
      signal,
    });
  }
}
