/**
 * Pact order → product (HTTP), written by driving the order service's real product client
 * (services/order/src/adapters/product-client.ts, the ProductCatalog port of src/orders/product-catalog.ts)
 * against the Pact mock server: the stock reservation steps of the saga, the reservation answering each line
 * with the price and currency the order is priced from, with the problem+json answers the client reads (409
 * `insufficient-stock` and 422 `unknown-product` naming `productId`; 409 `reservation-conflict` and 404 for a
 * step the reservation's state forbids); and the product read that prices a line the reservation left
 * unpriced (the fallback for a product service older than the priced reservations).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { ProductClient } from '../../../../services/order/src/adapters/product-client.js';
import { ReservationStateError, StockRefusedError } from '../../../../services/order/src/orders/product-catalog.js';
import {
  CONTRACT_PRODUCT as PRODUCT,
  UNKNOWN_PRODUCT_ID,
  currency,
  jsonResponse,
  money,
  openPact,
  problemResponse,
  problemType,
} from '../src/contract.js';

const { integer, string } = MatchersV3;

const pact = openPact('order', 'product');

// Order ids are UUIDs made by the order service; one per interaction, so that no two share a reservation.
const ORDER_RESERVED = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b01';
const ORDER_SHORT = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b02';
const ORDER_UNKNOWN_PRODUCT = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b03';
const ORDER_TO_CONFIRM = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b04';
const ORDER_TO_RELEASE = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b05';
const ORDER_RELEASED = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b06';
const ORDER_WITHOUT_RESERVATION = '3f0c1c8e-7d4a-4b8e-9a51-0c6f1d2a4b07';

const JSON_HEADERS = { Accept: 'application/json' };
const JSON_BODY_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };

const client = (baseUrl: string) => new ProductClient({ baseUrl, timeoutMs: 5000 });

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => assert.fail('expected the call to be refused'),
    (caught: unknown) => caught,
  );
}

describe('order → product', () => {
  it('reads a product to price a line its reservation left unpriced', async () => {
    await pact
      .addInteraction()
      .given('a product exists', PRODUCT)
      .uponReceiving('a request for a product')
      .withRequest('GET', `/products/${PRODUCT.productId}`, (request) => request.headers(JSON_HEADERS))
      // Only what the order service reads (ProductClient.getProduct).
      .willRespondWith(
        200,
        jsonResponse({
          id: PRODUCT.productId,
          name: string(PRODUCT.name),
          price: money(PRODUCT.price),
          currency: currency(PRODUCT.currency),
          stock: integer(PRODUCT.stock),
        }),
      )
      .executeTest(async (server) => {
        const product = await client(server.url).getProduct(PRODUCT.productId);
        assert.deepEqual(product, {
          id: PRODUCT.productId,
          name: PRODUCT.name,
          price: PRODUCT.price,
          currency: PRODUCT.currency,
          stock: PRODUCT.stock,
        });
      });
  });

  it('reserves the stock of an order', async () => {
    await pact
      .addInteraction()
      .given('a product exists', PRODUCT)
      .uponReceiving('a request to reserve stock for an order')
      .withRequest('POST', '/reservations', (request) =>
        request
          .headers(JSON_BODY_HEADERS)
          .jsonBody({ orderId: ORDER_RESERVED, items: [{ productId: PRODUCT.productId, quantity: 2 }] }),
      )
      // 201 (or 200 for a replay); of the body, the client reads each item's product, quantity, and the price
      // and currency its stock was held at.
      .willRespondWith(
        201,
        jsonResponse({
          items: [
            {
              productId: PRODUCT.productId,
              quantity: 2,
              unitPrice: money(PRODUCT.price),
              currency: currency(PRODUCT.currency),
            },
          ],
        }),
      )
      .executeTest(async (server) => {
        const reserved = await client(server.url).reserve(ORDER_RESERVED, [
          { productId: PRODUCT.productId, quantity: 2 },
        ]);
        assert.deepEqual(reserved, [
          { productId: PRODUCT.productId, quantity: 2, unitPrice: PRODUCT.price, currency: PRODUCT.currency },
        ]);
      });
  });

  it('is refused a reservation for more stock than there is', async () => {
    await pact
      .addInteraction()
      .given('a product exists', { ...PRODUCT, stock: 1 })
      .uponReceiving('a request to reserve more stock than is available')
      .withRequest('POST', '/reservations', (request) =>
        request
          .headers(JSON_BODY_HEADERS)
          .jsonBody({ orderId: ORDER_SHORT, items: [{ productId: PRODUCT.productId, quantity: 5 }] }),
      )
      .willRespondWith(
        409,
        problemResponse({
          type: problemType('insufficient-stock'),
          productId: PRODUCT.productId,
          requested: 5,
          available: integer(1),
        }),
      )
      .executeTest(async (server) => {
        const error = await rejection(
          client(server.url).reserve(ORDER_SHORT, [{ productId: PRODUCT.productId, quantity: 5 }]),
        );
        assert.ok(error instanceof StockRefusedError, 'a StockRefusedError');
        assert.deepEqual(
          [error.productId, error.reason, error.requested, error.available],
          [PRODUCT.productId, 'insufficient-stock', 5, 1],
        );
      });
  });

  it('is refused a reservation of a product that does not exist', async () => {
    await pact
      .addInteraction()
      .given('no product exists', { productId: UNKNOWN_PRODUCT_ID })
      .uponReceiving('a request to reserve stock of a product that does not exist')
      .withRequest('POST', '/reservations', (request) =>
        request
          .headers(JSON_BODY_HEADERS)
          .jsonBody({ orderId: ORDER_UNKNOWN_PRODUCT, items: [{ productId: UNKNOWN_PRODUCT_ID, quantity: 1 }] }),
      )
      .willRespondWith(
        422,
        problemResponse({
          type: problemType('unknown-product'),
          productId: UNKNOWN_PRODUCT_ID,
          requested: 1,
        }),
      )
      .executeTest(async (server) => {
        const error = await rejection(
          client(server.url).reserve(ORDER_UNKNOWN_PRODUCT, [{ productId: UNKNOWN_PRODUCT_ID, quantity: 1 }]),
        );
        assert.ok(error instanceof StockRefusedError, 'a StockRefusedError');
        assert.deepEqual([error.productId, error.reason, error.requested], [UNKNOWN_PRODUCT_ID, 'unknown-product', 1]);
      });
  });

  it('confirms a held reservation', async () => {
    await pact
      .addInteraction()
      .given('a reservation is held', { orderId: ORDER_TO_CONFIRM, productId: PRODUCT.productId, quantity: 2 })
      .uponReceiving('a request to confirm a held reservation')
      .withRequest('POST', `/reservations/${ORDER_TO_CONFIRM}/confirm`, (request) => request.headers(JSON_HEADERS))
      .willRespondWith(200, jsonResponse({ status: 'CONFIRMED' }))
      .executeTest(async (server) => {
        assert.equal(await client(server.url).confirm(ORDER_TO_CONFIRM), 'CONFIRMED');
      });
  });

  it('releases a held reservation', async () => {
    await pact
      .addInteraction()
      .given('a reservation is held', { orderId: ORDER_TO_RELEASE, productId: PRODUCT.productId, quantity: 2 })
      .uponReceiving('a request to release a held reservation')
      .withRequest('POST', `/reservations/${ORDER_TO_RELEASE}/release`, (request) => request.headers(JSON_HEADERS))
      .willRespondWith(200, jsonResponse({ status: 'RELEASED' }))
      .executeTest(async (server) => {
        assert.equal(await client(server.url).release(ORDER_TO_RELEASE), 'RELEASED');
      });
  });

  it('is refused confirming a released reservation (409)', async () => {
    await pact
      .addInteraction()
      .given('a reservation is released', { orderId: ORDER_RELEASED, productId: PRODUCT.productId, quantity: 2 })
      .uponReceiving('a request to confirm a released reservation')
      .withRequest('POST', `/reservations/${ORDER_RELEASED}/confirm`, (request) => request.headers(JSON_HEADERS))
      .willRespondWith(
        409,
        problemResponse({
          type: problemType('reservation-conflict'),
          detail: string(`reservation for order '${ORDER_RELEASED}' is RELEASED; it cannot become CONFIRMED`),
        }),
      )
      .executeTest(async (server) => {
        const error = await rejection(client(server.url).confirm(ORDER_RELEASED));
        assert.ok(error instanceof ReservationStateError, 'a ReservationStateError');
        assert.equal(error.status, 409);
        assert.equal(
          error.message,
          `reservation for order '${ORDER_RELEASED}' is RELEASED; it cannot become CONFIRMED`,
        );
      });
  });

  it('is refused releasing a reservation that does not exist (404)', async () => {
    await pact
      .addInteraction()
      .given('no reservation exists', { orderId: ORDER_WITHOUT_RESERVATION })
      .uponReceiving('a request to release a reservation that does not exist')
      .withRequest('POST', `/reservations/${ORDER_WITHOUT_RESERVATION}/release`, (request) =>
        request.headers(JSON_HEADERS),
      )
      .willRespondWith(
        404,
        problemResponse({
          type: problemType('not-found'),
          detail: string(`no reservation for order '${ORDER_WITHOUT_RESERVATION}'`),
        }),
      )
      .executeTest(async (server) => {
        const error = await rejection(client(server.url).release(ORDER_WITHOUT_RESERVATION));
        assert.ok(error instanceof ReservationStateError, 'a ReservationStateError');
        assert.equal(error.status, 404);
        assert.equal(error.message, `no reservation for order '${ORDER_WITHOUT_RESERVATION}'`);
      });
  });
});
