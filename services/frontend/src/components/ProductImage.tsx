import { useState } from 'react';
import { useApi } from '../api/context';

/** The product's picture from the product service, or a neutral placeholder when it has none or fails. */
export function ProductImage({
  product,
  size,
}: {
  product: { readonly name: string; readonly imageUrl: string | null };
  size: 'thumb' | 'large';
}) {
  const api = useApi();
  const [failed, setFailed] = useState(false);
  const src = api.products.imageSrc(product);
  if (src === undefined || failed) {
    return (
      <div
        className={`product-image product-image--${size} product-image--missing`}
        role="img"
        aria-label={`No picture of ${product.name}`}
      >
        <span aria-hidden="true">{product.name.slice(0, 1).toUpperCase()}</span>
      </div>
    );
  }
  return (
    <img
      className={`product-image product-image--${size}`}
      src={src}
      alt={product.name}
      loading={size === 'thumb' ? 'lazy' : 'eager'}
      onError={() => {
        setFailed(true);
      }}
    />
  );
}
