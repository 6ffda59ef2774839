/** The API layer: typed clients of the product and order services, built from the runtime configuration. */
import type { ShopConfig } from './config';
import { OrderApi } from './orders';
import { ProductApi } from './products';

export interface ShopApi {
  readonly products: ProductApi;
  readonly orders: OrderApi;
}

export function createShopApi(config: ShopConfig): ShopApi {
  return { products: new ProductApi(config.productApi), orders: new OrderApi(config.orderApi) };
}

export { ApiError, adviceFor, type ErrorAdvice, type FieldProblem, type ProblemDetails } from './problem';
export { ConfigError, loadConfig, parseConfig, type ShopConfig } from './config';
export type { Category, Product, ProductPage, ProductQuery } from './products';
export {
  ORDER_STATUSES,
  type Customer,
  type Order,
  type OrderCreate,
  type OrderItem,
  type OrderPage,
  type OrderStatus,
} from './orders';
