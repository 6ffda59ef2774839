import { useState } from 'react';
import { Link } from 'react-router';
import { useCart } from '../cart/context';
import { Empty } from '../components/Feedback';
import { ProductImage } from '../components/ProductImage';
import { MAX_QUANTITY, cartTotals, lineTotalMinor, type CartLine } from '../domain/cart';
import { formatMinor, formatPrice } from '../domain/money';

function QuantityInput({ line }: { line: CartLine }) {
  const { setQuantity } = useCart();
  // The text being typed is kept apart from the cart, so the field can be cleared and retyped. It belongs to
  // the quantity it was typed over: once the cart's quantity changes (here or in another tab), the field shows it.
  const [edit, setEdit] = useState<{ quantity: number; text: string }>();
  const draft = edit?.quantity === line.quantity ? edit.text : String(line.quantity);
  const id = `qty-${line.productId}`;
  return (
    <div className="field field--inline">
      <label htmlFor={id}>
        Quantity <span className="visually-hidden">of {line.name}</span>
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_QUANTITY}
        step={1}
        value={draft}
        onChange={(event) => {
          setEdit({ quantity: line.quantity, text: event.target.value });
          const value = Number(event.target.value);
          if (event.target.value !== '' && Number.isInteger(value) && value >= 1) setQuantity(line.productId, value);
        }}
        onBlur={() => {
          setEdit(undefined);
        }}
      />
    </div>
  );
}

export function CartSummary({ lines }: { lines: readonly CartLine[] }) {
  const totals = cartTotals({ lines });
  return (
    <dl className="totals">
      {totals.map((total) => (
        <div key={total.currency} className="totals__row">
          <dt>{totals.length > 1 ? `Total (${total.currency})` : 'Total'}</dt>
          <dd>{formatMinor(total.minor, total.currency)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function CartPage() {
  const { cart, remove } = useCart();
  if (cart.lines.length === 0) {
    return (
      <>
        <h1>Your cart</h1>
        <Empty title="Your cart is empty">
          <p>
            <Link to="/">Browse the catalog</Link> to find something you like.
          </p>
        </Empty>
      </>
    );
  }
  return (
    <>
      <h1>Your cart</h1>
      <ul className="cart-lines">
        {cart.lines.map((line) => (
          <li key={line.productId} className="cart-line">
            <ProductImage product={line} size="thumb" />
            <div className="cart-line__info">
              <Link to={`/products/${encodeURIComponent(line.productId)}`}>{line.name}</Link>
              <span>{formatPrice(line.unitPrice, line.currency)} each</span>
            </div>
            <QuantityInput line={line} />
            <span className="cart-line__total" aria-label={`Line total for ${line.name}`}>
              {formatMinor(lineTotalMinor(line), line.currency)}
            </span>
            <button
              type="button"
              className="button button--link"
              onClick={() => {
                remove(line.productId);
              }}
            >
              Remove <span className="visually-hidden">{line.name}</span>
            </button>
          </li>
        ))}
      </ul>
      <CartSummary lines={cart.lines} />
      <p className="hint">Prices are confirmed when you place the order.</p>
      <div className="actions">
        <Link to="/" className="button">
          Continue shopping
        </Link>
        <Link to="/checkout" className="button button--primary">
          Go to checkout
        </Link>
      </div>
    </>
  );
}
