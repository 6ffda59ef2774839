/**
 * HTTP client of the product service (services/product): product reads for re-pricing and the stock
 * reservation calls of the saga. Every reservation call is idempotent per order id on the product side, so
 * any of them may be repeated after a timeout or a redelivered message.
 *
 * Product service answers used here: 404 for an unknown product; for POST /reservations 201 (or a replay),
 * 422 `unknown-product` and 409 `insufficient-stock` naming `productId`, 409 `reservation-conflict`.
 */
import { outgoingTraceparent } from '../observability/trace.js';

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

export type ReservationStatus = 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED' | 'REJECTED';

/** The product service refused a reservation because of one item. */
export class StockRefusedError extends Error {
  constructor(
    readonly productId: string,
    readonly reason: 'unknown-product' | 'insufficient-stock',
    readonly requested: number | undefined,
    readonly available: number | undefined,
  ) {
    super(reason === 'unknown-product' ? `product '${productId}' does not exist` : `product '${productId}' lacks stock`);
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

interface ProblemBody {
  type?: string;
  detail?: string;
  productId?: string;
  requested?: number;
  available?: number | null;
}

export interface ProductClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

export class ProductClient {
  constructor(private readonly options: ProductClientOptions) {}

  /** The product, or undefined when it does not exist. */
  async getProduct(productId: string): Promise<Product | undefined> {
    const response = await this.call('GET', `/products/${encodeURIComponent(productId)}`);
    if (response.status === 404) return undefined;
    const body = (await this.json(response)) as Product;
    return { id: body.id, name: body.name, price: body.price, currency: body.currency, stock: body.stock };
  }

  async reserve(orderId: string, items: readonly ReservationLine[]): Promise<void> {
    const response = await this.call('POST', '/reservations', { orderId, items });
    if (response.status === 201 || response.status === 200) {
      await response.arrayBuffer();
      return;
    }
    const problem = await this.problem(response);
    const slug = problem.type?.split('/').pop();
    if ((slug === 'unknown-product' || slug === 'insufficient-stock') && problem.productId !== undefined) {
      throw new StockRefusedError(problem.productId, slug, problem.requested, problem.available ?? undefined);
    }
    throw this.unexpected(response, problem);
  }

  confirm(orderId: string): Promise<ReservationStatus> {
    return this.settle(orderId, 'confirm');
  }

  release(orderId: string): Promise<ReservationStatus> {
    return this.settle(orderId, 'release');
  }

  async ready(): Promise<void> {
    const response = await this.call('GET', '/health');
    await response.arrayBuffer();
    if (!response.ok) throw new ProductUnavailableError(`product service health answered ${response.status}`);
  }

  private async settle(orderId: string, step: 'confirm' | 'release'): Promise<ReservationStatus> {
    const response = await this.call('POST', `/reservations/${encodeURIComponent(orderId)}/${step}`);
    if (response.ok) return ((await this.json(response)) as { status: ReservationStatus }).status;
    const problem = await this.problem(response);
    if (response.status === 404 || response.status === 409) {
      throw new ReservationStateError(response.status, problem.detail ?? `reservation ${step} refused`);
    }
    throw this.unexpected(response, problem);
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', traceparent: outgoingTraceparent() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new ProductUnavailableError(`product service unreachable (${method} ${path})`, { cause: error });
    }
    if (response.status >= 500) {
      await response.arrayBuffer();
      throw new ProductUnavailableError(`product service answered ${response.status} (${method} ${path})`);
    }
    return response;
  }

  private async json(response: Response): Promise<unknown> {
    if (!response.ok) throw this.unexpected(response, await this.problem(response));
    return response.json();
  }

  private async problem(response: Response): Promise<ProblemBody> {
    try {
      return (await response.json()) as ProblemBody;
    } catch {
      return {};
    }
  }

  private unexpected(response: Response, problem: ProblemBody): Error {
    return new Error(`product service answered ${response.status}: ${problem.detail ?? 'no detail'}`);
  }
}
