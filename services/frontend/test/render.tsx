import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { App } from '../src/App';
import { createShopApi } from '../src/api/index';
import { CART_STORAGE_KEY } from '../src/cart/CartProvider';
import { serializeCart, type CartLine } from '../src/domain/cart';

/** Renders the whole app at `path`, both APIs pointing at `apiUrl` (a stub server). */
export function renderApp(path: string, apiUrl: string) {
  const api = createShopApi({ productApi: apiUrl, orderApi: apiUrl });
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App api={api} />
    </MemoryRouter>,
  );
}

export function storeCart(lines: readonly CartLine[]): void {
  window.localStorage.setItem(CART_STORAGE_KEY, serializeCart({ lines }));
}

export function storedCartLines(): readonly CartLine[] {
  return (JSON.parse(window.localStorage.getItem(CART_STORAGE_KEY) ?? '{"lines":[]}') as { lines: CartLine[] }).lines;
}

export const MUG_LINE: CartLine = {
  productId: 'kitc-mug',
  name: 'Classic white mug',
  unitPrice: '12.50',
  currency: 'USD',
  quantity: 2,
  imageUrl: null,
};
