/**
 * Pact frontend → product (HTTP), written by driving the storefront's real API client
 * (services/frontend/src/api/products.ts) against the Pact mock server: the catalog list with every filter
 * the storefront sends and its cursor page, one product, and an unknown product (404 problem+json, read
 * by the storefront's ApiError parsing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { ApiError } from '../../../../services/frontend/src/api/problem';
import { ProductApi, type Product } from '../../../../services/frontend/src/api/products';
import {
  CONTRACT_PRODUCT as PRODUCT,
  UNKNOWN_PRODUCT_ID,
  currency,
  jsonResponse,
  money,
  openPact,
  problemResponse,
  problemType,
  rejectionOf,
  utcTimestamp,
} from '../src/contract.js';

const { eachLike, fromProviderState, integer, nullValue, string } = MatchersV3;

const pact = openPact('frontend', 'product');

/** The search the storefront's catalog page sends: every filter, a page of 2 out of 5 matching products. */
const SEARCH = {
  category: 'contract-mugs',
  text: 'mug',
  minPrice: '10.00',
  maxPrice: '20.00',
  limit: 2,
  count: 5,
  price: '12.50',
  currency: 'USD',
  stock: 40,
};
const SEARCH_QUERY = {
  category: SEARCH.category,
  q: SEARCH.text,
  minPrice: SEARCH.minPrice,
  maxPrice: SEARCH.maxPrice,
  inStock: 'true',
  limit: String(SEARCH.limit),
};
/** The same search as the storefront's API client takes it. */
const SEARCH_FILTERS = {
  category: SEARCH.category,
  q: SEARCH.text,
  minPrice: SEARCH.minPrice,
  maxPrice: SEARCH.maxPrice,
  inStock: true,
  limit: SEARCH.limit,
};
// pragma: allowlist nextline secret (a list cursor (base64url JSON), not a secret)
const EXAMPLE_CURSOR = 'eyJ2IjoxLCJmIjoiY29udHJhY3QiLCJjIjoicGFnZS0yIn0';

/** A product as the storefront reads it; `id` and `category` are left to the caller (literal or matched). */
function productBody(fields: { id: unknown; name: string; category: unknown; price: string; stock: number }) {
  return {
    id: fields.id,
    name: string(fields.name),
    description: string('Stoneware mug, 350 ml, dishwasher safe.'),
    category: fields.category,
    price: money(fields.price),
    currency: currency('USD'),
    stock: integer(fields.stock),
    reserved: integer(0),
    // The state creates products without an image.
    imageUrl: nullValue(),
    createdAt: utcTimestamp('2026-11-26T08:00:00.000000Z'),
    updatedAt: utcTimestamp('2026-11-26T08:00:00.000000Z'),
  };
}

const searchPage = (nextCursor: unknown) => ({
  items: eachLike(
    productBody({
      id: string('contract-mugs-1'),
      name: 'Contract mug 1',
      category: string(SEARCH.category),
      price: SEARCH.price,
      stock: SEARCH.stock,
    }),
  ),
  nextCursor,
});

function assertProduct(product: Product): void {
  assert.match(product.price, /^\d+\.\d{2}$/);
  assert.equal(typeof product.stock, 'number');
  assert.equal(product.imageUrl, null);
}

describe('frontend → product', () => {
  it('lists products with every filter and gets a cursor for the next page', async () => {
    await pact
      .addInteraction()
      .given('products exist in a category', SEARCH)
      .uponReceiving('a request for products matching filters')
      .withRequest('GET', '/products', (request) => {
        request.query(SEARCH_QUERY).headers({ Accept: 'application/json, application/problem+json' });
      })
      .willRespondWith(200, jsonResponse(searchPage(string(EXAMPLE_CURSOR))))
      .executeTest(async (server) => {
        const page = await new ProductApi(server.url).listProducts(SEARCH_FILTERS);
        assert.equal(page.items.length, 1);
        for (const product of page.items) assertProduct(product);
        assert.equal(page.nextCursor, EXAMPLE_CURSOR);
      });
  });

  it('reads the next page with the cursor the provider issued', async () => {
    await pact
      .addInteraction()
      .given('products exist in a category', SEARCH)
      .uponReceiving('a request for the next page of products matching filters')
      .withRequest('GET', '/products', (request) => {
        request
          .query({ ...SEARCH_QUERY, cursor: fromProviderState('${cursor}', EXAMPLE_CURSOR) })
          .headers({ Accept: 'application/json, application/problem+json' });
      })
      // 5 matching products in pages of 2: the second page has a third after it.
      .willRespondWith(200, jsonResponse(searchPage(string('eyJ2IjoxfQ'))))
      .executeTest(async (server) => {
        const page = await new ProductApi(server.url).listProducts({ ...SEARCH_FILTERS, cursor: EXAMPLE_CURSOR });
        assert.equal(page.items.length, 1);
        assert.equal(typeof page.nextCursor, 'string');
      });
  });

  it('gets one product', async () => {
    await pact
      .addInteraction()
      .given('a product exists', PRODUCT)
      .uponReceiving('a request for a product')
      .withRequest('GET', `/products/${PRODUCT.productId}`, (request) => {
        request.headers({ Accept: 'application/json, application/problem+json' });
      })
      .willRespondWith(
        200,
        jsonResponse(
          productBody({
            id: PRODUCT.productId,
            name: PRODUCT.name,
            category: PRODUCT.category,
            price: PRODUCT.price,
            stock: PRODUCT.stock,
          }),
        ),
      )
      .executeTest(async (server) => {
        const product = await new ProductApi(server.url).getProduct(PRODUCT.productId);
        assert.equal(product.id, PRODUCT.productId);
        assert.equal(product.category, PRODUCT.category);
        assertProduct(product);
      });
  });

  it('gets an unknown product as a 404 problem the storefront can explain', async () => {
    await pact
      .addInteraction()
      .given('no product exists', { productId: UNKNOWN_PRODUCT_ID })
      .uponReceiving('a request for a product that does not exist')
      .withRequest('GET', `/products/${UNKNOWN_PRODUCT_ID}`, (request) => {
        request.headers({ Accept: 'application/json, application/problem+json' });
      })
      .willRespondWith(
        404,
        problemResponse({
          type: problemType('not-found'),
          title: string('Not found'),
          status: 404,
          detail: string(`product '${UNKNOWN_PRODUCT_ID}' does not exist`),
        }),
      )
      .executeTest(async (server) => {
        const error = await rejectionOf(new ProductApi(server.url).getProduct(UNKNOWN_PRODUCT_ID));
        assert.ok(error instanceof ApiError, 'an ApiError');
        assert.equal(error.kind, 'problem');
        assert.equal(error.status, 404);
        assert.equal(error.slug, 'not-found');
        assert.equal(error.retryable, false);
        assert.equal(error.problem?.title, 'Not found');
        assert.equal(error.message, `product '${UNKNOWN_PRODUCT_ID}' does not exist`);
      });
  });
});
