/** Typed failures of the order service; the HTTP API translates them to problem+json, the payment-events handler to dispositions. */

export class OrderNotFoundError extends Error {
  constructor(readonly orderId: string) {
    super(`no order '${orderId}'`);
    this.name = 'OrderNotFoundError';
  }
}

/** The same Idempotency-Key came with a different request body. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('this Idempotency-Key was used with a different request body');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** One item cannot be ordered: unknown product, not enough stock, or a currency unlike the others. */
export class ItemRejectedError extends Error {
  constructor(
    readonly index: number,
    readonly productId: string,
    readonly reason: 'unknown-product' | 'insufficient-stock' | 'currency-mismatch',
    detail: string,
    readonly available?: number,
  ) {
    super(detail);
    this.name = 'ItemRejectedError';
  }
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
