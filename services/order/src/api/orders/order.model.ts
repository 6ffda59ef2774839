/** Wire models of the orders API (requests validated with zod; the same schemas feed /openapi.json). */
import { ORDER_STATUSES } from '../../domain/order-status.js';
import { z } from '../zod.js';

export const PRODUCT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DECIMAL = /^-?(0|[1-9][0-9]*)\.[0-9]{2}$/;

export const CustomerSchema = z
  .object({
    email: z.email().max(254).openapi({ example: 'ada@example.com' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Ada Lovelace' }),
    phone: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +447700900123')
      .optional(),
  })
  .openapi('Customer');

export const OrderItemCreateSchema = z
  .object({
    productId: z.string().regex(PRODUCT_ID, 'must be a product id').openapi({ example: 'kitc-teapot' }),
    quantity: z.number().int().min(1).max(1000).openapi({ example: 2 }),
  })
  .openapi('OrderItemCreate', {
    description: 'Any price the client sends is ignored: items are priced from the product service.',
  });

export const OrderCreateSchema = z
  .object({
    customer: CustomerSchema,
    items: z
      .array(OrderItemCreateSchema)
      .min(1)
      .max(50)
      .superRefine((items, ctx) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.productId)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'productId'],
              message: `repeats '${item.productId}'; list each product once`,
            });
          }
          seen.add(item.productId);
        });
      }),
    paymentMethod: z
      .object({
        type: z.literal('card'),
        token: z.string().min(1).max(200).openapi({ example: '4242424242424242' }),
      })
      .openapi('PaymentMethod'),
  })
  .openapi('OrderCreate');
export type OrderCreate = z.infer<typeof OrderCreateSchema>;

export const MoneySchema = z
  .object({
    value: z.string().regex(DECIMAL).openapi({ example: '25.00' }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .openapi({ example: 'USD' }),
  })
  .openapi('Money');

export const OrderPublicSchema = z
  .object({
    id: z.string(),
    status: z.enum(ORDER_STATUSES),
    statusReason: z.string().nullable(),
    customer: CustomerSchema,
    items: z.array(
      z.object({
        productId: z.string(),
        quantity: z.number().int(),
        unitPrice: z.string().regex(DECIMAL),
        lineTotal: z.string().regex(DECIMAL),
      }),
    ),
    total: MoneySchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order');
export type OrderPublic = z.infer<typeof OrderPublicSchema>;

export const OrderPageSchema = z
  .object({
    items: z.array(OrderPublicSchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .openapi('OrderPage');

export const OrderIdParamsSchema = z.object({ id: z.string().regex(PRODUCT_ID, 'must be an order id') });

export const OrderListQuerySchema = z.object({
  customerEmail: z.email().max(254),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  // Only what this service issues (base64url): anything wider lets a request line outgrow Node's 16 KiB
  // header limit, which answers 431 before the API can say which parameter is wrong.
  cursor: z
    .string()
    .max(1000)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor this service issued')
    .optional(),
});

export const CancelSchema = z.object({ reason: z.string().trim().min(1).max(200).optional() }).openapi('OrderCancel');

export const IdempotencyKeySchema = z
  .string()
  .min(1, 'the Idempotency-Key header is required')
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    traceId: z.string().optional(),
    errors: z
      .array(z.object({ in: z.string(), field: z.string(), pointer: z.string(), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');
