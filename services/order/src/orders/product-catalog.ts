/**
 * What the order service needs from the product service (the port; adapters/product-client.ts implements it
 * over HTTP): the stock reservation steps of the saga, whose answer prices the order, and product reads for
 * pricing a line the reservation's answer left unpriced. Every reservation call is idempotent per order id,
 * so any of them may be repeated after a timeout or a redelivered message. Implementations report failures
 * with the errors below.
 */

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly price: string;
  readonly currency: string;
  readonly stock: number;
}

export interface ReservationLine {
  readonly productId: string;
  readonly quantity: number;
}

/**
 * A line of a reservation as the product service holds it: with the product's price (decimal string) and
 * currency at the moment its stock was held. A product service older than the priced reservations answers
 * neither: the line is then priced by reading the product.
 */
export interface ReservedLine extends ReservationLine {
  readonly unitPrice?: string;
  readonly currency?: string;
}

export type ReservationStatus = 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED' | 'REJECTED';

export interface ProductCatalog {
  /** The product, or undefined when it does not exist (pricing a line the reservation left unpriced). */
  getProduct(productId: string): Promise<Product | undefined>;
  /**
   * Holds the stock for the order and answers the reserved lines with their prices (in no particular
   * order); StockRefusedError names the item that cannot be held.
   */
  reserve(orderId: string, items: readonly ReservationLine[]): Promise<ReservedLine[]>;
  /** The held stock is sold; ReservationStateError when the reservation's state forbids it. */
  confirm(orderId: string): Promise<ReservationStatus>;
  /** The held stock returns to the shelf; ReservationStateError when the reservation's state forbids it. */
  release(orderId: string): Promise<ReservationStatus>;
}

/** The product service refused a reservation because of one item. */
export class StockRefusedError extends Error {
  constructor(
    readonly productId: string,
    readonly reason: 'unknown-product' | 'insufficient-stock',
    readonly requested: number | undefined,
    readonly available: number | undefined,
  ) {
    super(
      reason === 'unknown-product' ? `product '${productId}' does not exist` : `product '${productId}' lacks stock`,
    );
    this.name = 'StockRefusedError';
  }
}

/** The reservation's state forbids the step (e.g. confirming a released one), or it does not exist. */
export class ReservationStateError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'ReservationStateError';
  }
}

/** The product service did not answer, timed out or failed (5xx): the caller may retry later. */
export class ProductUnavailableError extends Error {
  override name = 'ProductUnavailableError';
}
