import { Link, Route, Routes } from 'react-router';
import { ApiProvider } from './api/ApiProvider';
import type { ShopApi } from './api/index';
import { CartProvider } from './cart/CartProvider';
import { Empty } from './components/Feedback';
import { Layout } from './components/Layout';
import { CartPage } from './pages/CartPage';
import { CatalogPage } from './pages/CatalogPage';
import { CheckoutPage } from './pages/CheckoutPage';
import { OrderPage } from './pages/OrderPage';
import { OrdersPage } from './pages/OrdersPage';
import { ProductPage } from './pages/ProductPage';

function NotFound() {
  return (
    <Empty title="Page not found">
      <p>
        <Link to="/">Go to the catalog</Link>
      </p>
    </Empty>
  );
}

/** The app without a router, so tests can wrap it in a MemoryRouter. */
export function App({ api }: { api: ShopApi }) {
  return (
    <ApiProvider api={api}>
      <CartProvider>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<CatalogPage />} />
            <Route path="products/:id" element={<ProductPage />} />
            <Route path="cart" element={<CartPage />} />
            <Route path="checkout" element={<CheckoutPage />} />
            <Route path="orders" element={<OrdersPage />} />
            <Route path="orders/:id" element={<OrderPage />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </CartProvider>
    </ApiProvider>
  );
}
