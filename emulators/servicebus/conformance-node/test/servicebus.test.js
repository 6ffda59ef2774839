// The official JavaScript SDK against our emulator: every feature the platform and its users rely on.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { useEmulatorClient } from './emulator.js';

const RECEIVE_WAIT_MS = 2_000;

const env = useEmulatorClient();

async function receiveOne(receiver, maxWaitTimeInMs = RECEIVE_WAIT_MS) {
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs });
  return message;
}

async function expectServiceBusError(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(isServiceBusError(error), `expected a ServiceBusError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('queues', () => {
  test('a sent message is received in peek-lock and completed once', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic');
    await sender.sendMessages({
      body: { orderId: 'o-1' },
      messageId: 'm-1',
      contentType: 'application/json',
      applicationProperties: { type: 'PaymentRequested', version: 1 },
    });
    const message = await receiveOne(receiver);
    assert.deepEqual(message.body, { orderId: 'o-1' });
    assert.equal(message.messageId, 'm-1');
    assert.equal(message.applicationProperties.type, 'PaymentRequested');
    assert.equal(message.deliveryCount, 0);
    assert.ok(message.sequenceNumber !== undefined);
    assert.ok(message.lockedUntilUtc > new Date());
    await receiver.completeMessage(message);
    assert.equal(await receiveOne(receiver, 500), undefined);
    await sender.close();
    await receiver.close();
  });

  test('a batch arrives whole and in order', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic', { receiveMode: 'receiveAndDelete' });
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 5; i++) assert.ok(batch.tryAddMessage({ body: `item-${i}` }));
    await sender.sendMessages(batch);
    const bodies = [];
    while (bodies.length < 5) {
      const messages = await receiver.receiveMessages(5, { maxWaitTimeInMs: RECEIVE_WAIT_MS });
      assert.ok(messages.length > 0, 'batch messages missing');
      bodies.push(...messages.map((m) => m.body));
    }
    assert.deepEqual(bodies, ['item-0', 'item-1', 'item-2', 'item-3', 'item-4']);
    await sender.close();
    await receiver.close();
  });

  test('a message sent without a message id can still be completed', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic');
    await sender.sendMessages({ body: 'no id' });
    const message = await receiveOne(receiver);
    assert.ok(message.messageId, 'the broker assigns a message id');
    await receiver.completeMessage(message);
    await sender.close();
    await receiver.close();
  });

  test('abandon redelivers with a higher delivery count, defer hides until received by sequence number', async () => {
    const sender = env.client.createSender('settlement');
    const receiver = env.client.createReceiver('settlement');
    await sender.sendMessages({ body: 'settle me' });
    const first = await receiveOne(receiver);
    await receiver.abandonMessage(first);
    const again = await receiveOne(receiver);
    assert.equal(again.sequenceNumber.toString(), first.sequenceNumber.toString());
    assert.equal(again.deliveryCount, 1);
    await receiver.deferMessage(again);
    assert.equal(await receiveOne(receiver, 500), undefined);
    const [deferred] = await receiver.receiveDeferredMessages(again.sequenceNumber);
    assert.equal(deferred.body, 'settle me');
    await receiver.completeMessage(deferred);
    await sender.close();
    await receiver.close();
  });

  test('dead-lettered messages land in the sub-queue with reason and description', async () => {
    const sender = env.client.createSender('settlement');
    const receiver = env.client.createReceiver('settlement');
    const dlq = env.client.createReceiver('settlement', { subQueueType: 'deadLetter' });
    await sender.sendMessages({ body: 'poison' });
    const message = await receiveOne(receiver);
    await receiver.deadLetterMessage(message, {
      deadLetterReason: 'SchemaValidationFailed',
      deadLetterErrorDescription: 'data.orderId is required',
    });
    const dead = await receiveOne(dlq);
    assert.equal(dead.body, 'poison');
    assert.equal(dead.deadLetterReason, 'SchemaValidationFailed');
    assert.equal(dead.deadLetterErrorDescription, 'data.orderId is required');
    await dlq.completeMessage(dead);
    await sender.close();
    await receiver.close();
    await dlq.close();
  });

  test('a message abandoned MaxDeliveryCount times is dead-lettered', async () => {
    const sender = env.client.createSender('retries');
    const receiver = env.client.createReceiver('retries');
    const dlq = env.client.createReceiver('retries', { subQueueType: 'deadLetter' });
    await sender.sendMessages({ body: 'keeps failing' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const message = await receiveOne(receiver);
      assert.ok(message, `attempt ${attempt} got nothing`);
      await receiver.abandonMessage(message);
    }
    assert.equal(await receiveOne(receiver, 500), undefined);
    const dead = await receiveOne(dlq);
    assert.equal(dead.body, 'keeps failing');
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded');
    await dlq.completeMessage(dead);
    await sender.close();
    await receiver.close();
    await dlq.close();
  });

  test('renewing a lock moves lockedUntil forward', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic');
    await sender.sendMessages({ body: 'slow work' });
    const message = await receiveOne(receiver);
    const before = message.lockedUntilUtc.getTime();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const renewed = await receiver.renewMessageLock(message);
    assert.ok(renewed.getTime() > before);
    await receiver.completeMessage(message);
    await sender.close();
    await receiver.close();
  });

  test('an expired lock fails the settlement and the message comes back', async () => {
    const sender = env.client.createSender('short-lock');
    // The SDK renews locks on its own unless told not to; this consumer is meant to be too slow.
    const receiver = env.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    await sender.sendMessages({ body: 'slow consumer' });
    const message = await receiveOne(receiver);
    assert.ok(message.lockedUntilUtc.getTime() - Date.now() <= 1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await expectServiceBusError(receiver.completeMessage(message), 'MessageLockLost');
    const again = await receiveOne(receiver);
    assert.equal(again.sequenceNumber.toString(), message.sequenceNumber.toString());
    assert.equal(again.deliveryCount, 1);
    await receiver.completeMessage(again);
    await sender.close();
    await receiver.close();
  });

  test('receive-and-delete removes the message on delivery', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages({ body: 'once' });
    const message = await receiveOne(receiver);
    assert.equal(message.body, 'once');
    assert.equal(await receiveOne(receiver, 500), undefined);
    await sender.close();
    await receiver.close();
  });

  test('peek shows messages without locking them', async () => {
    const sender = env.client.createSender('basic');
    const receiver = env.client.createReceiver('basic');
    await sender.sendMessages([{ body: 'peek-1' }, { body: 'peek-2' }]);
    const peeked = await receiver.peekMessages(10);
    assert.deepEqual(
      peeked.map((m) => m.body),
      ['peek-1', 'peek-2'],
    );
    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: RECEIVE_WAIT_MS });
    for (const message of messages) await receiver.completeMessage(message);
    await sender.close();
    await receiver.close();
  });

  test('scheduled messages wait for their time and can be cancelled', async () => {
    const sender = env.client.createSender('scheduled');
    const receiver = env.client.createReceiver('scheduled');
    const [cancelled] = await sender.scheduleMessages({ body: 'never' }, new Date(Date.now() + 60_000));
    await sender.cancelScheduledMessages(cancelled);
    await sender.scheduleMessages({ body: 'soon' }, new Date(Date.now() + 1_000));
    assert.equal(await receiveOne(receiver, 300), undefined);
    const message = await receiveOne(receiver, 5_000);
    assert.equal(message.body, 'soon');
    await receiver.completeMessage(message);
    assert.equal(await receiveOne(receiver, 500), undefined);
    await sender.close();
    await receiver.close();
  });

  test('duplicate detection keeps one copy of a message id within the window', async () => {
    const sender = env.client.createSender('deduplicated');
    const receiver = env.client.createReceiver('deduplicated', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages({ body: 'first', messageId: 'order-42' });
    await sender.sendMessages({ body: 'resent', messageId: 'order-42' });
    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: 1_000 });
    assert.deepEqual(
      messages.map((m) => m.body),
      ['first'],
    );
    await sender.close();
    await receiver.close();
  });

  test('a message past its time to live is dead-lettered on expiry', async () => {
    const sender = env.client.createSender('expiring');
    const dlq = env.client.createReceiver('expiring', { subQueueType: 'deadLetter' });
    await sender.sendMessages({ body: 'stale', timeToLive: 200 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const dead = await receiveOne(dlq, 5_000);
    assert.equal(dead.body, 'stale');
    assert.equal(dead.deadLetterReason, 'TTLExpiredException');
    await dlq.completeMessage(dead);
    await sender.close();
    await dlq.close();
  });
});

describe('topics', () => {
  test('a correlation filter selects by application property; the default rule takes all', async () => {
    const sender = env.client.createSender('events');
    const everything = env.client.createReceiver('events', 'everything', { receiveMode: 'receiveAndDelete' });
    const paidOnly = env.client.createReceiver('events', 'paid-only', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages([
      { body: 'paid', applicationProperties: { type: 'PaymentSucceeded' } },
      { body: 'failed', applicationProperties: { type: 'PaymentFailed' } },
    ]);
    const all = await everything.receiveMessages(2, { maxWaitTimeInMs: RECEIVE_WAIT_MS });
    const more = all.length < 2 ? await everything.receiveMessages(1, { maxWaitTimeInMs: RECEIVE_WAIT_MS }) : [];
    assert.deepEqual(
      [...all, ...more].map((m) => m.body),
      ['paid', 'failed'],
    );
    const selected = await paidOnly.receiveMessages(2, { maxWaitTimeInMs: 1_000 });
    assert.deepEqual(
      selected.map((m) => m.body),
      ['paid'],
    );
    await sender.close();
    await everything.close();
    await paidOnly.close();
  });
});

describe('errors the SDK raises against real Service Bus', () => {
  test('an unknown queue is MessagingEntityNotFound', async () => {
    const sender = env.client.createSender('no-such-queue');
    await expectServiceBusError(sender.sendMessages({ body: 'lost' }), 'MessagingEntityNotFound');
    await sender.close();
  });

  test('a wrong key is UnauthorizedAccess', async () => {
    const intruder = new ServiceBusClient(env.emulator.connectionString('not-the-key'), {
      retryOptions: { maxRetries: 0 },
    });
    const sender = intruder.createSender('basic');
    await expectServiceBusError(sender.sendMessages({ body: 'denied' }), 'UnauthorizedAccess');
    await intruder.close();
  });

  test('a message over the size limit is MessageSizeExceeded', async () => {
    const sender = env.client.createSender('basic');
    await expectServiceBusError(sender.sendMessages({ body: 'x'.repeat(300 * 1024) }), 'MessageSizeExceeded');
    await sender.close();
  });
});

describe('fault injection through the admin API', () => {
  async function addFault(rule) {
    const response = await fetch(`${env.emulator.adminUrl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    assert.equal(response.status, 201);
    return response.json();
  }

  after(async () => {
    await fetch(`${env.emulator.adminUrl}/faults`, { method: 'DELETE' });
  });

  // The JavaScript SDK names com.microsoft:server-busy "ServiceBusy" (its ServerBusyError).
  test('an error fault on send is ServiceBusy, then the rule expires', async () => {
    await addFault({ entity: 'faults', operation: 'send', action: 'error', count: 1 });
    const impatient = new ServiceBusClient(env.emulator.connectionString(), { retryOptions: { maxRetries: 0 } });
    const sender = impatient.createSender('faults');
    await expectServiceBusError(sender.sendMessages({ body: 'refused' }), 'ServiceBusy');
    await sender.sendMessages({ body: 'accepted' });
    const receiver = impatient.createReceiver('faults', { receiveMode: 'receiveAndDelete' });
    const messages = await receiver.receiveMessages(5, { maxWaitTimeInMs: 1_000 });
    assert.deepEqual(
      messages.map((m) => m.body),
      ['accepted'],
    );
    await impatient.close();
  });

  test('a lost-lock fault on complete is MessageLockLost', async () => {
    await addFault({ entity: 'faults', operation: 'complete', action: 'lose-lock', count: 1 });
    const sender = env.client.createSender('faults');
    const receiver = env.client.createReceiver('faults');
    await sender.sendMessages({ body: 'fragile' });
    const message = await receiveOne(receiver);
    await expectServiceBusError(receiver.completeMessage(message), 'MessageLockLost');
    const again = await receiveOne(receiver);
    assert.equal(again.deliveryCount, 1);
    await receiver.completeMessage(again);
    await sender.close();
    await receiver.close();
  });
});

describe('SQL rules and the rule manager', () => {
  test("a SQL filter selects and its action rewrites the subscription's copy", async () => {
    const sender = env.client.createSender('sql-events');
    const receiver = env.client.createReceiver('sql-events', 'sql', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages([
      { body: 'big', subject: 'order', applicationProperties: { amount: 150 } },
      { body: 'small', subject: 'order', applicationProperties: { amount: 5 } },
    ]);
    const message = await receiveOne(receiver);
    assert.equal(message.body, 'big');
    assert.equal(message.subject, 'vip');
    assert.deepEqual(message.applicationProperties, { amount: 150, tier: 'gold', RuleName: 'gold' });
    assert.equal(await receiveOne(receiver, 500), undefined);
    await sender.close();
    await receiver.close();
  });

  test('rules are listed, created and deleted at run time over $management', async () => {
    const rules = env.client.createRuleManager('rules', 'managed');
    const initial = [];
    for await (const rule of rules.listRules()) initial.push(rule);
    assert.deepEqual(
      initial.map((rule) => [rule.name, rule.filter.sqlExpression]),
      [['$Default', '1=1']],
    );
    await rules.createRule('big', { sqlExpression: 'amount > 10' }, { sqlExpression: "SET tier = 'gold'" });
    await rules.createRule('paid', { subject: 'PaymentSucceeded', applicationProperties: { v: '1' } });
    await rules.deleteRule('$Default');
    await expectServiceBusError(rules.createRule('big', { sqlExpression: '1=1' }), 'MessagingEntityAlreadyExists');
    await assert.rejects(rules.createRule('broken', { sqlExpression: 'amount >' }), /column/);
    await expectServiceBusError(rules.deleteRule('missing'), 'MessagingEntityNotFound');
    const listed = [];
    for await (const rule of rules.listRules()) listed.push(rule);
    assert.deepEqual(
      listed.map((rule) => rule.name),
      ['big', 'paid'],
    );
    assert.equal(listed[0].filter.sqlExpression, 'amount > 10');
    assert.equal(listed[0].action.sqlExpression, "SET tier = 'gold'");
    assert.equal(listed[1].filter.subject, 'PaymentSucceeded');
    assert.deepEqual(listed[1].filter.applicationProperties, { v: '1' });

    const sender = env.client.createSender('rules');
    const receiver = env.client.createReceiver('rules', 'managed', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages([
      { body: 'large', applicationProperties: { amount: 50 } },
      { body: 'tiny', applicationProperties: { amount: 1 } },
    ]);
    const message = await receiveOne(receiver);
    assert.equal(message.body, 'large');
    assert.equal(message.applicationProperties.tier, 'gold');
    assert.equal(await receiveOne(receiver, 500), undefined);
    await sender.close();
    await receiver.close();
  });
});
