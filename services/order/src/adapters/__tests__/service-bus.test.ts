/** The payment-events receiver against the real Service Bus emulator: a passing failure is retried with a
 * backoff, not dead-lettered within milliseconds. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient } from '@azure/service-bus';
import { PaymentEventsReceiver, abandonDelayMs } from '../service-bus.js';
import type { Disposition } from '../../payments/payment-events.js';
import { createLogger } from '../../observability/logger.js';
import { emulator, eventually, useEmulators } from '../../../test/helpers.js';

useEmulators();

describe('payment events receiver', () => {
  let bus: ServiceBusClient;
  before(() => {
    bus = new ServiceBusClient(emulator('servicebus').connectionString);
  });
  after(async () => {
    await bus.close();
  });

  it('test_abandon_delay_doubles_from_one_second_up_to_fifteen', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => abandonDelayMs(n)),
      [1000, 2000, 4000, 8000, 15000, 15000],
    );
  });

  it('test_a_failure_that_passes_within_seconds_is_not_dead_lettered', async () => {
    // Found by chaos/experiments/product-down-checkout.yaml: abandoned at once, a PaymentSucceeded used up its
    // five deliveries within 80 ms of a product outage and was dead-lettered, stranding a charged order.
    const messageId = randomUUID();
    const deliveries: number[] = [];
    const outageEnds = Date.now() + 2500;
    const applied: Disposition = { action: 'complete', outcome: 'applied' };
    const unreachable: Disposition = { action: 'abandon', description: 'product service unreachable' };
    const handler = (id: string | undefined): Promise<Disposition> => {
      if (id !== messageId) return Promise.resolve(applied);
      deliveries.push(Date.now());
      return Promise.resolve(Date.now() < outageEnds ? unreachable : applied);
    };
    const receiver = new PaymentEventsReceiver(
      bus,
      'payment-events',
      'order-service',
      handler,
      4,
      createLogger('silent'),
    );
    receiver.start();
    const sender = bus.createSender('payment-events');
    try {
      await sender.sendMessages({ messageId, body: { id: messageId } });
      await eventually(
        'a delivery after the outage',
        () => Promise.resolve(deliveries.filter((at) => at >= outageEnds).length),
        (after) => after > 0,
        15_000,
      );
    } finally {
      await sender.close();
      await receiver.stop();
    }
    const dead = bus.createReceiver('payment-events', 'order-service', { subQueueType: 'deadLetter' });
    try {
      const mine = (await dead.peekMessages(50)).filter((message) => message.messageId === messageId);
      assert.deepEqual(mine, [], 'an outage of a few seconds must not dead-letter the message');
    } finally {
      await dead.close();
    }
    assert.ok(deliveries.length <= 4, `delivered ${deliveries.length} times within the outage and after it`);
    assert.ok((deliveries[1] ?? 0) - (deliveries[0] ?? 0) >= 900, 'the second delivery waited about a second');
  });
});
