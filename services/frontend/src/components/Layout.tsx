import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useCart } from '../cart/context';
import { itemCount } from '../domain/cart';

export function Layout() {
  const { cart } = useCart();
  const count = itemCount(cart);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After a client-side navigation, move focus to the new page (as a full page load would), so keyboard
  // and screen-reader users start at its content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <NavLink to="/" className="brand">
          Contoso Shop
        </NavLink>
        <nav aria-label="Main">
          <ul className="nav">
            <li>
              <NavLink to="/" end>
                Catalog
              </NavLink>
            </li>
            <li>
              <NavLink to="/orders">Orders</NavLink>
            </li>
            <li>
              <NavLink to="/cart" aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}>
                Cart <span className="cart-count">{count}</span>
              </NavLink>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Contoso Shop</p>
      </footer>
    </>
  );
}
