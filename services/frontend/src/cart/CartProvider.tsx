/** The cart as React state, persisted in localStorage and kept in step across tabs. */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  EMPTY_CART,
  addToCart,
  parseCart,
  removeFromCart,
  serializeCart,
  setQuantity,
  type Cart,
} from '../domain/cart';
import { CartContext, type CartActions } from './context';

export const CART_STORAGE_KEY = 'contoso-shop.cart';

function readStored(storage: Storage | undefined): Cart {
  try {
    return parseCart(storage?.getItem(CART_STORAGE_KEY) ?? null);
  } catch {
    return EMPTY_CART;
  }
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled (privacy mode): the cart still works for this page's life
  }
}

export function CartProvider({ children }: { children: ReactNode }) {
  const storage = safeStorage();
  const [cart, setCart] = useState<Cart>(() => readStored(storage));

  const update = useCallback(
    (change: (current: Cart) => Cart) => {
      setCart((current) => {
        const next = change(current);
        try {
          storage?.setItem(CART_STORAGE_KEY, serializeCart(next));
        } catch {
          // Quota exceeded or storage disabled: keep the in-memory cart rather than fail the click.
        }
        return next;
      });
    },
    [storage],
  );

  useEffect(() => {
    function onStorage(event: StorageEvent): void {
      if (event.key === CART_STORAGE_KEY) setCart(parseCart(event.newValue));
    }
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener('storage', onStorage);
    };
  }, []);

  const actions = useMemo<CartActions>(
    () => ({
      cart,
      add: (product, quantity = 1) => {
        update((current) => addToCart(current, product, quantity));
      },
      setQuantity: (productId, quantity) => {
        update((current) => setQuantity(current, productId, quantity));
      },
      remove: (productId) => {
        update((current) => removeFromCart(current, productId));
      },
      replace: (lines) => {
        update(() => ({ lines }));
      },
      clear: () => {
        update(() => EMPTY_CART);
      },
    }),
    [cart, update],
  );
  return <CartContext.Provider value={actions}>{children}</CartContext.Provider>;
}
