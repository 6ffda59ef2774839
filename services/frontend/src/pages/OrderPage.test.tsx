import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp, storedCartLines } from '../../test/render';
import { aProduct, anOrder, startStubApi, type StubApi } from '../../test/stub-api';

let stub: StubApi;
beforeEach(async () => {
  stub = await startStubApi();
  stub.on('GET /products/kitc-mug', () => ({ status: 200, body: aProduct() }));
});
afterEach(() => stub.close());

const orderReads = () =>
  stub.requests.filter((request) => request.path === '/orders/ord_7f3a9c' && request.method === 'GET').length;

describe('OrderPage against a stub order service', () => {
  it('shows the status live until the payment fails, then offers a retry that refills the cart', async () => {
    let reads = 0;
    stub.on('GET /orders/ord_7f3a9c', () => {
      reads += 1;
      return {
        status: 200,
        body: reads === 1 ? anOrder('PENDING_PAYMENT') : anOrder('PAYMENT_FAILED', { statusReason: 'declined' }),
      };
    });
    const user = userEvent.setup();
    renderApp('/orders/ord_7f3a9c', stub.url);

    await waitFor(() => expect(screen.getByTestId('order-status')).toHaveAttribute('data-status', 'PENDING_PAYMENT'));
    expect(screen.getByText('Waiting for the payment result…')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('order-status')).toHaveAttribute('data-status', 'PAYMENT_FAILED'), {
      timeout: 3000,
    });
    expect(screen.getByText('Your card was declined by the bank.')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Classic white mug' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Try again with another card' }));
    expect(await screen.findByRole('heading', { name: 'Checkout' })).toBeInTheDocument();
    expect(storedCartLines()).toEqual([
      {
        productId: 'kitc-mug',
        name: 'Classic white mug',
        unitPrice: '12.50',
        currency: 'USD',
        quantity: 2,
        imageUrl: '/products/kitc-mug/image',
      },
    ]);
    expect(orderReads()).toBe(2);
  });

  it('reads a settled order once and stops', async () => {
    stub.on('GET /orders/ord_7f3a9c', () => ({ status: 200, body: anOrder('PAID') }));
    renderApp('/orders/ord_7f3a9c', stub.url);
    await waitFor(() => expect(screen.getByTestId('order-status')).toHaveAttribute('data-status', 'PAID'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(orderReads()).toBe(1);
  });

  it('cancels an order after confirmation', async () => {
    stub.on('GET /orders/ord_7f3a9c', () => ({ status: 200, body: anOrder('PAID') }));
    stub.on('POST /orders/ord_7f3a9c/cancel', () => ({ status: 200, body: anOrder('CANCELLED') }));
    const user = userEvent.setup();
    renderApp('/orders/ord_7f3a9c', stub.url);
    await user.click(await screen.findByRole('button', { name: 'Cancel order' }));
    expect(screen.getByText('Cancel this order? The payment will be refunded.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Yes, cancel the order' }));
    await waitFor(() => expect(screen.getByTestId('order-status')).toHaveAttribute('data-status', 'CANCELLED'));
    expect(screen.queryByRole('button', { name: 'Cancel order' })).not.toBeInTheDocument();
  });

  it('says so when the order does not exist', async () => {
    renderApp('/orders/ord_7f3a9c', stub.url);
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeInTheDocument();
    expect(orderReads()).toBe(1);
  });
});
