import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import {
  EnvelopeSchema,
  OrderStatusChangedSchema,
  PaymentRequestedSchema,
  ProblemBodySchema,
  contractValidator,
  createProduct,
  jsonAnswer,
  orderBody,
  postOrder,
  productStock,
  reservationStatus,
  startOrderApp,
  type Envelope,
  type JsonAnswer,
  type OrderApp,
  useProductService,
} from '../../../../test/helpers.js';
import { startIdOnlyTracing, untracedFetch } from '../../../../test/tracing.js';
import { OrderPageSchema, OrderPublicSchema } from '../order.model.js';

// As in production with no exporter: ids propagate, spans are not recorded (flags 00).
await startIdOnlyTracing();
useProductService();

let app: OrderApp;
const validate = contractValidator();

/** The parts of /openapi.json the tests read. */
const Operation = z.looseObject({ responses: z.record(z.string(), z.unknown()) });
const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  paths: z.record(z.string(), z.looseObject({ get: Operation.optional(), post: Operation.optional() })),
  components: z.looseObject({
    schemas: z.record(z.string(), z.looseObject({ required: z.array(z.string()).optional() })),
  }),
});

async function outboxMessages(
  orderId: string,
): Promise<Array<{ destination: string; messageId: string; body: Envelope }>> {
  const rows = await app.parts.outbox.forCorrelation(orderId);
  return rows.map((row) => ({
    destination: row.destination,
    messageId: row.message_id,
    body: EnvelopeSchema.parse(JSON.parse(row.body)),
  }));
}

async function cancel(orderId: string, body?: unknown): Promise<JsonAnswer> {
  return jsonAnswer(
    await fetch(`${app.url}/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    }),
  );
}

/** Places an order that must be created; returns it as the API answered. */
async function placeOrder(body: unknown): Promise<z.infer<typeof OrderPublicSchema>> {
  const created = await postOrder(app, body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return OrderPublicSchema.parse(created.body);
}

describe('orders API', () => {
  before(async () => {
    app = await startOrderApp();
  });
  after(() => app.close());

  it('test_place_order_reprices_items_reserves_stock_and_writes_outbox', async () => {
    const mug = await createProduct({ price: '12.50', stock: 5 });
    const pot = await createProduct({ price: '34.00', stock: 2 });
    const created = await postOrder(
      app,
      orderBody([
        { productId: mug, quantity: 2, unitPrice: '0.01' },
        { productId: pot, quantity: 1 },
      ]),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const order = OrderPublicSchema.parse(created.body);
    assert.equal(created.headers.get('location'), `/orders/${order.id}`);
    assert.equal(order.status, 'PENDING_PAYMENT');
    assert.deepEqual(order.total, { value: '59.00', currency: 'USD' });
    assert.deepEqual(
      order.items.map((item) => [item.productId, item.unitPrice, item.lineTotal]),
      [
        [mug, '12.50', '25.00'],
        [pot, '34.00', '34.00'],
      ],
    );
    assert.deepEqual(await productStock(mug), { stock: 3, reserved: 2 });
    assert.equal(await reservationStatus(order.id), 'RESERVED');

    const messages = await outboxMessages(order.id);
    assert.deepEqual(
      messages.map((m) => [m.destination, m.body.type]),
      [
        ['payment-requests', 'PaymentRequested'],
        ['order-events', 'OrderStatusChanged'],
      ],
    );
    for (const message of messages) assert.deepEqual(validate(message.body), []);
    const [payment] = messages;
    assert.equal(payment?.messageId, order.id);
    const requested = PaymentRequestedSchema.parse(payment.body);
    assert.deepEqual(requested.data.amount, { value: '59.00', currency: 'USD' });
    assert.equal(requested.data.items[0]?.unitPrice.value, '12.50');

    const read = await fetch(`${app.url}/orders/${order.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), created.body);
  });

  it('test_same_idempotency_key_and_body_replays_the_same_order', async () => {
    const mug = await createProduct({ stock: 5 });
    const body = orderBody([{ productId: mug, quantity: 2 }]);
    const key = randomUUID();
    const first = await postOrder(app, body, key);
    const second = await postOrder(app, body, key);
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(OrderPublicSchema.parse(second.body).id, OrderPublicSchema.parse(first.body).id);
    assert.deepEqual(await productStock(mug), { stock: 3, reserved: 2 });
  });

  it('test_concurrent_requests_with_one_key_make_one_order', async () => {
    const mug = await createProduct({ stock: 10 });
    const body = orderBody([{ productId: mug, quantity: 1 }]);
    const key = randomUUID();
    const answers = await Promise.all([
      postOrder(app, body, key),
      postOrder(app, body, key),
      postOrder(app, body, key),
    ]);
    assert.equal(new Set(answers.map((a) => OrderPublicSchema.parse(a.body).id)).size, 1);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 201]);
    assert.deepEqual(await productStock(mug), { stock: 9, reserved: 1 });
  });

  it('test_same_idempotency_key_with_another_body_is_422', async () => {
    const mug = await createProduct();
    const key = randomUUID();
    const body = orderBody([{ productId: mug, quantity: 1 }]);
    assert.equal((await postOrder(app, body, key)).status, 201);
    const reused = await postOrder(app, { ...body, items: [{ productId: mug, quantity: 2 }] }, key);
    assert.equal(reused.status, 422);
    assert.equal(
      ProblemBodySchema.parse(reused.body).type,
      'https://contoso-shop.example/problems/idempotency-key-reused',
    );
  });

  it('test_missing_idempotency_key_is_400_naming_the_header', async () => {
    const answer = await postOrder(app, orderBody([{ productId: 'x', quantity: 1 }]), null);
    assert.equal(answer.status, 400);
    assert.equal(ProblemBodySchema.parse(answer.body).errors?.[0]?.field, 'Idempotency-Key');
  });

  it('test_unknown_product_is_422_naming_the_item', async () => {
    const mug = await createProduct();
    const answer = await postOrder(
      app,
      orderBody([
        { productId: mug, quantity: 1 },
        { productId: 'no-such-product', quantity: 1 },
      ]),
    );
    assert.equal(answer.status, 422);
    const problem = ProblemBodySchema.parse(answer.body);
    assert.equal(problem.type, 'https://contoso-shop.example/problems/unknown-product');
    assert.equal(problem['productId'], 'no-such-product');
    assert.equal(problem.errors?.[0]?.field, 'items[1].productId');
    assert.deepEqual(await productStock(mug), { stock: 10, reserved: 0 });
  });

  it('test_out_of_stock_is_422_naming_the_item_and_reserves_nothing', async () => {
    const mug = await createProduct({ stock: 5 });
    const scarce = await createProduct({ stock: 1 });
    const answer = await postOrder(
      app,
      orderBody([
        { productId: mug, quantity: 2 },
        { productId: scarce, quantity: 3 },
      ]),
    );
    assert.equal(answer.status, 422);
    const problem = ProblemBodySchema.parse(answer.body);
    assert.equal(problem.type, 'https://contoso-shop.example/problems/insufficient-stock');
    assert.equal(problem.errors?.[0]?.field, 'items[1].productId');
    assert.equal(problem['available'], 1);
    assert.deepEqual(await productStock(mug), { stock: 5, reserved: 0 });
  });

  it('test_invalid_body_is_problem_json_with_field_paths', async () => {
    const response = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        customer: { email: 'not-an-email', name: '' },
        items: [{ productId: 'ok', quantity: 0 }],
        paymentMethod: { type: 'cash', token: 't' },
      }),
    });
    assert.equal(response.status, 422);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const errors = ProblemBodySchema.parse(await response.json()).errors ?? [];
    assert.deepEqual(errors.map((e) => e.field).sort(), [
      'customer.email',
      'customer.name',
      'items[0].quantity',
      'paymentMethod.type',
    ]);
    assert.equal(errors.find((e) => e.field === 'items[0].quantity')?.pointer, '/items/0/quantity');
  });

  it('test_malformed_json_is_400_problem', async () => {
    const response = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: '{"customer":',
    });
    assert.equal(response.status, 400);
    assert.equal(
      ProblemBodySchema.parse(await response.json()).type,
      'https://contoso-shop.example/problems/malformed-json',
    );
  });

  it('test_unknown_order_is_404_problem', async () => {
    const response = await fetch(`${app.url}/orders/${randomUUID()}`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  it('test_cancel_pending_order_releases_the_reservation', async () => {
    const mug = await createProduct({ stock: 4 });
    const order = await placeOrder(orderBody([{ productId: mug, quantity: 3 }]));
    const cancelled = await cancel(order.id, { reason: 'changed my mind' });
    assert.equal(cancelled.status, 200);
    const cancelledOrder = OrderPublicSchema.parse(cancelled.body);
    assert.equal(cancelledOrder.status, 'CANCELLED');
    assert.equal(cancelledOrder.statusReason, 'changed my mind');
    assert.deepEqual(await productStock(mug), { stock: 4, reserved: 0 });
    assert.equal(await reservationStatus(order.id), 'RELEASED');
    const last = (await outboxMessages(order.id)).at(-1);
    assert.ok(last);
    const changed = OrderStatusChangedSchema.parse(last.body);
    assert.equal(changed.data.previousStatus, 'PENDING_PAYMENT');
    assert.equal(changed.data.status, 'CANCELLED');
    assert.deepEqual(validate(last.body), []);
  });

  it('test_cancel_twice_is_409_illegal_transition', async () => {
    const mug = await createProduct();
    const order = await placeOrder(orderBody([{ productId: mug, quantity: 1 }]));
    assert.equal((await cancel(order.id)).status, 200);
    const again = await cancel(order.id);
    assert.equal(again.status, 409);
    assert.match(again.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = ProblemBodySchema.parse(again.body);
    assert.equal(problem.type, 'https://contoso-shop.example/problems/illegal-transition');
    assert.equal(problem['currentStatus'], 'CANCELLED');
  });

  it('test_fulfil_unpaid_order_is_409', async () => {
    const mug = await createProduct();
    const order = await placeOrder(orderBody([{ productId: mug, quantity: 1 }]));
    const response = await fetch(`${app.url}/orders/${order.id}/fulfil`, { method: 'POST' });
    assert.equal(response.status, 409);
  });

  it('test_list_by_customer_pages_newest_first_with_a_cursor', async () => {
    const mug = await createProduct({ stock: 20 });
    const body = orderBody([{ productId: mug, quantity: 1 }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await placeOrder(body)).id);
    const email = encodeURIComponent(body.customer.email.toUpperCase());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customerEmail=${email}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = OrderPageSchema.parse(await (await fetch(`${app.url}/orders?${query}`)).json());
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, [...ids].reverse());
  });

  it('test_cursor_for_another_customer_is_400', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ e: 'someone@example.com', c: '2026-01-01T00:00:00.000Z', i: 'x' }),
    ).toString('base64url');
    const response = await fetch(`${app.url}/orders?customerEmail=other@example.com&cursor=${cursor}`);
    assert.equal(response.status, 400);
    assert.equal(ProblemBodySchema.parse(await response.json()).errors?.[0]?.field, 'cursor');
  });

  it('test_traceparent_is_continued_and_reaches_the_outbox', async () => {
    const mug = await createProduct();
    const traceId = 'a'.repeat(31) + 'b';
    const response = await untracedFetch(`${app.url}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify(orderBody([{ productId: mug, quantity: 1 }])),
    });
    const body: unknown = await response.json();
    assert.equal(response.status, 201, JSON.stringify(body));
    const order = OrderPublicSchema.parse(body);
    const answered = response.headers.get('traceparent') ?? '';
    assert.match(answered, new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    assert.notEqual(answered.slice(36, 52), '00f067aa0ba902b7', 'a span of its own, the child of the caller');
    const rows = await app.parts.outbox.forCorrelation(order.id);
    assert.deepEqual(
      rows.map((row) => row.message_type),
      ['PaymentRequested', 'OrderStatusChanged'],
    );
    for (const row of rows) assert.match(row.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-[0-9a-f]{2}$`));
  });

  it('test_a_request_without_traceparent_starts_a_trace_of_its_own_and_probes_get_none', async () => {
    const answered = async (path: string): Promise<string | null> =>
      (await untracedFetch(`${app.url}${path}`)).headers.get('traceparent');
    const first = await answered(`/orders/${randomUUID()}`);
    const second = await answered(`/orders/${randomUUID()}`);
    // Unrecorded (flags 00), yet real ids: a new trace per request.
    assert.match(first ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.match(second ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.notEqual(first?.slice(3, 35), second?.slice(3, 35));
    assert.equal(await answered('/health'), null);
  });

  it('test_openapi_health_ready_and_metrics_are_served', async () => {
    const doc = OpenApiDocumentSchema.parse(await (await fetch(`${app.url}/openapi.json`)).json());
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/orders/{id}/cancel']?.post);
    assert.deepEqual(Object.keys(doc.paths['/ready']?.get?.responses ?? {}).sort(), ['200', '503']);
    assert.deepEqual(doc.components.schemas['Health']?.required?.sort(), ['checks', 'status']);
    const health = await fetch(`${app.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', checks: {} });
    const ready = await fetch(`${app.url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok', checks: { productService: { status: 'ok' } } });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /^http_requests_total\{method="POST",route="\/orders",status="201"\} \d+/m);
    assert.match(metrics, /^order_orders_by_status\{status="PENDING_PAYMENT"\} \d+/m);
    assert.match(metrics, /^order_outbox_pending_messages \d+/m);
    assert.match(metrics, /^order_outbox_lag_seconds \d/m);
    assert.match(metrics, /^order_created_total [1-9]/m);
  });

  it('test_http_metrics_label_routes_by_openapi_template_and_count_every_request', async () => {
    await fetch(`${app.url}/orders/${randomUUID()}`);
    await fetch(`${app.url}/orders/${randomUUID()}/cancel`, { method: 'POST' });
    await fetch(`${app.url}/no/such/${randomUUID()}`);
    await fetch(`${app.url}/health`);
    await fetch(`${app.url}/ready`);
    await fetch(`${app.url}/metrics`);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const count = (labels: string): number =>
      Number(new RegExp(`^http_requests_total\\{${labels}\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    assert.ok(count('method="GET",route="/orders/\\{id\\}",status="404"') >= 1, metrics);
    assert.ok(count('method="POST",route="/orders/\\{id\\}/cancel",status="404"') >= 1, metrics);
    assert.ok(count('method="GET",route="unmatched",status="404"') >= 1, metrics);
    for (const ops of ['/health', '/ready', '/metrics']) {
      assert.ok(count(`method="GET",route="${ops}",status="200"`) >= 1, ops);
    }
    assert.doesNotMatch(metrics, /route="[^"]*:/, 'no Express-style route templates');
    assert.doesNotMatch(metrics, /route="\/orders\/[0-9a-f]{8}-/, 'no raw ids in route labels');
    const buckets = [
      ...metrics.matchAll(
        /^http_request_duration_seconds_bucket\{le="([^"]+)",method="GET",route="\/health",status="200"\}/gm,
      ),
    ].map((m) => m[1]);
    assert.deepEqual(buckets, ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
  });

  it('test_cors_allows_configured_origin_only', async () => {
    const allowed = await fetch(`${app.url}/health`, { headers: { origin: 'http://localhost:5173' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const other = await fetch(`${app.url}/health`, { headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
