/**
 * Placing an order prices its lines from the reservation's answer (the product's price when its stock was
 * held), against the real product service behind a recording proxy: no product is read, a currency mismatch
 * found in the answer releases the reservation before the refusal, and the answer of a product service older
 * than the priced reservations (the proxy leaves the prices out) is priced by reading the products.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrderPublicSchema } from '../../api/orders/order.model.js';
import {
  ProblemBodySchema,
  createProduct,
  orderBody,
  postOrder,
  productService,
  productStock,
  reservationStatus,
  startOrderApp,
  useProductService,
  type OrderApp,
} from '../../../test/helpers.js';
import { startProductProxy, type ProductProxy } from '../../../test/product-proxy.js';

useProductService();

describe('pricing an order', () => {
  let proxy: ProductProxy;
  let app: OrderApp;
  let olderProxy: ProductProxy;
  let olderApp: OrderApp;
  before(async () => {
    proxy = await startProductProxy(productService());
    app = await startOrderApp({ productUrl: proxy.url });
    olderProxy = await startProductProxy(productService(), { withoutPrices: true });
    olderApp = await startOrderApp({ productUrl: olderProxy.url });
  });
  after(async () => {
    await app.close();
    await olderApp.close();
    await proxy.close();
    await olderProxy.close();
  });

  it('test_an_order_is_priced_from_its_reservation_without_reading_the_products', async () => {
    const mug = await createProduct({ price: '12.50', stock: 5 });
    const pot = await createProduct({ price: '34.00', stock: 2 });
    proxy.calls.length = 0;

    const created = await postOrder(
      app,
      orderBody([
        { productId: pot, quantity: 1, unitPrice: '0.01' },
        { productId: mug, quantity: 2 },
      ]),
    );

    assert.equal(created.status, 201, JSON.stringify(created.body));
    const order = OrderPublicSchema.parse(created.body);
    assert.deepEqual(
      order.items.map((item) => [item.productId, item.unitPrice, item.lineTotal]),
      [
        [pot, '34.00', '34.00'],
        [mug, '12.50', '25.00'],
      ],
    );
    assert.deepEqual(order.total, { value: '59.00', currency: 'USD' });
    assert.deepEqual(proxy.calls, ['POST /reservations']);
  });

  it('test_a_currency_mismatch_releases_the_reservation_and_is_422_naming_the_item', async () => {
    const mug = await createProduct({ price: '12.50', currency: 'USD', stock: 5 });
    const tea = await createProduct({ price: '4.00', currency: 'EUR', stock: 5 });
    proxy.calls.length = 0;

    const refused = await postOrder(
      app,
      orderBody([
        { productId: mug, quantity: 2 },
        { productId: tea, quantity: 1 },
      ]),
    );

    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    const problem = ProblemBodySchema.parse(refused.body);
    assert.equal(problem.type, 'https://contoso-shop.example/problems/currency-mismatch');
    assert.equal(problem['productId'], tea);
    assert.equal(problem.errors?.[0]?.field, 'items[1].productId');
    const [reserve, release] = proxy.calls;
    assert.equal(reserve, 'POST /reservations');
    const released = /^POST \/reservations\/([0-9a-f-]{36})\/release$/.exec(release ?? '');
    assert.ok(released?.[1] !== undefined, `a release after the reservation: ${JSON.stringify(proxy.calls)}`);
    assert.equal(await reservationStatus(released[1]), 'RELEASED');
    assert.deepEqual(await productStock(mug), { stock: 5, reserved: 0 });
    assert.deepEqual(await productStock(tea), { stock: 5, reserved: 0 });
  });

  it('test_a_reservation_answered_without_prices_is_priced_by_reading_the_products', async () => {
    const mug = await createProduct({ price: '12.50', stock: 5 });
    const pot = await createProduct({ price: '34.00', stock: 2 });
    olderProxy.calls.length = 0;

    const created = await postOrder(
      olderApp,
      orderBody([
        { productId: mug, quantity: 2 },
        { productId: pot, quantity: 2 },
      ]),
    );

    assert.equal(created.status, 201, JSON.stringify(created.body));
    const order = OrderPublicSchema.parse(created.body);
    assert.deepEqual(order.total, { value: '93.00', currency: 'USD' });
    assert.deepEqual(
      order.items.map((item) => [item.productId, item.unitPrice]),
      [
        [mug, '12.50'],
        [pot, '34.00'],
      ],
    );
    assert.deepEqual(
      [...olderProxy.calls].sort(),
      ['POST /reservations', `GET /products/${mug}`, `GET /products/${pot}`].sort(),
    );
    // The stock the reservation holds is not checked again against what the product has left (none).
    assert.deepEqual(await productStock(pot), { stock: 0, reserved: 2 });
  });

  it('test_a_currency_mismatch_found_by_reading_the_products_also_releases_the_reservation', async () => {
    const mug = await createProduct({ price: '12.50', currency: 'USD', stock: 5 });
    const tea = await createProduct({ price: '4.00', currency: 'EUR', stock: 5 });

    const refused = await postOrder(
      olderApp,
      orderBody([
        { productId: tea, quantity: 1 },
        { productId: mug, quantity: 1 },
      ]),
    );

    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    const problem = ProblemBodySchema.parse(refused.body);
    assert.equal(problem.type, 'https://contoso-shop.example/problems/currency-mismatch');
    assert.equal(problem.errors?.[0]?.field, 'items[1].productId');
    assert.deepEqual(await productStock(mug), { stock: 5, reserved: 0 });
    assert.deepEqual(await productStock(tea), { stock: 5, reserved: 0 });
  });
});
