// Send modes, every start position and receiver runtime metrics, as @azure/event-hubs uses them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
} from '@azure/event-hubs';
import { startEmulator } from '../support/emulator.mjs';

const PARTITION = '2';
let emulator;
let producer;
let consumer;

before(async () => {
  emulator = await startEmulator();
  producer = new EventHubProducerClient(emulator.connectionString());
  consumer = new EventHubConsumerClient('analytics', emulator.connectionString());
});

after(async () => {
  await consumer?.close();
  await producer?.close();
  await emulator?.stop();
});

// The first `count` events of the partition from `startPosition`, each with its receive context.
function firstEvents(startPosition, count, options = {}) {
  return new Promise((resolve, reject) => {
    const events = [];
    const timer = setTimeout(() => reject(new Error(`received ${events.length} of ${count}`)), 20_000);
    const subscription = consumer.subscribe(
      PARTITION,
      {
        processEvents: async (batch, context) => {
          for (const event of batch) events.push({ event, context });
          if (events.length >= count) {
            clearTimeout(timer);
            await subscription.close();
            resolve(events.slice(0, count));
          }
        },
        processError: async () => {},
      },
      { startPosition, maxWaitTimeInSeconds: 1, ...options },
    );
  });
}

// Three events on one partition, a few milliseconds apart so their enqueued times differ.
async function sendMarked() {
  const run = randomUUID();
  for (let i = 0; i < 3; i++) {
    await producer.sendBatch([{ body: `${run}-${i}` }], { partitionId: PARTITION });
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  const all = [];
  const props = await producer.getPartitionProperties(PARTITION);
  const everything = await firstEvents(earliestEventPosition, props.lastEnqueuedSequenceNumber + 1);
  for (const { event } of everything) if (String(event.body).startsWith(run)) all.push(event);
  assert.equal(all.length, 3);
  return all;
}

test('events sent without a partition are spread over every partition', async () => {
  const before = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));
  for (let i = 0; i < 8; i++) await producer.sendBatch([{ body: `spread-${i}` }]);
  const after = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));
  for (let i = 0; i < 4; i++) {
    assert.ok(after[i].lastEnqueuedSequenceNumber > before[i].lastEnqueuedSequenceNumber, `partition ${i} got nothing`);
  }
});

test('the same partition key always lands on the same partition', async () => {
  const key = `customer-${randomUUID()}`;
  const before = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));
  for (let i = 0; i < 3; i++) await producer.sendBatch([{ body: i }], { partitionKey: key });
  const after = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));
  const grown = after.filter((p, i) => p.lastEnqueuedSequenceNumber !== before[i].lastEnqueuedSequenceNumber);
  assert.equal(grown.length, 1);
  assert.equal(grown[0].lastEnqueuedSequenceNumber - before[after.indexOf(grown[0])].lastEnqueuedSequenceNumber, 3);
});

test('start by sequence number, inclusive and exclusive', async () => {
  const [first, second] = await sendMarked();
  const [inclusive] = await firstEvents({ sequenceNumber: first.sequenceNumber, isInclusive: true }, 1);
  assert.equal(inclusive.event.body, first.body);
  const [exclusive] = await firstEvents({ sequenceNumber: first.sequenceNumber, isInclusive: false }, 1);
  assert.equal(exclusive.event.body, second.body);
});

test('start by offset, inclusive and exclusive', async () => {
  const [first, second] = await sendMarked();
  const [inclusive] = await firstEvents({ offset: first.offset, isInclusive: true }, 1);
  assert.equal(inclusive.event.body, first.body);
  const [exclusive] = await firstEvents({ offset: first.offset }, 1);
  assert.equal(exclusive.event.body, second.body);
});

test('start by enqueued time takes the first event enqueued after it', async () => {
  const [first, second] = await sendMarked();
  const [after] = await firstEvents({ enqueuedOn: first.enqueuedTimeUtc }, 1);
  assert.equal(after.event.body, second.body);
});

test('start at the latest position sees only what is sent afterwards', async () => {
  await sendMarked();
  const body = `latest-${randomUUID()}`;
  const received = firstEvents(latestEventPosition, 1);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await producer.sendBatch([{ body }], { partitionId: PARTITION });
  const [latest] = await received;
  assert.equal(latest.event.body, body);
});

test("receiver runtime metrics report the partition's last enqueued event", async () => {
  const [, , third] = await sendMarked();
  const [{ context }] = await firstEvents({ sequenceNumber: third.sequenceNumber, isInclusive: true }, 1, {
    trackLastEnqueuedEventProperties: true,
  });
  const last = context.lastEnqueuedEventProperties;
  assert.equal(last.sequenceNumber, third.sequenceNumber);
  assert.equal(last.offset, third.offset);
  assert.ok(last.enqueuedOn instanceof Date);
  assert.ok(last.retrievedOn instanceof Date);
});

test('a wrong key is refused', async () => {
  const intruder = new EventHubProducerClient(emulator.connectionString().replace('SAS_KEY_VALUE', 'wrong'), {
    retryOptions: { maxRetries: 0 },
  });
  try {
    await assert.rejects(intruder.getEventHubProperties(), (error) => {
      assert.match(String(error.code ?? error.name), /Unauthorized/i);
      return true;
    });
  } finally {
    await intruder.close();
  }
});
