/** Routes of the orders API, each registered with its OpenAPI description next to it. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from '../zod.js';
import type { OrderController } from './order.controller.js';
import {
  CancelSchema,
  OrderCreateSchema,
  OrderIdParamsSchema,
  OrderListQuerySchema,
  OrderPageSchema,
  OrderPublicSchema,
  ProblemSchema,
} from './order.model.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const orderJson = (description: string) => ({
  description,
  content: { 'application/json': { schema: OrderPublicSchema } },
});
const idParams = z.object({
  id: OrderIdParamsSchema.shape.id.openapi({ example: '0f6d2c7e-6a55-4d84-9a57-1d0c6f3c1b2a' }),
});
const invalidId = problem('Invalid order id (`errors` names it)');
/** OpenAPI links from a placed order to what can be done with it (followed by stateful API tests). */
const placedOrderLinks = {
  GetOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/id' } },
  CancelOrder: { operationId: 'cancelOrder', parameters: { id: '$response.body#/id' } },
  FulfilOrder: { operationId: 'fulfilOrder', parameters: { id: '$response.body#/id' } },
};

export function registerOrderRoutes(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/orders',
    operationId: 'placeOrder',
    summary: 'Place an order',
    description:
      'Items are priced from the product service (client prices are ignored) and their stock reserved. ' +
      'Repeating the call with the same Idempotency-Key and body returns the same order ' +
      '(200, `Idempotent-Replayed: true`); the same key with another body is refused (422).',
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().min(1).max(255) }),
      body: { content: { 'application/json': { schema: OrderCreateSchema } } },
    },
    responses: {
      201: { ...orderJson('Order placed, awaiting payment'), links: placedOrderLinks },
      200: { ...orderJson('Replay of an earlier call with this Idempotency-Key'), links: placedOrderLinks },
      400: problem('Missing Idempotency-Key or malformed JSON'),
      422: problem('Invalid body (`errors` names each field), an item that cannot be ordered, or a reused key'),
      503: problem('The product service is unavailable'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getOrder',
    summary: 'Get an order',
    request: { params: idParams },
    responses: { 200: orderJson('The order'), 404: problem('No such order'), 422: invalidId },
  });
  registry.registerPath({
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    summary: "A customer's orders, newest first",
    request: { query: OrderListQuerySchema },
    responses: {
      200: { description: 'One page', content: { 'application/json': { schema: OrderPageSchema } } },
      400: problem('Cursor not issued for this customerEmail'),
      422: problem('Invalid query'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/orders/{id}/cancel',
    operationId: 'cancelOrder',
    summary: 'Cancel an order',
    description: 'Allowed while awaiting payment (the stock reservation is released) or once paid (a refund is due).',
    request: {
      params: idParams,
      body: { required: false, content: { 'application/json': { schema: CancelSchema } } },
    },
    responses: {
      200: orderJson('The cancelled order'),
      404: problem('No such order'),
      400: problem('The body is not a JSON object (malformed JSON)'),
      409: problem('The order status does not allow cancelling'),
      422: problem('Invalid order id or body (`errors` names each field)'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/orders/{id}/fulfil',
    operationId: 'fulfilOrder',
    summary: 'Mark a paid order fulfilled (shipped)',
    request: { params: idParams },
    responses: {
      200: orderJson('The fulfilled order'),
      404: problem('No such order'),
      409: problem('The order is not paid'),
      422: invalidId,
    },
  });
}

export function orderRouter(controller: OrderController): Router {
  const router = Router();
  router.post('/', controller.create);
  router.get('/', controller.list);
  router.get('/:id', controller.get);
  router.post('/:id/cancel', controller.cancel);
  router.post('/:id/fulfil', controller.fulfil);
  return router;
}
