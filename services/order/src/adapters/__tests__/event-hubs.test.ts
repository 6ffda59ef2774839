/** The Event Hubs publisher against the real emulator: a connection dropped under a send costs a quick retry. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EventHubPublisher, eventHubProducer } from '../event-hubs.js';
import type { OutgoingMessage } from '../../outbox/relay.js';
import { emulator, useEmulators } from '../../../test/helpers.js';

useEmulators();

function statusChanged(orderId: string): OutgoingMessage {
  return {
    messageId: randomUUID(),
    correlationId: orderId,
    partitionKey: orderId,
    type: 'OrderStatusChanged',
    version: 1,
    body: JSON.stringify({ orderId }),
    traceparent: null,
  };
}

describe('event hubs publisher', () => {
  let publisher: EventHubPublisher;
  before(() => {
    publisher = new EventHubPublisher(
      eventHubProducer({ connectionString: emulator('eventhubs').connectionString }, 'order-events'),
    );
  });
  after(async () => {
    await publisher.close();
  });

  it('test_a_connection_dropped_during_a_send_is_retried_within_seconds', async () => {
    // Found by chaos/experiments/eventhubs-dropped-connection.yaml: with the SDK's defaults (60 s operation
    // timeout, then 30 s before a retry) one dropped connection held the outbox, and every email, for 90 s.
    const admin = `http://127.0.0.1:${emulator('eventhubs').httpPort}`;
    await publisher.send([statusChanged(randomUUID())]);
    const rule = await fetch(`${admin}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entity: 'order-events', operation: 'send', action: 'drop-connection', count: 1 }),
    });
    assert.equal(rule.status, 201, await rule.text());

    const started = performance.now();
    await publisher.send([statusChanged(randomUUID())]);
    const seconds = (performance.now() - started) / 1000;

    const left = (await (await fetch(`${admin}/faults`)).json()) as { rules: unknown[] };
    assert.deepEqual(left.rules, [], 'the connection was dropped (the one-shot rule fired)');
    assert.ok(seconds < 15, `the send took ${seconds.toFixed(1)} s after a dropped connection`);
  });
});
