import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from '@azure/event-hubs';
import { startEmulator } from '../support/emulator.mjs';

let emulator;

before(async () => {
  emulator = await startEmulator();
});

after(async () => {
  await emulator.stop();
});

function receive(consumer, partitionId, count, startPosition, options = {}) {
  return new Promise((resolve, reject) => {
    const events = [];
    const timer = setTimeout(() => reject(new Error(`received ${events.length} of ${count}`)), 20_000);
    const subscription = consumer.subscribe(
      partitionId,
      {
        processEvents: async (batch) => {
          events.push(...batch);
          if (events.length >= count) {
            clearTimeout(timer);
            await subscription.close();
            resolve(events);
          }
        },
        processError: async (error) => {
          if (options.onError) options.onError(error);
        },
      },
      { startPosition, maxWaitTimeInSeconds: 1, ...options.subscribe },
    );
  });
}

test('hub and partition properties', async () => {
  const producer = new EventHubProducerClient(emulator.connectionString());
  try {
    const hub = await producer.getEventHubProperties();
    assert.equal(hub.name, 'order-events');
    assert.deepEqual(hub.partitionIds, ['0', '1', '2', '3']);
    await producer.sendBatch([{ body: 'p' }], { partitionId: '2' });
    const partition = await producer.getPartitionProperties('2');
    assert.equal(partition.partitionId, '2');
    assert.equal(partition.isEmpty, false);
    assert.ok(partition.lastEnqueuedSequenceNumber >= 0);
  } finally {
    await producer.close();
  }
});

test('unknown hub is an error', async () => {
  const producer = new EventHubProducerClient(emulator.connectionString('no-such-hub'), {
    retryOptions: { maxRetries: 0 },
  });
  try {
    await assert.rejects(producer.getEventHubProperties());
  } finally {
    await producer.close();
  }
});

test('a keyed batch is received with its stamps from the earliest position', async () => {
  const producer = new EventHubProducerClient(emulator.connectionString());
  const consumer = new EventHubConsumerClient('analytics', emulator.connectionString());
  try {
    const batch = await producer.createBatch({ partitionId: '1' });
    assert.ok(batch.tryAdd({ body: { order: 1 } }));
    assert.ok(batch.tryAdd({ body: { order: 2 } }));
    await producer.sendBatch(batch);
    const events = await receive(consumer, '1', 2, earliestEventPosition);
    assert.deepEqual(
      events.slice(0, 2).map((e) => e.body),
      [{ order: 1 }, { order: 2 }],
    );
    assert.equal(events[0].sequenceNumber, 0);
    assert.equal(events[1].sequenceNumber, 1);
    assert.ok(events[1].offset > events[0].offset);
    assert.ok(events[0].enqueuedTimeUtc instanceof Date);

    // "order-42" hashes to partition 3 of 4 (the service's lookup3 mapping, see tests/test_hashing.py).
    await producer.sendBatch([{ body: 'keyed' }], { partitionKey: 'order-42' });
    const keyed = await receive(consumer, '3', 1, earliestEventPosition);
    assert.equal(keyed[0].partitionKey, 'order-42');
  } finally {
    await consumer.close();
    await producer.close();
  }
});

test('a higher owner level takes the partition from a lower one', async () => {
  const first = new EventHubConsumerClient('notification-service', emulator.connectionString());
  const second = new EventHubConsumerClient('notification-service', emulator.connectionString());
  const producer = new EventHubProducerClient(emulator.connectionString());
  try {
    await producer.sendBatch([{ body: 'epoch' }], { partitionId: '0' });
    const stolen = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('first reader was not displaced')), 20_000);
      const subscription = first.subscribe(
        '0',
        {
          processEvents: async () => {},
          processError: async (error) => {
            clearTimeout(timer);
            await subscription.close();
            resolve(error);
          },
        },
        { startPosition: earliestEventPosition, ownerLevel: 1 },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const events = await receive(second, '0', 1, earliestEventPosition, { subscribe: { ownerLevel: 2 } });
    assert.equal(events[0].body, 'epoch');
    const error = await stolen;
    assert.match(String(error.code ?? error.name ?? error), /Disconnected|stolen|epoch/i);
  } finally {
    await first.close();
    await second.close();
    await producer.close();
  }
});
