/**
 * The provider-side builder of order's messages (src/order-messages.ts), which the contract gate's verifier
 * runs for payment-order.json and notification-order.json: each message is valid against
 * contract-tests/messages, and its metadata carries the wire fields of contract-tests/PLAN.md "Message
 * metadata" as order's adapters set them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, TRACEPARENT_PATTERN, UUID_PATTERN } from '../src/contract.js';
import {
  buildOrderMessage,
  ORDER_STATUS_CHANGED,
  PAYMENT_REQUESTED,
  type ProviderMessage,
} from '../src/order-messages.js';
import { messageValidator } from '../src/schemas.js';

const validate = messageValidator();

interface Envelope {
  id: string;
  type: string;
  version: number;
  correlationId: string;
  data: Record<string, unknown>;
}

function envelopeOf(message: ProviderMessage): Envelope {
  assert.deepEqual(validate(message.contents), []);
  return message.contents as Envelope;
}

function assertWireFields(message: ProviderMessage, body: Envelope): void {
  const { metadata } = message;
  assert.equal(metadata['contentType'], 'application/json');
  assert.equal(metadata['type'], body.type);
  assert.equal(metadata['version'], body.version);
  assert.equal(typeof metadata['version'], 'number', 'version is an integer application property');
  assert.equal(metadata['correlationId'], body.correlationId);
  assert.match(String(metadata['traceparent']), TRACEPARENT_PATTERN);
}

describe('order-messages', () => {
  it('builds PaymentRequested with the order id as message id (Service Bus duplicate detection)', async () => {
    const message = await buildOrderMessage(PAYMENT_REQUESTED);
    const body = envelopeOf(message);
    assertWireFields(message, body);
    assert.equal(body.type, 'PaymentRequested');
    assert.match(body.data['orderId'] as string, UUID_PATTERN);
    assert.equal(message.metadata['messageId'], body.data['orderId']);
    assert.equal(body.correlationId, body.data['orderId']);
    assert.equal(message.metadata['partitionKey'], undefined, 'a queue message has no partition key');
  });

  it('builds OrderStatusChanged with the order id as partition key (Event Hubs)', async () => {
    const message = await buildOrderMessage(ORDER_STATUS_CHANGED);
    const body = envelopeOf(message);
    assertWireFields(message, body);
    assert.deepEqual([body.data['previousStatus'], body.data['status']], ['PENDING_PAYMENT', 'PAID']);
    assert.equal(message.metadata['messageId'], body.id);
    assert.equal(message.metadata['partitionKey'], body.data['orderId']);
  });

  it("takes the provider state's params", async () => {
    const orderId = '0b1e4c5d-2f3a-4b6c-8d7e-9f0a1b2c3d09';
    const failed = envelopeOf(
      await buildOrderMessage(ORDER_STATUS_CHANGED, {
        orderId,
        previousStatus: 'PENDING_PAYMENT',
        status: 'PAYMENT_FAILED',
        reason: 'declined',
        customerPhone: null,
        unitPrice: '19.99',
        quantity: 3,
        currency: 'EUR',
        unrelated: true,
      }),
    );
    assert.deepEqual(failed.data, {
      orderId,
      previousStatus: 'PENDING_PAYMENT',
      status: 'PAYMENT_FAILED',
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
      total: { value: '59.97', currency: 'EUR' },
      reason: 'declined',
    });
    const created = envelopeOf(
      await buildOrderMessage(ORDER_STATUS_CHANGED, { previousStatus: null, status: 'PENDING_PAYMENT' }),
    );
    assert.equal(created.data['previousStatus'], null);
    await assert.rejects(buildOrderMessage(ORDER_STATUS_CHANGED, { status: 'SHIPPED' }), /param status/);
  });

  it('runs as a script: one JSON object on stdout, exit 2 for an unknown description', () => {
    const script = join(REPO_ROOT, 'contract-tests/consumers/ts/src/order-messages.ts');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

    const ok = run(PAYMENT_REQUESTED, '{"orderId": "0b1e4c5d-2f3a-4b6c-8d7e-9f0a1b2c3d10"}');
    assert.equal(ok.status, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const printed = JSON.parse(lines[0] ?? '') as ProviderMessage;
    assert.deepEqual(Object.keys(printed).sort(), ['contents', 'metadata']);
    assert.equal(printed.metadata['messageId'], '0b1e4c5d-2f3a-4b6c-8d7e-9f0a1b2c3d10');
    assert.deepEqual(validate(printed.contents), []);

    const unknown = run('a PaymentShipped message');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown message description/);
    assert.equal(unknown.stdout, '');
  });
});
