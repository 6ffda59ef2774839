/** HTTP in and out for orders: validates with the zod models, calls the service, shapes the answers. */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { fromMinorUnits, multiply } from '../../domain/money.js';
import type { Order } from '../../domain/order.js';
import { IllegalTransitionError } from '../../domain/order-status.js';
import {
  IdempotencyKeyReusedError,
  InvalidCursorError,
  ItemRejectedError,
  OrderNotFoundError,
} from '../../orders/errors.js';
import type { OrderService } from '../../orders/order.service.js';
import { ProductUnavailableError } from '../../orders/product-catalog.js';
import { ProblemError, parseOr422, validationProblem } from '../problem.js';
import {
  CancelSchema,
  IdempotencyKeySchema,
  OrderCreateSchema,
  OrderIdParamsSchema,
  OrderListQuerySchema,
  type OrderPublic,
} from './order.model.js';

export function toPublic(order: Order): OrderPublic {
  return {
    id: order.id,
    status: order.status,
    statusReason: order.statusReason,
    customer: order.customer,
    items: order.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPrice: fromMinorUnits(item.unitPriceMinor),
      lineTotal: fromMinorUnits(multiply(item.unitPriceMinor, item.quantity)),
    })),
    total: { value: fromMinorUnits(order.totalMinor), currency: order.currency },
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** JSON with object keys sorted, so that the same body hashes the same however its keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

/** Translates the service's typed failures into problems; undefined for anything it does not know. */
export function orderProblem(error: unknown): ProblemError | undefined {
  if (error instanceof OrderNotFoundError) return new ProblemError(404, 'Not found', error.message, 'not-found');
  if (error instanceof IllegalTransitionError) {
    return new ProblemError(409, 'Illegal status transition', error.message, 'illegal-transition', {
      currentStatus: error.status,
    });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return new ProblemError(422, 'Idempotency key reused', error.message, 'idempotency-key-reused', {
      errors: [{ in: 'header', field: 'Idempotency-Key', pointer: '', message: error.message }],
    });
  }
  if (error instanceof ItemRejectedError) {
    const field = `items[${error.index}].productId`;
    return new ProblemError(422, 'Item cannot be ordered', error.message, error.reason, {
      productId: error.productId,
      ...(error.available === undefined ? {} : { available: error.available }),
      errors: [{ in: 'body', field, pointer: `/items/${error.index}/productId`, message: error.message }],
    });
  }
  if (error instanceof InvalidCursorError) {
    return new ProblemError(400, 'Invalid cursor', error.message, 'invalid-cursor', {
      errors: [{ in: 'query', field: 'cursor', pointer: '/cursor', message: error.message }],
    });
  }
  if (error instanceof ProductUnavailableError) {
    return new ProblemError(
      503,
      'Service unavailable',
      'the product service is unavailable; retry later',
      'dependency-unavailable',
      {},
      { 'Retry-After': '5' },
    );
  }
  return undefined;
}

export class OrderController {
  constructor(private readonly service: OrderService) {}

  create = async (req: Request, res: Response): Promise<void> => {
    const key = IdempotencyKeySchema.safeParse(req.get('Idempotency-Key') ?? '');
    if (!key.success) {
      throw validationProblem(
        [{ in: 'header', field: 'Idempotency-Key', pointer: '', message: key.error.issues[0]?.message ?? 'invalid' }],
        400,
      );
    }
    const body = parseOr422(OrderCreateSchema, req.body, 'body');
    const { order, replayed } = await this.service.place(body, key.data, requestHash(req.body));
    res.location(`/orders/${order.id}`);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 201).json(toPublic(order));
  };

  get = async (req: Request, res: Response): Promise<void> => {
    const { id } = parseOr422(OrderIdParamsSchema, req.params, 'path');
    res.json(toPublic(await this.service.get(id)));
  };

  list = async (req: Request, res: Response): Promise<void> => {
    const query = parseOr422(OrderListQuerySchema, req.query, 'query');
    const page = await this.service.listByCustomer(query.customerEmail, query.limit, query.cursor);
    res.json({ items: page.orders.map(toPublic), nextCursor: page.nextCursor });
  };

  cancel = async (req: Request, res: Response): Promise<void> => {
    const { id } = parseOr422(OrderIdParamsSchema, req.params, 'path');
    const body = parseOr422(CancelSchema, req.body ?? {}, 'body');
    res.json(toPublic(await this.service.cancel(id, body.reason)));
  };

  fulfil = async (req: Request, res: Response): Promise<void> => {
    const { id } = parseOr422(OrderIdParamsSchema, req.params, 'path');
    res.json(toPublic(await this.service.fulfil(id)));
  };
}
