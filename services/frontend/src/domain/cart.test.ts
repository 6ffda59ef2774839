import { describe, expect, it } from 'vitest';
import {
  CartFullError,
  EMPTY_CART,
  MAX_LINES,
  MAX_QUANTITY,
  addToCart,
  cartTotals,
  itemCount,
  lineTotalMinor,
  parseCart,
  removeFromCart,
  serializeCart,
  setQuantity,
  type Cart,
  type CartProduct,
} from './cart';

const mug: CartProduct = { id: 'kitc-mug', name: 'Mug', price: '12.50', currency: 'USD', imageUrl: null };
const pan: CartProduct = {
  id: 'kitc-pan',
  name: 'Pan',
  price: '0.10',
  currency: 'USD',
  imageUrl: '/products/kitc-pan/image',
};

describe('addToCart', () => {
  it('adds a new line', () => {
    const cart = addToCart(EMPTY_CART, mug, 2);
    expect(cart.lines).toEqual([
      { productId: 'kitc-mug', name: 'Mug', unitPrice: '12.50', currency: 'USD', quantity: 2, imageUrl: null },
    ]);
  });

  it('merges the same product into one line', () => {
    const cart = addToCart(addToCart(EMPTY_CART, mug, 1), mug, 3);
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]?.quantity).toBe(4);
  });

  it('caps the quantity at the stock', () => {
    const cart = addToCart(addToCart(EMPTY_CART, { ...mug, stock: 3 }, 2), { ...mug, stock: 3 }, 5);
    expect(cart.lines[0]?.quantity).toBe(3);
  });

  it('caps the quantity at what one order may hold', () => {
    expect(addToCart(EMPTY_CART, mug, MAX_QUANTITY + 5).lines[0]?.quantity).toBe(MAX_QUANTITY);
  });

  it('adds nothing for a zero quantity', () => {
    expect(addToCart(EMPTY_CART, mug, 0)).toBe(EMPTY_CART);
  });

  it('refuses a product beyond the line limit', () => {
    let cart: Cart = EMPTY_CART;
    for (let index = 0; index < MAX_LINES; index += 1) cart = addToCart(cart, { ...mug, id: `p-${index}` });
    expect(() => addToCart(cart, pan)).toThrow(CartFullError);
  });

  it('does not change the cart it was given', () => {
    const before = addToCart(EMPTY_CART, mug, 1);
    addToCart(before, mug, 1);
    expect(before.lines[0]?.quantity).toBe(1);
  });
});

describe('setQuantity and removeFromCart', () => {
  it('sets a quantity', () => {
    expect(setQuantity(addToCart(EMPTY_CART, mug, 1), 'kitc-mug', 7).lines[0]?.quantity).toBe(7);
  });

  it('removes the line when the quantity becomes zero', () => {
    expect(setQuantity(addToCart(EMPTY_CART, mug, 1), 'kitc-mug', 0).lines).toEqual([]);
  });

  it('removes a line', () => {
    const cart = addToCart(addToCart(EMPTY_CART, mug), pan);
    expect(removeFromCart(cart, 'kitc-mug').lines.map((line) => line.productId)).toEqual(['kitc-pan']);
  });
});

describe('cart math', () => {
  it('totals lines in integer minor units', () => {
    const cart = addToCart(addToCart(EMPTY_CART, mug, 3), pan, 3);
    expect(cart.lines.map((line) => lineTotalMinor(line))).toEqual([3750, 30]);
    expect(cartTotals(cart)).toEqual([{ currency: 'USD', minor: 3780 }]);
    expect(itemCount(cart)).toBe(6);
  });

  it('keeps one total per currency', () => {
    const cart = addToCart(addToCart(EMPTY_CART, mug, 1), { ...pan, currency: 'EUR' }, 2);
    expect(cartTotals(cart)).toEqual([
      { currency: 'USD', minor: 1250 },
      { currency: 'EUR', minor: 20 },
    ]);
  });

  it('totals an empty cart as nothing', () => {
    expect(cartTotals(EMPTY_CART)).toEqual([]);
    expect(itemCount(EMPTY_CART)).toBe(0);
  });
});

describe('parseCart', () => {
  it('reads back what it stored', () => {
    const cart = addToCart(addToCart(EMPTY_CART, mug, 2), pan, 1);
    expect(parseCart(serializeCart(cart))).toEqual(cart);
  });

  it.each([null, '', 'not json', '42', '{"lines": "x"}', '[]'])('gives an empty cart for %j', (stored) => {
    expect(parseCart(stored)).toEqual(EMPTY_CART);
  });

  it('drops invalid and repeated lines but keeps the good ones', () => {
    const good = { productId: 'a', name: 'A', unitPrice: '1.00', currency: 'USD', quantity: 1, imageUrl: null };
    const stored = JSON.stringify({
      lines: [
        good,
        { ...good, quantity: 0 },
        { ...good, productId: 'b', unitPrice: '1.5.0' },
        { ...good, quantity: 9 },
        { ...good, productId: 'c', quantity: 2.5 },
      ],
    });
    expect(parseCart(stored).lines).toEqual([good]);
  });
});
