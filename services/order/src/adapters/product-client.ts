/**
 * Product service adapter: the HTTP client of services/product behind the orders' ProductCatalog port.
 *
 * Product service answers used here: 404 for an unknown product; for POST /reservations 201 (or a replay),
 * 422 `unknown-product` and 409 `insufficient-stock` naming `productId`, 409 `reservation-conflict`.
 */
import {
  ProductUnavailableError,
  ReservationStateError,
  StockRefusedError,
  type Product,
  type ProductCatalog,
  type ReservationLine,
  type ReservationStatus,
} from '../orders/product-catalog.js';

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

export class ProductClient implements ProductCatalog {
  constructor(private readonly options: ProductClientOptions) {}

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

  /** Readiness: the product service's liveness endpoint answers 2xx. */
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
    // The fetch instrumentation (observability/tracing.ts) adds the client span's traceparent.
    const headers: Record<string, string> = { accept: 'application/json' };
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
