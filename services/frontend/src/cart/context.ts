/** The cart's context and hook; <CartProvider> (CartProvider.tsx) holds the state. */
import { createContext, useContext } from 'react';
import type { Cart, CartLine, CartProduct } from '../domain/cart';

export interface CartActions {
  readonly cart: Cart;
  readonly add: (product: CartProduct, quantity?: number) => void;
  readonly setQuantity: (productId: string, quantity: number) => void;
  readonly remove: (productId: string) => void;
  readonly replace: (lines: readonly CartLine[]) => void;
  readonly clear: () => void;
}

export const CartContext = createContext<CartActions | undefined>(undefined);

export function useCart(): CartActions {
  const context = useContext(CartContext);
  if (context === undefined) throw new Error('useCart needs a <CartProvider> above it');
  return context;
}
