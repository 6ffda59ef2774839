/**
 * Pact frontend → order (HTTP), written by driving the storefront's real API client
 * (services/frontend/src/api/orders.ts) against the Pact mock server: placing an order with an
 * Idempotency-Key, a refused order (422 problem+json naming the field, read by the storefront's ApiError
 * parsing), reading one, a customer's orders page by page, and cancelling.
 *
 * Order ids, list cursors and idempotency keys come from the provider state (`fromProviderState`): the
 * verifier's state handler places the orders and returns their real ids, the cursor the service issued for
 * the first page, and a fresh key (a key the service has seen would answer 200 as a replay, not 201).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { OrderApi, ORDER_STATUSES, type Order, type OrderCreate } from '../../../../services/frontend/src/api/orders';
import { ApiError } from '../../../../services/frontend/src/api/problem';
import {
  currency,
  jsonResponse,
  money,
  openPact,
  problemResponse,
  problemType,
  rejectionOf,
  utcTimestamp,
  uuid,
} from '../src/contract.js';

const { arrayContaining, eachLike, fromProviderState, integer, nullValue, regex, string } = MatchersV3;

const pact = openPact('frontend', 'order');

const ACCEPT = { Accept: 'application/json, application/problem+json' };

const PRODUCT = { productId: 'contract-mug-classic', price: '12.50', currency: 'USD', stock: 40 };
const CUSTOMER = { email: 'ada@example.com', name: 'Ada Lovelace' };
const PAYMENT_METHOD = { type: 'card', token: '4242424242424242' } as const;
const ORDER_REQUEST: OrderCreate = {
  customer: CUSTOMER,
  items: [{ productId: PRODUCT.productId, quantity: 2 }],
  paymentMethod: PAYMENT_METHOD,
};

/** The state every read, list and cancel starts from: orders of one customer, placed through the API. */
const ORDER_STATE = {
  customerEmail: CUSTOMER.email,
  customerName: CUSTOMER.name,
  productId: PRODUCT.productId,
  quantity: 2,
  price: PRODUCT.price,
  currency: PRODUCT.currency,
};
/** A customer of their own for the list, so that no other interaction's orders (placed, cancelled) join it. */
const LIST_CUSTOMER = { email: 'grace@example.com', name: 'Grace Hopper' };
const LIST_STATE = {
  ...ORDER_STATE,
  customerEmail: LIST_CUSTOMER.email,
  customerName: LIST_CUSTOMER.name,
  count: 3,
  limit: 2,
};
const EXAMPLE_ORDER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
// pragma: allowlist nextline secret (a list cursor (base64url JSON), not a secret)
const EXAMPLE_CURSOR = 'eyJlIjoiZ3JhY2VAZXhhbXBsZS5jb20iLCJjIjoiMjAyNi0xMS0yNlQwODowMDowMC4wMDBaIiwiaSI6IngifQ';

/** An order as the storefront reads it (services/frontend/src/api/orders.ts `Order`). */
function orderBody(fields: { status: unknown; statusReason: unknown; email: string; name: string }) {
  return {
    id: uuid(EXAMPLE_ORDER_ID),
    status: fields.status,
    statusReason: fields.statusReason,
    customer: { email: string(fields.email), name: string(fields.name) },
    items: eachLike({
      productId: string(PRODUCT.productId),
      quantity: integer(2),
      unitPrice: money('12.50'),
      lineTotal: money('25.00'),
    }),
    total: { value: money('25.00'), currency: currency(PRODUCT.currency) },
    createdAt: utcTimestamp('2026-11-26T08:00:00.000Z'),
    updatedAt: utcTimestamp('2026-11-26T08:00:00.000Z'),
  };
}

/** An order as it is right after being placed. */
const placedOrder = () =>
  orderBody({ status: 'PENDING_PAYMENT', statusReason: nullValue(), email: CUSTOMER.email, name: CUSTOMER.name });

/**
 * An order read some time after it was placed: any status the storefront knows (the saga may have moved it
 * on, e.g. to PAID, by the time it is read); no reason, as the state's orders are paid with the approving
 * test card.
 */
const storedOrder = (customer: { email: string; name: string }) =>
  orderBody({
    status: regex(new RegExp(`^(${ORDER_STATUSES.join('|')})$`), 'PENDING_PAYMENT'),
    statusReason: nullValue(),
    ...customer,
  });

function assertOrder(order: Order): void {
  assert.match(order.id, /^[0-9a-f-]{36}$/);
  assert.match(order.total.value, /^\d+\.\d{2}$/);
  assert.ok(order.items.length >= 1);
}

describe('frontend → order', () => {
  it('places an order with an Idempotency-Key', async () => {
    await pact
      .addInteraction()
      .given('a product can be ordered', PRODUCT)
      .uponReceiving('a request to place an order')
      .withRequest('POST', '/orders', (request) => {
        request
          .headers({
            ...ACCEPT,
            'Content-Type': 'application/json',
            'Idempotency-Key': fromProviderState('${idempotencyKey}', 'contract-checkout-0001'),
          })
          .jsonBody(ORDER_REQUEST);
      })
      .willRespondWith(201, jsonResponse(placedOrder()))
      .executeTest(async (server) => {
        const order = await new OrderApi(server.url).createOrder(ORDER_REQUEST, 'contract-checkout-0001');
        assertOrder(order);
        assert.equal(order.status, 'PENDING_PAYMENT');
        assert.equal(order.statusReason, null);
      });
  });

  it('is refused an order with an invalid quantity, naming the field', async () => {
    const invalid: OrderCreate = { ...ORDER_REQUEST, items: [{ productId: PRODUCT.productId, quantity: 0 }] };
    await pact
      .addInteraction()
      .uponReceiving('a request to place an order with an invalid quantity')
      .withRequest('POST', '/orders', (request) => {
        request
          .headers({ ...ACCEPT, 'Content-Type': 'application/json', 'Idempotency-Key': 'contract-invalid-0001' })
          .jsonBody(invalid);
      })
      .willRespondWith(
        422,
        problemResponse({
          type: problemType('validation-failed'),
          title: string('Validation failed'),
          status: 422,
          detail: string('invalid: items[0].quantity'),
          errors: arrayContaining({
            field: 'items[0].quantity',
            message: string('Too small: expected number to be >=1'),
          }),
        }),
      )
      .executeTest(async (server) => {
        const error = await rejectionOf(new OrderApi(server.url).createOrder(invalid, 'contract-invalid-0001'));
        assert.ok(error instanceof ApiError, 'an ApiError');
        assert.equal(error.status, 422);
        assert.equal(error.slug, 'validation-failed');
        assert.deepEqual(error.fieldErrors, [
          { field: 'items[0].quantity', message: 'Too small: expected number to be >=1' },
        ]);
      });
  });

  it('reads an order', async () => {
    await pact
      .addInteraction()
      .given('an order exists', ORDER_STATE)
      .uponReceiving('a request for an order')
      .withRequest('GET', fromProviderState('/orders/${orderId}', `/orders/${EXAMPLE_ORDER_ID}`), (request) =>
        request.headers(ACCEPT),
      )
      .willRespondWith(200, jsonResponse(storedOrder(CUSTOMER)))
      .executeTest(async (server) => {
        const order = await new OrderApi(server.url).getOrder(EXAMPLE_ORDER_ID);
        assertOrder(order);
        assert.equal(order.id, EXAMPLE_ORDER_ID);
        assert.equal(order.status, 'PENDING_PAYMENT');
      });
  });

  it("lists a customer's orders, newest first, with a cursor for the next page", async () => {
    await pact
      .addInteraction()
      .given('orders exist for a customer', LIST_STATE)
      .uponReceiving("a request for a customer's orders")
      .withRequest('GET', '/orders', (request) => {
        request.query({ customerEmail: LIST_CUSTOMER.email, limit: '2' }).headers(ACCEPT);
      })
      .willRespondWith(
        200,
        jsonResponse({
          items: eachLike(storedOrder(LIST_CUSTOMER)),
          nextCursor: string(EXAMPLE_CURSOR),
        }),
      )
      .executeTest(async (server) => {
        const page = await new OrderApi(server.url).listOrders(LIST_CUSTOMER.email, undefined, 2);
        assert.equal(page.items.length, 1);
        for (const order of page.items) assertOrder(order);
        assert.equal(page.nextCursor, EXAMPLE_CURSOR);
      });
  });

  it("reads the last page of a customer's orders with the cursor the provider issued", async () => {
    await pact
      .addInteraction()
      .given('orders exist for a customer', LIST_STATE)
      .uponReceiving("a request for the next page of a customer's orders")
      .withRequest('GET', '/orders', (request) => {
        request
          .query({
            customerEmail: LIST_CUSTOMER.email,
            cursor: fromProviderState('${cursor}', EXAMPLE_CURSOR),
            limit: '2',
          })
          .headers(ACCEPT);
      })
      // 3 orders in pages of 2: the second page is the last.
      .willRespondWith(
        200,
        jsonResponse({
          items: eachLike(storedOrder(LIST_CUSTOMER)),
          nextCursor: nullValue(),
        }),
      )
      .executeTest(async (server) => {
        const page = await new OrderApi(server.url).listOrders(LIST_CUSTOMER.email, EXAMPLE_CURSOR, 2);
        assert.equal(page.items.length, 1);
        assert.equal(page.nextCursor, null);
      });
  });

  it('cancels an order awaiting payment', async () => {
    const reason = 'changed my mind';
    await pact
      .addInteraction()
      .given('an order exists', ORDER_STATE)
      .uponReceiving('a request to cancel an order')
      .withRequest(
        'POST',
        fromProviderState('/orders/${orderId}/cancel', `/orders/${EXAMPLE_ORDER_ID}/cancel`),
        (request) => request.headers({ ...ACCEPT, 'Content-Type': 'application/json' }).jsonBody({ reason }),
      )
      .willRespondWith(
        200,
        jsonResponse(
          orderBody({ status: 'CANCELLED', statusReason: reason, email: CUSTOMER.email, name: CUSTOMER.name }),
        ),
      )
      .executeTest(async (server) => {
        const order = await new OrderApi(server.url).cancelOrder(EXAMPLE_ORDER_ID, reason);
        assertOrder(order);
        assert.equal(order.status, 'CANCELLED');
        assert.equal(order.statusReason, reason);
      });
  });
});
