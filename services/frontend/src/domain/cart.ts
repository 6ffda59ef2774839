/**
 * The cart: pure functions over an immutable value, persisted as JSON in localStorage. Prices in the cart
 * are the catalog's at the time of adding, shown for guidance only: the order service re-prices every item.
 */
import { addMinor, multiplyMinor, toMinorUnits } from './money';

/** The order service accepts at most this many units of one product and this many lines per order. */
export const MAX_QUANTITY = 1000;
export const MAX_LINES = 50;

export interface CartLine {
  readonly productId: string;
  readonly name: string;
  /** Decimal string, e.g. "12.50". */
  readonly unitPrice: string;
  readonly currency: string;
  readonly quantity: number;
  readonly imageUrl: string | null;
}

export interface Cart {
  readonly lines: readonly CartLine[];
}

export const EMPTY_CART: Cart = { lines: [] };

export interface CartProduct {
  readonly id: string;
  readonly name: string;
  readonly price: string;
  readonly currency: string;
  readonly imageUrl: string | null;
  /** Units available; caps the quantity when known. */
  readonly stock?: number | undefined;
}

function clampQuantity(quantity: number, limit = MAX_QUANTITY): number {
  if (!Number.isFinite(quantity)) return 0;
  return Math.max(0, Math.min(Math.trunc(quantity), limit, MAX_QUANTITY));
}

export class CartFullError extends Error {
  constructor() {
    super(`an order holds at most ${MAX_LINES} different products`);
    this.name = 'CartFullError';
  }
}

export function addToCart(cart: Cart, product: CartProduct, quantity = 1): Cart {
  const limit = product.stock ?? MAX_QUANTITY;
  const existing = cart.lines.find((line) => line.productId === product.id);
  if (existing === undefined) {
    if (cart.lines.length >= MAX_LINES) throw new CartFullError();
    const added = clampQuantity(quantity, limit);
    if (added === 0) return cart;
    const line: CartLine = {
      productId: product.id,
      name: product.name,
      unitPrice: product.price,
      currency: product.currency,
      quantity: added,
      imageUrl: product.imageUrl,
    };
    return { lines: [...cart.lines, line] };
  }
  const merged = clampQuantity(existing.quantity + quantity, limit);
  return {
    lines: cart.lines.map((line) =>
      line.productId === product.id
        ? { ...line, name: product.name, unitPrice: product.price, currency: product.currency, quantity: merged }
        : line,
    ),
  };
}

/** Sets a line's quantity; zero (or less) removes the line. */
export function setQuantity(cart: Cart, productId: string, quantity: number): Cart {
  const next = clampQuantity(quantity);
  if (next === 0) return removeFromCart(cart, productId);
  return { lines: cart.lines.map((line) => (line.productId === productId ? { ...line, quantity: next } : line)) };
}

export function removeFromCart(cart: Cart, productId: string): Cart {
  return { lines: cart.lines.filter((line) => line.productId !== productId) };
}

export function lineTotalMinor(line: CartLine): number {
  return multiplyMinor(toMinorUnits(line.unitPrice), line.quantity);
}

export interface Total {
  readonly currency: string;
  readonly minor: number;
}

/** The cart's totals, one per currency (normally one), in the order the currencies first appear. */
export function cartTotals(cart: Cart): readonly Total[] {
  const totals = new Map<string, number>();
  for (const line of cart.lines) {
    totals.set(line.currency, addMinor(totals.get(line.currency) ?? 0, lineTotalMinor(line)));
  }
  return [...totals].map(([currency, minor]) => ({ currency, minor }));
}

export function itemCount(cart: Cart): number {
  return cart.lines.reduce((count, line) => count + line.quantity, 0);
}

function isLine(value: unknown): value is CartLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  if (typeof line['productId'] !== 'string' || typeof line['name'] !== 'string') return false;
  if (typeof line['currency'] !== 'string' || typeof line['unitPrice'] !== 'string') return false;
  if (typeof line['quantity'] !== 'number' || !Number.isInteger(line['quantity'])) return false;
  if (line['quantity'] < 1 || line['quantity'] > MAX_QUANTITY) return false;
  if (line['imageUrl'] !== null && typeof line['imageUrl'] !== 'string') return false;
  try {
    toMinorUnits(line['unitPrice']);
  } catch {
    return false;
  }
  return true;
}

/**
 * Reads a stored cart. A corrupt or foreign value yields an empty cart rather than an error, and invalid
 * lines are dropped one by one, so one bad entry never costs the whole cart.
 */
export function parseCart(json: string | null): Cart {
  if (json === null) return EMPTY_CART;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return EMPTY_CART;
  }
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { lines?: unknown }).lines)) return EMPTY_CART;
  const seen = new Set<string>();
  const lines: CartLine[] = [];
  for (const candidate of (raw as { lines: unknown[] }).lines) {
    if (!isLine(candidate) || seen.has(candidate.productId) || lines.length >= MAX_LINES) continue;
    seen.add(candidate.productId);
    lines.push({
      productId: candidate.productId,
      name: candidate.name,
      unitPrice: candidate.unitPrice,
      currency: candidate.currency,
      quantity: candidate.quantity,
      imageUrl: candidate.imageUrl,
    });
  }
  return { lines };
}

export function serializeCart(cart: Cart): string {
  return JSON.stringify({ version: 1, lines: cart.lines });
}
