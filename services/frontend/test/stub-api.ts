/**
 * A stub of the product and order services for component tests: a real HTTP server on a free loopback port
 * answering with the services' documented shapes (see services/product and services/order), so the app's
 * real API clients and fetch are exercised over a socket. Tests name it "stub" where they rely on it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Order, OrderStatus } from '../src/api/orders';
import type { Product } from '../src/api/products';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface StubApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Routes are matched as "METHOD /path" (the path without its query); the first match answers. */
  on(route: string | RegExp, handler: Handler): void;
  close(): Promise<void>;
}

export async function startStubApi(): Promise<StubApi> {
  const routes: { route: string | RegExp; handler: Handler }[] = [];
  const requests: RecordedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
    };
    requests.push(request);
    const key = `${request.method} ${request.path}`;
    const found = routes.find(({ route }) => (typeof route === 'string' ? route === key : route.test(key)));
    const reply: Reply = found
      ? await found.handler(request)
      : { status: 404, body: problem(404, 'Not found', `no stub for ${key}`), contentType: 'application/problem+json' };
    const contentType = reply.contentType ?? (reply.status >= 400 ? 'application/problem+json' : 'application/json');
    res.writeHead(reply.status, { 'content-type': contentType, 'access-control-allow-origin': '*' });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => routes.push({ route, handler }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

export function problem(
  status: number,
  title: string,
  detail: string,
  slug?: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: slug === undefined ? 'about:blank' : `https://contoso-shop.example/problems/${slug}`,
    title,
    status,
    detail,
    instance: '/stub',
    ...extra,
  };
}

export function aProduct(overrides: Partial<Product> = {}): Product {
  const id = overrides.id ?? 'kitc-mug';
  return {
    id,
    name: 'Classic white mug',
    description: 'Stoneware mug, 350 ml.',
    category: 'kitchen',
    price: '12.50',
    currency: 'USD',
    stock: 40,
    reserved: 0,
    imageUrl: `/products/${id}/image`,
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-01T10:00:00Z',
    ...overrides,
  };
}

export function anOrder(status: OrderStatus = 'PENDING_PAYMENT', overrides: Partial<Order> = {}): Order {
  return {
    id: 'ord_7f3a9c',
    status,
    statusReason: null,
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    items: [{ productId: 'kitc-mug', quantity: 2, unitPrice: '12.50', lineTotal: '25.00' }],
    total: { value: '25.00', currency: 'USD' },
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-01T10:00:00Z',
    ...overrides,
  };
}
