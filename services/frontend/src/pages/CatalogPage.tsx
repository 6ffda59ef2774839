/**
 * The catalog: text search, category and price filters (kept in the URL, so results can be shared and the
 * back button works) and cursor paging with "Show more".
 */
import { useId, useState, type SubmitEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../api/context';
import type { Product, ProductPage, ProductQuery } from '../api/products';
import { Empty, ErrorPanel, Loading } from '../components/Feedback';
import { ProductImage } from '../components/ProductImage';
import { formatPrice, toMinorUnits } from '../domain/money';
import { useLoad } from '../hooks/useLoad';

const PAGE_SIZE = 12;
const MAX_PRICE_MINOR = 999_999_999_99;

/** A price filter in minor units, or undefined when it is not an amount the product service accepts. */
function priceMinor(value: string): number | undefined {
  try {
    const minor = toMinorUnits(value);
    return minor <= MAX_PRICE_MINOR ? minor : undefined;
  } catch {
    return undefined;
  }
}

interface Filters {
  readonly q: string;
  readonly category: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly inStock: boolean;
}

function filtersFrom(params: URLSearchParams): Filters {
  return {
    q: params.get('q') ?? '',
    category: params.get('category') ?? '',
    minPrice: params.get('minPrice') ?? '',
    maxPrice: params.get('maxPrice') ?? '',
    inStock: params.get('inStock') === 'true',
  };
}

interface MorePages {
  readonly base: ProductPage | undefined;
  readonly items: readonly Product[];
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly error?: unknown;
}

function startFrom(base: ProductPage | undefined): MorePages {
  return { base, items: [], cursor: base?.nextCursor ?? null, loading: false };
}

function toQuery(filters: Filters): ProductQuery {
  return {
    q: filters.q.trim() || undefined,
    category: filters.category || undefined,
    minPrice: priceMinor(filters.minPrice) !== undefined ? filters.minPrice : undefined,
    maxPrice: priceMinor(filters.maxPrice) !== undefined ? filters.maxPrice : undefined,
    inStock: filters.inStock || undefined,
    limit: PAGE_SIZE,
  };
}

export function CatalogPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const [priceError, setPriceError] = useState<string | undefined>();
  const key = params.toString();
  // Filters being edited, tied to the search they started from: a new search (a link, back, Search) shows its own.
  const [edited, setEdited] = useState<{ key: string; filters: Filters }>();
  const draft = edited?.key === key ? edited.filters : applied;
  function setDraft(filters: Filters): void {
    setEdited({ key, filters });
  }

  const [categories] = useLoad((signal) => api.products.listCategories(signal), [api]);
  const [firstPage, reload] = useLoad(
    (signal) => api.products.listProducts(toQuery(filtersFrom(new URLSearchParams(key))), signal),
    [api, key],
  );

  // Pages fetched with "Show more", tied to the first page they continue: new filters start afresh.
  const base = firstPage.state === 'ready' ? firstPage.data : undefined;
  const [extra, setExtra] = useState<MorePages>(() => startFrom(undefined));
  const more = extra.base === base ? extra : startFrom(base);

  async function showMore(): Promise<void> {
    if (more.cursor === null) return;
    const from = more;
    setExtra({ ...from, loading: true, error: undefined });
    try {
      const page = await api.products.listProducts({ ...toQuery(applied), cursor: from.cursor ?? undefined });
      setExtra({ base: from.base, items: [...from.items, ...page.items], cursor: page.nextCursor, loading: false });
    } catch (error) {
      setExtra({ ...from, loading: false, error });
    }
  }

  function apply(event: SubmitEvent<HTMLFormElement>): void {
    event.preventDefault();
    for (const [label, value] of [
      ['Lowest price', draft.minPrice],
      ['Highest price', draft.maxPrice],
    ] as const) {
      if (value !== '' && priceMinor(value) === undefined) {
        setPriceError(`${label} must be an amount like 10 or 24.99.`);
        return;
      }
    }
    const low = priceMinor(draft.minPrice);
    const high = priceMinor(draft.maxPrice);
    if (low !== undefined && high !== undefined && low > high) {
      setPriceError('Lowest price must not be above highest price.');
      return;
    }
    setPriceError(undefined);
    const next = new URLSearchParams();
    if (draft.q.trim() !== '') next.set('q', draft.q.trim());
    if (draft.category !== '') next.set('category', draft.category);
    if (draft.minPrice !== '') next.set('minPrice', draft.minPrice);
    if (draft.maxPrice !== '') next.set('maxPrice', draft.maxPrice);
    if (draft.inStock) next.set('inStock', 'true');
    setParams(next);
  }

  const ids = { q: useId(), category: useId(), min: useId(), max: useId(), stock: useId(), priceError: useId() };
  const products = base !== undefined ? [...base.items, ...more.items] : [];

  return (
    <>
      <h1>Catalog</h1>
      <form className="filters" role="search" onSubmit={apply} aria-label="Search the catalog">
        <div className="field field--grow">
          <label htmlFor={ids.q}>Search products</label>
          <input
            id={ids.q}
            type="search"
            name="q"
            value={draft.q}
            maxLength={100}
            onChange={(event) => {
              setDraft({ ...draft, q: event.target.value });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.category}>Category</label>
          <select
            id={ids.category}
            name="category"
            value={draft.category}
            onChange={(event) => {
              setDraft({ ...draft, category: event.target.value });
            }}
          >
            <option value="">All categories</option>
            {categories.state === 'ready' &&
              categories.data.map((category) => (
                <option key={category.name} value={category.name}>
                  {category.name} ({category.productCount})
                </option>
              ))}
          </select>
        </div>
        <PriceInput
          id={ids.min}
          label="Lowest price"
          name="minPrice"
          value={draft.minPrice}
          errorId={priceError !== undefined ? ids.priceError : undefined}
          onValue={(minPrice) => {
            setDraft({ ...draft, minPrice });
          }}
        />
        <PriceInput
          id={ids.max}
          label="Highest price"
          name="maxPrice"
          value={draft.maxPrice}
          errorId={priceError !== undefined ? ids.priceError : undefined}
          onValue={(maxPrice) => {
            setDraft({ ...draft, maxPrice });
          }}
        />
        <div className="field field--check">
          <input
            id={ids.stock}
            type="checkbox"
            name="inStock"
            checked={draft.inStock}
            onChange={(event) => {
              setDraft({ ...draft, inStock: event.target.checked });
            }}
          />
          <label htmlFor={ids.stock}>In stock only</label>
        </div>
        <button type="submit" className="button button--primary">
          Search
        </button>
        {priceError !== undefined && (
          <p className="field-error filters__error" id={ids.priceError} role="alert">
            {priceError}
          </p>
        )}
      </form>

      {firstPage.state === 'loading' && <Loading label="Loading products…" />}
      {firstPage.state === 'failed' && <ErrorPanel error={firstPage.error} onRetry={reload} />}
      {firstPage.state === 'ready' && products.length === 0 && (
        <Empty title="No products match">
          <p>Try other words, another category or a wider price range.</p>
          {key !== '' && <Link to="/">Show all products</Link>}
        </Empty>
      )}
      {products.length > 0 && (
        <>
          <p className="result-count" role="status">
            Showing {products.length} {products.length === 1 ? 'product' : 'products'}
            {more.cursor !== null ? ' (more available)' : ''}
          </p>
          <ul className="product-grid" aria-label="Products">
            {products.map((product) => (
              <li key={product.id} className="product-card">
                <Link to={`/products/${encodeURIComponent(product.id)}`} className="product-card__link">
                  <ProductImage product={product} size="thumb" />
                  <span className="product-card__name">{product.name}</span>
                </Link>
                <span className="product-card__price">{formatPrice(product.price, product.currency)}</span>
                <span className={product.stock > 0 ? 'stock stock--in' : 'stock stock--out'}>
                  {product.stock > 0 ? 'In stock' : 'Out of stock'}
                </span>
              </li>
            ))}
          </ul>
          {more.error !== undefined && <ErrorPanel error={more.error} onRetry={() => void showMore()} />}
          {more.cursor !== null && more.error === undefined && (
            <button type="button" className="button show-more" onClick={() => void showMore()} disabled={more.loading}>
              {more.loading ? 'Loading…' : 'Show more'}
            </button>
          )}
        </>
      )}
    </>
  );
}

/** A price bound of the filters; `errorId` names the price error while there is one. `onValue` gets it trimmed. */
function PriceInput({
  id,
  label,
  name,
  value,
  errorId,
  onValue,
}: {
  id: string;
  label: string;
  name: string;
  value: string;
  errorId: string | undefined;
  onValue: (value: string) => void;
}) {
  return (
    <div className="field field--narrow">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        inputMode="decimal"
        value={value}
        aria-invalid={errorId !== undefined}
        aria-describedby={errorId}
        onChange={(event) => {
          onValue(event.target.value.trim());
        }}
      />
    </div>
  );
}
