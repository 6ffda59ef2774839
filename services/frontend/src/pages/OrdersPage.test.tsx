import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp } from '../../test/render';
import { anOrder, problem, startStubApi, type StubApi } from '../../test/stub-api';

let stub: StubApi;
beforeEach(async () => {
  stub = await startStubApi();
  stub.on('GET /orders', (request) => {
    const email = request.query.get('customerEmail');
    if (email === 'nobody@example.com') return { status: 200, body: { items: [], nextCursor: null } };
    if (email === 'broken@example.com') {
      return { status: 503, body: problem(503, 'Service unavailable', 'database unavailable') };
    }
    if (request.query.get('cursor') === 'older') {
      return { status: 200, body: { items: [anOrder('CANCELLED', { id: 'ord_old' })], nextCursor: null } };
    }
    return {
      status: 200,
      body: {
        items: [anOrder('PAID', { id: 'ord_new' }), anOrder('PAYMENT_FAILED', { id: 'ord_mid' })],
        nextCursor: 'older',
      },
    };
  });
});
afterEach(() => stub.close());

describe('OrdersPage against a stub order service', () => {
  it('lists the orders for an email and pages to older ones', async () => {
    const user = userEvent.setup();
    renderApp('/orders', stub.url);
    await user.type(screen.getByLabelText('Email address used at checkout'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Show orders' }));

    const newest = await screen.findByRole('link', { name: 'Order ord_new' });
    expect(within(newest.closest('li') as HTMLElement).getByText('Paid')).toBeInTheDocument();
    expect(within(newest.closest('li') as HTMLElement).getByText('2 items, $25.00')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Order ord_mid' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Show older orders' }));
    expect(await screen.findByRole('link', { name: 'Order ord_old' })).toBeInTheDocument();
    expect(screen.getAllByRole('listitem').filter((item) => item.classList.contains('order-list__item'))).toHaveLength(
      3,
    );
    expect(screen.queryByRole('button', { name: 'Show older orders' })).not.toBeInTheDocument();
    expect(stub.requests.at(-1)?.query.get('customerEmail')).toBe('ada@example.com');
  });

  it('says when an email has no orders', async () => {
    renderApp('/orders?email=nobody%40example.com', stub.url);
    expect(await screen.findByRole('heading', { name: 'No orders yet' })).toBeInTheDocument();
    expect(screen.getByText('We found no orders for nobody@example.com.')).toBeInTheDocument();
  });

  it('checks the email before asking the server', async () => {
    const user = userEvent.setup();
    renderApp('/orders', stub.url);
    await user.type(screen.getByLabelText('Email address used at checkout'), 'ada@');
    await user.click(screen.getByRole('button', { name: 'Show orders' }));
    expect(screen.getByLabelText('Email address used at checkout')).toHaveAccessibleDescription(
      'Enter an email address like name@example.com.',
    );
    expect(stub.requests).toHaveLength(0);
  });

  it('explains a failure with a retry', async () => {
    renderApp('/orders?email=broken%40example.com', stub.url);
    expect(await screen.findByRole('heading', { name: 'The shop is having trouble' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
