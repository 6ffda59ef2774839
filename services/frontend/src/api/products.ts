/** Typed client of the product service (services/product): catalog reads and image addresses. */
import { requestJson, withQuery } from './http';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  /** Decimal string with two places, e.g. "12.50". */
  readonly price: string;
  readonly currency: string;
  /** Units available to reserve. */
  readonly stock: number;
  readonly reserved: number;
  /** Path relative to the product API (`/products/{id}/image`), or null when the product has no image. */
  readonly imageUrl: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ProductPage {
  readonly items: readonly Product[];
  readonly nextCursor: string | null;
}

export interface Category {
  readonly name: string;
  readonly productCount: number;
}

export interface ProductQuery {
  readonly category?: string | undefined;
  /** Text in the name or description. */
  readonly q?: string | undefined;
  /** Decimal strings, e.g. "10.00". */
  readonly minPrice?: string | undefined;
  readonly maxPrice?: string | undefined;
  readonly inStock?: boolean | undefined;
  readonly limit?: number | undefined;
  /** `nextCursor` of the previous page, with the same filters. */
  readonly cursor?: string | undefined;
}

export class ProductApi {
  constructor(private readonly baseUrl: string) {}

  listProducts(query: ProductQuery, signal?: AbortSignal): Promise<ProductPage> {
    return requestJson<ProductPage>(
      withQuery(`${this.baseUrl}/products`, {
        category: query.category,
        q: query.q,
        minPrice: query.minPrice,
        maxPrice: query.maxPrice,
        inStock: query.inStock === true ? true : undefined,
        limit: query.limit,
        cursor: query.cursor,
      }),
      { signal },
    );
  }

  getProduct(id: string, signal?: AbortSignal): Promise<Product> {
    return requestJson<Product>(`${this.baseUrl}/products/${encodeURIComponent(id)}`, { signal });
  }

  listCategories(signal?: AbortSignal): Promise<readonly Category[]> {
    return requestJson<Category[]>(`${this.baseUrl}/categories`, { signal });
  }

  /** Absolute address of the product's image, or undefined when it has none. */
  imageSrc(product: Pick<Product, 'imageUrl'>): string | undefined {
    if (product.imageUrl === null || product.imageUrl === '') return undefined;
    return new URL(product.imageUrl, `${this.baseUrl}/`).href;
  }
}
