import { useId, useState, type SubmitEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../api/context';
import { useCart } from '../cart/context';
import { ErrorPanel, Loading } from '../components/Feedback';
import { ProductImage } from '../components/ProductImage';
import { CartFullError, MAX_QUANTITY } from '../domain/cart';
import { formatPrice } from '../domain/money';
import { useLoad } from '../hooks/useLoad';

export function ProductPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const { cart, add } = useCart();
  const [product, reload] = useLoad((signal) => api.products.getProduct(id, signal), [api, id]);
  const [quantity, setQuantity] = useState('1');
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const quantityId = useId();
  const messageId = useId();

  if (product.state === 'loading') return <Loading label="Loading product…" />;
  if (product.state === 'failed') {
    return (
      <>
        <ErrorPanel error={product.error} onRetry={reload} />
        <p>
          <Link to="/">Back to the catalog</Link>
        </p>
      </>
    );
  }
  const item = product.data;
  const inCart = cart.lines.find((line) => line.productId === item.id)?.quantity ?? 0;
  const limit = Math.min(item.stock, MAX_QUANTITY);
  const addable = limit - inCart;

  function submit(event: SubmitEvent<HTMLFormElement>): void {
    event.preventDefault();
    const wanted = Number(quantity);
    if (!Number.isInteger(wanted) || wanted < 1) {
      setMessage({ text: 'Enter a whole number of at least 1.', error: true });
      return;
    }
    if (wanted > addable) {
      setMessage({
        text:
          addable > 0
            ? `You can add at most ${addable} more (${item.stock} in stock, ${inCart} in your cart).`
            : 'Your cart already holds all we have in stock.',
        error: true,
      });
      return;
    }
    try {
      add(
        {
          id: item.id,
          name: item.name,
          price: item.price,
          currency: item.currency,
          imageUrl: item.imageUrl,
          stock: limit,
        },
        wanted,
      );
      setMessage({ text: `Added ${wanted} × ${item.name} to your cart.`, error: false });
    } catch (error) {
      if (!(error instanceof CartFullError)) throw error;
      setMessage({ text: 'Your cart is full: an order holds at most 50 different products.', error: true });
    }
  }

  return (
    <article className="product-detail">
      <p className="breadcrumb">
        <Link to="/">Catalog</Link> /{' '}
        <Link to={`/?category=${encodeURIComponent(item.category)}`}>{item.category}</Link>
      </p>
      <ProductImage product={item} size="large" />
      <div className="product-detail__info">
        <h1>{item.name}</h1>
        <p className="product-detail__price">{formatPrice(item.price, item.currency)}</p>
        <p className={item.stock > 0 ? 'stock stock--in' : 'stock stock--out'}>
          {item.stock > 0 ? `${item.stock} in stock` : 'Out of stock'}
        </p>
        {item.description !== '' && <p className="product-detail__description">{item.description}</p>}
        {item.stock > 0 ? (
          <form className="add-to-cart" onSubmit={submit} noValidate>
            <div className="field field--narrow">
              <label htmlFor={quantityId}>Quantity</label>
              <input
                id={quantityId}
                type="number"
                inputMode="numeric"
                min={1}
                max={Math.max(addable, 1)}
                step={1}
                value={quantity}
                aria-invalid={message?.error === true}
                aria-describedby={message !== undefined ? messageId : undefined}
                onChange={(event) => {
                  setQuantity(event.target.value);
                }}
              />
            </div>
            <button type="submit" className="button button--primary">
              Add to cart
            </button>
          </form>
        ) : (
          <p>This product is sold out for now.</p>
        )}
        {message !== undefined && (
          <p
            id={messageId}
            className={message.error ? 'field-error' : 'notice notice--success'}
            role={message.error ? 'alert' : 'status'}
          >
            {message.text} {!message.error && <Link to="/cart">View cart</Link>}
          </p>
        )}
        {inCart > 0 && message === undefined && (
          <p>
            {inCart} in your cart. <Link to="/cart">View cart</Link>
          </p>
        )}
      </div>
    </article>
  );
}
