/**
 * What the schemathesis runs (contract-tests/schemathesis) found the OpenAPI document or the problems to be
 * missing; pure, no components needed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { IdempotencyKeyReusedError } from '../../../orders/errors.js';
import { openApiDocument } from '../../openapi.js';
import { orderProblem } from '../order.controller.js';

const Link = z.object({ operationId: z.string(), parameters: z.record(z.string(), z.string()) });
const Operation = z.looseObject({
  operationId: z.string().optional(),
  parameters: z
    .array(
      z.looseObject({ name: z.string(), in: z.string(), schema: z.looseObject({ pattern: z.string().optional() }) }),
    )
    .optional(),
  responses: z.record(z.string(), z.looseObject({ links: z.record(z.string(), Link).optional() })),
});
const Document = z.looseObject({
  paths: z.record(z.string(), z.record(z.string(), Operation)),
});

const doc = Document.parse(openApiDocument());

function operation(path: string, method: string): z.infer<typeof Operation> {
  const found = doc.paths[path]?.[method];
  assert.ok(found, `${method.toUpperCase()} ${path} is documented`);
  return found;
}

const BY_ID = [
  ['/orders/{id}', 'get'],
  ['/orders/{id}/cancel', 'post'],
  ['/orders/{id}/fulfil', 'post'],
] as const;

describe('OpenAPI document', () => {
  it('test_operations_on_an_order_id_document_the_id_rule_and_its_422', () => {
    for (const [path, method] of BY_ID) {
      const op = operation(path, method);
      const id = op.parameters?.find((parameter) => parameter.name === 'id' && parameter.in === 'path');
      assert.ok(id?.schema.pattern, `${method} ${path}: the id's pattern`);
      assert.ok(op.responses['422'], `${method} ${path}: 422`);
    }
  });

  it('test_cancel_documents_the_refusal_of_a_body_that_is_not_a_json_object', () => {
    assert.ok(operation('/orders/{id}/cancel', 'post').responses['400']);
  });

  it('test_placed_order_links_to_reading_cancelling_and_fulfilling_it', () => {
    const operationIds = new Set(
      Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId)),
    );
    for (const status of ['201', '200']) {
      const links = operation('/orders', 'post').responses[status]?.links ?? {};
      const targets = Object.values(links).map((link) => link.operationId);
      assert.deepEqual(targets.sort(), ['cancelOrder', 'fulfilOrder', 'getOrder']);
      for (const link of Object.values(links)) {
        assert.ok(operationIds.has(link.operationId), link.operationId);
        assert.deepEqual(link.parameters, { id: '$response.body#/id' });
      }
    }
  });
});

describe('problems', () => {
  it('test_reused_idempotency_key_names_the_header_at_fault', () => {
    const problem = orderProblem(new IdempotencyKeyReusedError());

    assert.equal(problem?.status, 422);
    assert.deepEqual(problem.extensions['errors'], [
      { in: 'header', field: 'Idempotency-Key', pointer: '', message: new IdempotencyKeyReusedError().message },
    ]);
  });
});
