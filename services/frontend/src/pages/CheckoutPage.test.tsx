import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MUG_LINE, renderApp, storeCart, storedCartLines } from '../../test/render';
import { aProduct, anOrder, problem, startStubApi, type StubApi } from '../../test/stub-api';

let stub: StubApi;
beforeEach(async () => {
  stub = await startStubApi();
  stub.on(/^GET \/products\//, () => ({ status: 200, body: aProduct() }));
  storeCart([MUG_LINE]);
});
afterEach(() => stub.close());

async function fillValidForm(user: ReturnType<typeof userEvent.setup>, card = '4242 4242 4242 4242') {
  await user.type(screen.getByLabelText('Email address'), 'ada@example.com');
  await user.type(screen.getByLabelText('Full name'), 'Ada Lovelace');
  await user.type(screen.getByLabelText('Card number'), card);
}

/** Renders the checkout, fills it in validly and places the order; returns the user for what follows. */
async function submitValidOrder() {
  const user = userEvent.setup();
  renderApp('/checkout', stub.url);
  await fillValidForm(user);
  await user.click(screen.getByRole('button', { name: 'Place order' }));
  return user;
}

const orderPosts = () => stub.requests.filter((request) => request.method === 'POST' && request.path === '/orders');

describe('CheckoutPage', () => {
  it('shows what is wrong with each field of an empty form and sends nothing', async () => {
    const user = userEvent.setup();
    renderApp('/checkout', stub.url);
    await user.click(screen.getByRole('button', { name: 'Place order' }));

    const summary = await screen.findByRole('alert');
    expect(within(summary).getByText('Please correct the following')).toBeInTheDocument();
    expect(summary).toHaveFocus();
    expect(screen.getByLabelText('Email address')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Email address')).toHaveAccessibleDescription('Enter your email address.');
    expect(screen.getByLabelText('Card number')).toHaveAccessibleDescription(/Enter your card number/);
    expect(screen.getByLabelText('Phone number (optional)')).toHaveAttribute('aria-invalid', 'false');
    expect(orderPosts()).toHaveLength(0);
  });

  it('places the order, clears the cart and follows the status to PAID (stub order service)', async () => {
    stub.on('POST /orders', () => ({ status: 201, body: anOrder('PENDING_PAYMENT') }));
    stub.on('GET /orders/ord_7f3a9c', () => ({ status: 200, body: anOrder('PAID') }));
    await submitValidOrder();

    expect(await screen.findByRole('heading', { name: 'Thank you for your order' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('order-status')).toHaveAttribute('data-status', 'PAID'));
    expect(screen.getByText('A confirmation email is on its way to ada@example.com.')).toBeInTheDocument();
    const [post] = orderPosts();
    expect(post?.body).toEqual({
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
      items: [{ productId: 'kitc-mug', quantity: 2 }],
      paymentMethod: { type: 'card', token: '4242424242424242' },
    });
    expect(post?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(storedCartLines()).toEqual([]);
  });

  it("puts the order service's field errors next to the fields they name (stub order service)", async () => {
    stub.on('POST /orders', () => ({
      status: 422,
      body: problem(422, 'Validation failed', 'invalid: customer.email, items[0].quantity', 'validation-failed', {
        errors: [
          { in: 'body', field: 'customer.email', pointer: '/customer/email', message: 'Invalid email address' },
          {
            in: 'body',
            field: 'items[0].quantity',
            pointer: '/items/0/quantity',
            message: 'Too big: expected number to be <=1000',
          },
        ],
      }),
    }));
    await submitValidOrder();

    const summary = await screen.findByRole('alert');
    expect(within(summary).getByRole('link', { name: 'Email address: Invalid email address' })).toHaveAttribute(
      'href',
      expect.stringMatching(/^#/),
    );
    expect(
      within(summary).getByText('Quantity of "Classic white mug": Too big: expected number to be <=1000'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Email address')).toHaveAttribute('aria-invalid', 'true');
    expect(storedCartLines()).toHaveLength(1);
  });

  it('sends the same Idempotency-Key again when the same order is retried after a failure (stub order service)', async () => {
    let calls = 0;
    stub.on('POST /orders', () => {
      calls += 1;
      return calls === 1
        ? { status: 503, body: problem(503, 'Service unavailable', 'product service unavailable') }
        : { status: 201, body: anOrder() };
    });
    stub.on('GET /orders/ord_7f3a9c', () => ({ status: 200, body: anOrder('PAID') }));
    const user = await submitValidOrder();

    expect(await screen.findByText('The shop is having trouble')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Place order again' }));
    expect(await screen.findByRole('heading', { name: 'Thank you for your order' })).toBeInTheDocument();
    const keys = orderPosts().map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('explains a stock shortage by product name and links back to the cart (stub order service)', async () => {
    stub.on('POST /orders', () => ({
      status: 422,
      body: problem(422, 'Item cannot be ordered', "only 1 of 'kitc-mug' left", 'insufficient-stock', {
        productId: 'kitc-mug',
        available: 1,
        errors: [
          {
            in: 'body',
            field: 'items[0].productId',
            pointer: '/items/0/productId',
            message: "only 1 of 'kitc-mug' left",
          },
        ],
      }),
    }));
    await submitValidOrder();

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Not enough stock')).toBeInTheDocument();
    expect(within(alert).getByText('Only 1 of "Classic white mug" is left.')).toBeInTheDocument();
    expect(within(alert).getByRole('link', { name: 'Change your cart' })).toHaveAttribute('href', '/cart');
    expect(within(alert).queryByRole('button', { name: 'Place order again' })).not.toBeInTheDocument();
  });

  it('shows an empty state when the cart is empty', () => {
    storeCart([]);
    renderApp('/checkout', stub.url);
    expect(screen.getByRole('heading', { name: 'Your cart is empty' })).toBeInTheDocument();
  });
});
