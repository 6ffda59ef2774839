import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp, storedCartLines } from '../../test/render';
import { aProduct, startStubApi, type StubApi } from '../../test/stub-api';

let stub: StubApi;
beforeEach(async () => {
  stub = await startStubApi();
  stub.on('GET /products/kitc-mug', () => ({ status: 200, body: aProduct({ stock: 3 }) }));
});
afterEach(() => stub.close());

describe('the cart against a stub product service', () => {
  it('keeps what was added across a reload', async () => {
    const user = userEvent.setup();
    const first = renderApp('/products/kitc-mug', stub.url);
    const quantity = await screen.findByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '2');
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Added 2 × Classic white mug to your cart.');
    first.unmount();

    renderApp('/cart', stub.url);
    expect(screen.getByRole('link', { name: 'Cart, 2 items' })).toBeInTheDocument();
    expect(screen.getByLabelText('Quantity of Classic white mug')).toHaveValue(2);
    expect(screen.getByLabelText('Line total for Classic white mug')).toHaveTextContent('$25.00');
    expect(storedCartLines()).toHaveLength(1);
  });

  it('will not add more than the stock', async () => {
    const user = userEvent.setup();
    renderApp('/products/kitc-mug', stub.url);
    const quantity = await screen.findByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '5');
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You can add at most 3 more (3 in stock, 0 in your cart).',
    );
    expect(storedCartLines()).toEqual([]);
  });

  it('changes quantities and removes lines, updating the total', async () => {
    const user = userEvent.setup();
    window.localStorage.setItem(
      'contoso-shop.cart',
      JSON.stringify({
        lines: [
          { productId: 'kitc-mug', name: 'Mug', unitPrice: '0.10', currency: 'USD', quantity: 1, imageUrl: null },
        ],
      }),
    );
    renderApp('/cart', stub.url);
    const quantity = screen.getByLabelText('Quantity of Mug');
    await user.clear(quantity);
    await user.type(quantity, '3');
    expect(screen.getByText('$0.30', { selector: 'dd' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Remove Mug' }));
    expect(screen.getByRole('heading', { name: 'Your cart is empty' })).toBeInTheDocument();
  });
});
