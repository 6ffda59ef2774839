import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startStubApi, type StubApi } from '../../test/stub-api';
import { OrderApi } from './orders';
import { ApiError, adviceFor, parseProblem } from './problem';

describe('parseProblem', () => {
  it('reads the field errors the services send', () => {
    const parsed = parseProblem(
      {
        type: 'https://contoso-shop.example/problems/validation-failed',
        title: 'Validation failed',
        status: 422,
        detail: 'invalid: customer.email',
        errors: [{ in: 'body', field: 'customer.email', pointer: '/customer/email', message: 'Invalid email address' }],
      },
      422,
    );
    expect(parsed.errors).toEqual([{ field: 'customer.email', message: 'Invalid email address' }]);
    expect(parsed.detail).toBe('invalid: customer.email');
  });

  it('derives a field path from a JSON pointer when no field is given', () => {
    const parsed = parseProblem({ errors: [{ pointer: '/items/0/quantity', detail: 'must be at least 1' }] }, 422);
    expect(parsed.errors).toEqual([{ field: 'items[0].quantity', message: 'must be at least 1' }]);
  });

  it('keeps extension members apart', () => {
    const parsed = parseProblem({ title: 'Insufficient stock', status: 409, productId: 'kitc-mug', available: 1 }, 409);
    expect(parsed.extensions).toEqual({ productId: 'kitc-mug', available: 1 });
  });

  it('fills the title from the HTTP status when the body is not a problem document', () => {
    const parsed = parseProblem('<html>bad gateway</html>', 502, 'Bad Gateway');
    expect(parsed).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502, errors: [] });
  });
});

describe('adviceFor', () => {
  it('tells how many are left when stock is short', () => {
    const error = new ApiError(
      'problem',
      409,
      parseProblem(
        {
          type: 'https://contoso-shop.example/problems/insufficient-stock',
          title: 'Insufficient stock',
          status: 409,
          productId: 'kitc-mug',
          available: 1,
        },
        409,
      ),
      'short',
    );
    expect(adviceFor(error)).toEqual({
      headline: 'Not enough stock',
      explanation: 'Only 1 of "kitc-mug" is left.',
      action: 'Lower the quantity in your cart, then place the order again.',
    });
  });

  it('says to check the connection when the shop cannot be reached', () => {
    expect(adviceFor(new ApiError('network', undefined, undefined, 'down')).action).toMatch(/connection/);
  });

  it('says a server failure can be retried', () => {
    const error = new ApiError('problem', 503, parseProblem({ title: 'Service unavailable', status: 503 }, 503), 'x');
    expect(error.retryable).toBe(true);
    expect(adviceFor(error).action).toMatch(/try again/i);
  });
});

describe('API client against a stub order service', () => {
  let stub: StubApi;
  beforeAll(async () => {
    stub = await startStubApi();
    stub.on('POST /orders', () => ({
      status: 422,
      body: problem(422, 'Validation failed', 'invalid: customer.email', 'validation-failed', {
        errors: [{ in: 'body', field: 'customer.email', pointer: '/customer/email', message: 'Invalid email address' }],
      }),
    }));
  });
  afterAll(() => stub.close());

  it('turns a problem+json answer into an ApiError naming the field', async () => {
    const api = new OrderApi(stub.url);
    const error = await api
      .createOrder(
        {
          customer: { email: 'bad', name: 'Ada' },
          items: [{ productId: 'kitc-mug', quantity: 1 }],
          paymentMethod: { type: 'card', token: '4242424242424242' },
        },
        'key-1',
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).slug).toBe('validation-failed');
    expect((error as ApiError).fieldErrors).toEqual([{ field: 'customer.email', message: 'Invalid email address' }]);
    expect(stub.requests.at(-1)?.headers['idempotency-key']).toBe('key-1');
  });

  it('reports an unreachable service as a network error', async () => {
    const closed = await startStubApi();
    await closed.close();
    const error = await new OrderApi(closed.url).getOrder('ord_1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe('network');
  });
});
