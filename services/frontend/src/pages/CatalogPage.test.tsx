import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderApp } from '../../test/render';
import { aProduct, startStubApi, type StubApi } from '../../test/stub-api';

let stub: StubApi;
beforeEach(async () => {
  stub = await startStubApi();
  stub.on('GET /categories', () => ({
    status: 200,
    body: [
      { name: 'kitchen', productCount: 3 },
      { name: 'garden', productCount: 1 },
    ],
  }));
  stub.on('GET /products', (request) => {
    if (request.query.get('q') === 'nothing') return { status: 200, body: { items: [], nextCursor: null } };
    if (request.query.get('cursor') === 'page-2') {
      return { status: 200, body: { items: [aProduct({ id: 'kitc-pan', name: 'Pan', stock: 0 })], nextCursor: null } };
    }
    return {
      status: 200,
      body: { items: [aProduct(), aProduct({ id: 'kitc-bowl', name: 'Bowl', price: '7.05' })], nextCursor: 'page-2' },
    };
  });
});
afterEach(() => stub.close());

const productRequests = () => stub.requests.filter((request) => request.path === '/products');

describe('CatalogPage against a stub product service', () => {
  it('lists products with prices and pages on with the cursor', async () => {
    const user = userEvent.setup();
    renderApp('/', stub.url);
    const list = await screen.findByRole('list', { name: 'Products' });
    expect(within(list).getByText('Classic white mug')).toBeInTheDocument();
    expect(within(list).getByText('$7.05')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await screen.findByText('Pan')).toBeInTheDocument();
    expect(screen.getByText('Out of stock')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
    expect(productRequests().at(-1)?.query.get('cursor')).toBe('page-2');
  });

  it('searches by text and category', async () => {
    const user = userEvent.setup();
    renderApp('/', stub.url);
    await screen.findByText('Classic white mug');
    await user.type(screen.getByLabelText('Search products'), 'mug');
    await user.selectOptions(screen.getByLabelText('Category'), 'kitchen');
    await user.click(screen.getByLabelText('In stock only'));
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => {
      expect(productRequests().at(-1)?.query.toString()).toBe('category=kitchen&q=mug&inStock=true&limit=12');
    });
  });

  it('shows an empty state when nothing matches', async () => {
    const user = userEvent.setup();
    renderApp('/', stub.url);
    await screen.findByText('Classic white mug');
    await user.type(screen.getByLabelText('Search products'), 'nothing');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('heading', { name: 'No products match' })).toBeInTheDocument();
  });

  it('refuses a price range that is upside down without asking the server', async () => {
    const user = userEvent.setup();
    renderApp('/', stub.url);
    await screen.findByText('Classic white mug');
    const before = productRequests().length;
    await user.type(screen.getByLabelText('Lowest price'), '50');
    await user.type(screen.getByLabelText('Highest price'), '10');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Lowest price must not be above highest price.');
    expect(productRequests()).toHaveLength(before);
  });

  it('explains a failure and retries', async () => {
    const down = await startStubApi();
    await down.close();
    const user = userEvent.setup();
    renderApp('/', down.url);
    expect(await screen.findByRole('heading', { name: 'We could not reach the shop' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'We could not reach the shop' })).toBeInTheDocument();
  });
});
