/** The order as the service holds it: amounts in integer minor units of one currency. */
import type { OrderStatus } from './order-status.js';

export interface Customer {
  readonly email: string;
  readonly name: string;
  readonly phone?: string | undefined;
}

export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
}

export interface Order {
  readonly id: string;
  readonly status: OrderStatus;
  readonly customer: Customer;
  readonly currency: string;
  readonly totalMinor: number;
  readonly items: readonly OrderLine[];
  readonly statusReason: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PaymentMethod {
  readonly type: 'card';
  readonly token: string;
}
