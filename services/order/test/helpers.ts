/** Shared factories for the tests: products on the real product service, an order app on a real SQLite file. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { createApp } from '../src/api/app.js';
import { ProblemSchema } from '../src/api/orders/order.model.js';
import { composeParts, type Parts } from '../src/composition.js';
import { openDatabase } from '../src/adapters/database.js';
import type { Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/observability/logger.js';
import {
  REPO_ROOT,
  productAdminToken,
  spawnOrderService,
  startEmulator,
  startProductService,
  startStorageEmulators,
  type Emulator,
  type OrderServiceOptions,
} from './platform.js';

let productUrl: string | undefined;

/**
 * Call at the top level of a test file that needs the product service: uses the one the suite runner
 * started (ORDER_TEST_PRODUCT_URL), or else starts one (with Azurite and the Cosmos DB server) for this
 * file and stops it when the file ends.
 */
export function useProductService(): void {
  let stopAll: (() => Promise<void>) | undefined;
  before(async () => {
    const given = process.env['ORDER_TEST_PRODUCT_URL'];
    if (given !== undefined) {
      productUrl = given;
      return;
    }
    const storage = await startStorageEmulators();
    const product = await startProductService(storage).catch(async (error: unknown) => {
      await storage.stop();
      throw error;
    });
    productUrl = product.url;
    stopAll = async () => {
      await product.stop();
      await storage.stop();
    };
  });
  after(async () => {
    await stopAll?.();
  });
}

const emulators: { servicebus?: Emulator; eventhubs?: Emulator } = {};

/** Call at the top level of a test file that needs the Service Bus and Event Hubs emulators. */
export function useEmulators(): void {
  before(async () => {
    emulators.servicebus = await startEmulator('servicebus');
    emulators.eventhubs = await startEmulator('eventhubs');
  });
  after(async () => {
    await emulators.servicebus?.stop();
    await emulators.eventhubs?.stop();
  });
}

export function emulator(kind: 'servicebus' | 'eventhubs'): Emulator {
  const running = emulators[kind];
  if (running === undefined) throw new Error('call useEmulators() at the top of the test file');
  return running;
}

export function productService(): string {
  if (productUrl === undefined) throw new Error('call useProductService() at the top of the test file');
  return productUrl;
}

/** The order service as a process over this test file's product service and emulators. */
export function spawnOrderServiceOnEmulators(
  options: Pick<OrderServiceOptions, 'port' | 'sqlitePath' | 'stdio' | 'env'>,
): ChildProcess {
  return spawnOrderService({
    ...options,
    productUrl: productService(),
    servicebusConnectionString: emulator('servicebus').connectionString,
    eventhubsConnectionString: emulator('eventhubs').connectionString,
  });
}

export interface ProductFields {
  price?: string;
  stock?: number;
  currency?: string;
}

/** Creates a product with a fresh id on the product service; returns the id. */
export async function createProduct(fields: ProductFields = {}): Promise<string> {
  const url = productService();
  const id = `p-${randomUUID().slice(0, 12)}`;
  const response = await fetch(`${url}/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${productAdminToken()}` },
    body: JSON.stringify({
      id,
      name: `Test product ${id}`,
      category: 'kitchen',
      price: fields.price ?? '12.50',
      currency: fields.currency ?? 'USD',
      stock: fields.stock ?? 10,
    }),
  });
  if (response.status !== 201) throw new Error(`product create answered ${response.status}: ${await response.text()}`);
  return id;
}

export async function productStock(id: string): Promise<{ stock: number; reserved: number }> {
  const response = await fetch(`${productService()}/products/${id}`);
  const body = (await response.json()) as { stock: number; reserved: number };
  return { stock: body.stock, reserved: body.reserved };
}

export async function reservationStatus(orderId: string): Promise<string> {
  const response = await fetch(`${productService()}/reservations/${orderId}`);
  return ((await response.json()) as { status: string }).status;
}

export interface TempDatabase {
  readonly db: Db;
  readonly path: string;
  /** Closes the database and deletes its file. */
  remove(): Promise<void>;
}

/** An SQLite database in a fresh file, migrated. */
export async function tempDatabase(): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'order-db-'));
  const path = join(dir, 'orders.sqlite');
  const db = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(db);
  return {
    db,
    path,
    remove: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OrderApp {
  readonly url: string;
  readonly parts: Parts;
  close(): Promise<void>;
}

/**
 * The order API on a free port over a fresh SQLite file, against the real product service (or `productUrl`,
 * a proxy in front of it).
 */
export async function startOrderApp(options: { productUrl?: string } = {}): Promise<OrderApp> {
  const database = await tempDatabase();
  const baseUrl = options.productUrl ?? productService();
  const parts = composeParts(database.db, createLogger('silent'), { baseUrl, timeoutMs: 5000 });
  const app = createApp({
    log: parts.log,
    metrics: parts.metrics,
    orders: parts.orders,
    corsOrigins: ['http://localhost:5173'],
    maxBodyBytes: 64 * 1024,
    readiness: [{ name: 'productService', check: () => parts.products.ready() }],
  });
  const server = await new Promise<Server>((done) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      done(listening);
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const close = async (): Promise<void> => {
    await new Promise<void>((done) =>
      server.close(() => {
        done();
      }),
    );
    await database.remove();
  };
  return { url: `http://127.0.0.1:${port}`, parts, close };
}

/** A POST /orders body (what a client sends; `unitPrice` is there to prove the service ignores it). */
export interface OrderRequest {
  readonly customer: { readonly email: string; readonly name: string; readonly phone: string };
  readonly items: ReadonlyArray<{ readonly productId: string; readonly quantity: number; readonly unitPrice?: string }>;
  readonly paymentMethod: { readonly type: string; readonly token: string };
}

export function orderBody(items: OrderRequest['items']): OrderRequest {
  return {
    customer: { email: `ada.${randomUUID().slice(0, 8)}@example.com`, name: 'Ada Lovelace', phone: '+447700900123' },
    items,
    paymentMethod: { type: 'card', token: '4242424242424242' },
  };
}

/**
 * An HTTP answer with its JSON body not yet trusted: parse the body with the schema its status promises
 * (OrderPublicSchema, ProblemBodySchema...) after asserting the status.
 */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function jsonAnswer(response: Response): Promise<JsonAnswer> {
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export async function postOrder(app: OrderApp, body: unknown, key: string | null = randomUUID()): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['idempotency-key'] = key;
  return jsonAnswer(await fetch(`${app.url}/orders`, { method: 'POST', headers, body: JSON.stringify(body) }));
}

/** Probes until `done` holds and returns that value; throws naming `what` and the last value on timeout. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      // JSON.stringify gives undefined for undefined (or a function), whatever its declared return type says.
      const shown = JSON.stringify(value) as string | undefined;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${shown?.slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An application/problem+json body with its extension members (productId, available, currentStatus...). */
export const ProblemBodySchema = ProblemSchema.loose();

/** The only item of `items`; fails the test with `message` unless there is exactly one. */
export function only<T>(items: readonly T[], message: string): T {
  assert.equal(items.length, 1, message);
  const [item] = items;
  assert.ok(item !== undefined, message);
  return item;
}

// The saga messages (contract-tests/messages): the members the tests read are typed, and every member is
// kept (loose objects), so a parsed message can still go whole to contractValidator().
const MoneySchema = z.looseObject({ value: z.string(), currency: z.string() });

function envelopeSchema<Data extends z.ZodType>(data: Data) {
  return z.looseObject({
    id: z.string(),
    type: z.string(),
    version: z.number(),
    occurredAt: z.string(),
    correlationId: z.string(),
    data,
  });
}

/** Any message: the envelope, with `data` as an open record. */
export const EnvelopeSchema = envelopeSchema(z.record(z.string(), z.unknown()));
export type Envelope = z.infer<typeof EnvelopeSchema>;

export const PaymentRequestedSchema = envelopeSchema(
  z.looseObject({
    orderId: z.string(),
    amount: MoneySchema,
    items: z.array(z.looseObject({ productId: z.string(), quantity: z.number(), unitPrice: MoneySchema })),
  }),
);

export const OrderStatusChangedSchema = envelopeSchema(
  z.looseObject({
    orderId: z.string(),
    previousStatus: z.string().nullable(),
    status: z.string(),
    reason: z.string().optional(),
  }),
);
export type OrderStatusChanged = z.infer<typeof OrderStatusChangedSchema>;

/** Ajv with every contract-tests/messages schema registered by its $id. */
export function contractValidator(): (message: unknown) => string[] {
  const dir = join(REPO_ROOT, 'contract-tests/messages');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const schemas = readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as { $id: string });
  for (const schema of schemas) ajv.addSchema(schema);
  return (message) => {
    const type = (message as { type?: unknown }).type;
    const version = (message as { version?: unknown }).version;
    const validate = ajv.getSchema(
      `https://schemas.contoso-shop.example/messages/${String(type)}.v${String(version)}.schema.json`,
    );
    if (validate === undefined) return [`no contract for ${String(type)} v${String(version)}`];
    return validate(message) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}

export function contractExample(type: string): Envelope {
  const text = readFileSync(join(REPO_ROOT, `contract-tests/messages/examples/${type}.v1.json`), 'utf8');
  return EnvelopeSchema.parse(JSON.parse(text));
}
