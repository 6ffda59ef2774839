/**
 * Product service adapter: the HTTP client of services/product behind the orders' ProductCatalog port.
 *
 * Product service answers used here: 404 for an unknown product; for POST /reservations 201 (or a replay)
 * with each item's `unitPrice` and `currency` (absent from a product service older than priced
 * reservations), 422 `unknown-product` and 409 `insufficient-stock` naming `productId`, 409
 * `reservation-conflict`.
 *
 * Calls go through node:http on keep-alive connections rather than fetch: fetch's WHATWG streams, headers
 * and abort signals made a product call the biggest part of a POST /orders in the CPU profile
 * (bench/cpu-per-request.ts). Each call carries the `traceparent` of the span in hand; when spans are
 * recorded the HTTP instrumentation (observability/tracing.ts) gives each call a CLIENT span and its
 * `traceparent` instead.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import {
  ProductUnavailableError,
  ReservationStateError,
  StockRefusedError,
  type Product,
  type ProductCatalog,
  type ReservationLine,
  type ReservationStatus,
  type ReservedLine,
} from '../orders/product-catalog.js';
import { currentTraceparent } from '../observability/trace.js';

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

/** A product service answer, read whole (they are a few hundred bytes). */
interface Answer {
  readonly status: number;
  readonly ok: boolean;
  readonly body: string;
}

/**
 * Idle connections are dropped after this, before the product service's server drops them (uvicorn keeps
 * an idle connection 5 s): a request then never goes out on a connection the server is closing.
 */
const IDLE_CONNECTION_MS = 4_000;

export class ProductClient implements ProductCatalog {
  private readonly url: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(private readonly options: ProductClientOptions) {
    this.url = new URL(options.baseUrl);
    this.transport = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    const response = await this.call('GET', `/products/${encodeURIComponent(productId)}`);
    if (response.status === 404) return undefined;
    const body = this.json(response) as Product;
    return { id: body.id, name: body.name, price: body.price, currency: body.currency, stock: body.stock };
  }

  async reserve(orderId: string, items: readonly ReservationLine[]): Promise<ReservedLine[]> {
    const response = await this.call('POST', '/reservations', { orderId, items });
    if (response.status === 201 || response.status === 200) {
      return (this.json(response) as { items: ReservedItemBody[] }).items.map(reservedLine);
    }
    const problem = this.problem(response);
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
    if (!response.ok) throw new ProductUnavailableError(`product service health answered ${response.status}`);
  }

  private async settle(orderId: string, step: 'confirm' | 'release'): Promise<ReservationStatus> {
    const response = await this.call('POST', `/reservations/${encodeURIComponent(orderId)}/${step}`);
    if (response.ok) return (this.json(response) as { status: ReservationStatus }).status;
    const problem = this.problem(response);
    if (response.status === 404 || response.status === 409) {
      throw new ReservationStateError(response.status, problem.detail ?? `reservation ${step} refused`);
    }
    throw this.unexpected(response, problem);
  }

  private async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let response: Answer;
    try {
      response = await this.send(method, path, payload).catch((error: unknown) => {
        // A keep-alive connection the server closed as the request went out: every call here is idempotent
        // (a reservation step per order id), so it is sent once more on a fresh connection.
        if (error instanceof StaleConnectionError) return this.send(method, path, payload);
        throw error;
      });
    } catch (error) {
      throw new ProductUnavailableError(`product service unreachable (${method} ${path})`, { cause: error });
    }
    if (response.status >= 500) {
      throw new ProductUnavailableError(`product service answered ${response.status} (${method} ${path})`);
    }
    return response;
  }

  /** One request and its whole answer; fails after the configured timeout. */
  private send(method: string, path: string, payload: string | undefined): Promise<Answer> {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    // The trace goes on to the product service; with spans recorded, the HTTP instrumentation replaces this
    // with the traceparent of the call's own CLIENT span.
    const traceparent = currentTraceparent();
    if (traceparent !== null) headers['traceparent'] = traceparent;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = this.transport.request(
        {
          agent: this.agent,
          hostname: this.url.hostname,
          port: this.url.port,
          method,
          path: `${this.url.pathname.replace(/\/$/, '')}${path}`,
          headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', fail);
          incoming.on('end', () => {
            clearTimeout(timer);
            const status = incoming.statusCode ?? 0;
            resolve({ status, ok: status >= 200 && status < 300, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        const stale = outgoing.reusedSocket && 'code' in error && error.code === 'ECONNRESET';
        reject(stale ? new StaleConnectionError(error.message, { cause: error }) : error);
      }
      outgoing.on('error', fail);
      outgoing.end(payload);
    });
  }

  private json(response: Answer): unknown {
    if (!response.ok) throw this.unexpected(response, this.problem(response));
    return JSON.parse(response.body);
  }

  private problem(response: Answer): ProblemBody {
    try {
      return JSON.parse(response.body) as ProblemBody;
    } catch {
      return {};
    }
  }

  private unexpected(response: Answer, problem: ProblemBody): Error {
    return new Error(`product service answered ${response.status}: ${problem.detail ?? 'no detail'}`);
  }
}

/** An item of a reservation answer, as the product service writes it. */
interface ReservedItemBody {
  productId: string;
  quantity: number;
  unitPrice?: string | null;
  currency?: string | null;
}

/** The line, with its price only when the answer carries both the price and its currency. */
function reservedLine(item: ReservedItemBody): ReservedLine {
  const line = { productId: item.productId, quantity: item.quantity };
  if (typeof item.unitPrice !== 'string' || typeof item.currency !== 'string') return line;
  return { ...line, unitPrice: item.unitPrice, currency: item.currency };
}

/** A reused keep-alive connection was reset before an answer came. */
class StaleConnectionError extends Error {
  override name = 'StaleConnectionError';
}
