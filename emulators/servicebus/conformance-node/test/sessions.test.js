// Sessions with @azure/service-bus: acceptSession / acceptNextSession, FIFO, exclusive locks,
// renew, session state, and the error codes for each refusal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { useEmulatorClient } from './emulator.js';

const RECEIVE_WAIT_MS = 2_000;
// No retries: the SDK would retry a refused accept with back-off, past the config's 2 s session lock.
const RETRY_OPTIONS = { maxRetries: 0, timeoutInMs: 3_000 };

const env = useEmulatorClient({ retryOptions: RETRY_OPTIONS });

async function expectServiceBusError(promise, codes) {
  await assert.rejects(promise, (error) => {
    assert.ok(isServiceBusError(error), `expected a ServiceBusError, got ${error?.name}: ${error?.message}`);
    assert.ok(codes.includes(error.code), `unexpected code ${error.code}`);
    return true;
  });
}

async function receiveAll(receiver, count) {
  const received = [];
  while (received.length < count) {
    const batch = await receiver.receiveMessages(count - received.length, { maxWaitTimeInMs: RECEIVE_WAIT_MS });
    if (batch.length === 0) break;
    received.push(...batch);
  }
  return received;
}

describe('sessions', () => {
  test('acceptSession receives only its session, in order', async () => {
    const sender = env.client.createSender('sessions');
    await sender.sendMessages([
      { body: 'a1', sessionId: 'a' },
      { body: 'b1', sessionId: 'b' },
      { body: 'a2', sessionId: 'a' },
      { body: 'a3', sessionId: 'a' },
    ]);
    const receiver = await env.client.acceptSession('sessions', 'a');
    assert.equal(receiver.sessionId, 'a');
    assert.ok(receiver.sessionLockedUntilUtc > new Date());
    const received = await receiveAll(receiver, 3);
    assert.deepEqual(
      received.map((m) => m.body),
      ['a1', 'a2', 'a3'],
    );
    for (const message of received) await receiver.completeMessage(message);
    await receiver.close();
    const other = await env.client.acceptSession('sessions', 'b');
    const [b1] = await receiveAll(other, 1);
    assert.equal(b1.body, 'b1');
    await other.completeMessage(b1);
    await other.close();
    await sender.close();
  });

  test('a held session cannot be accepted twice', async () => {
    const sender = env.client.createSender('sessions-exclusive');
    await sender.sendMessages({ body: 'x', sessionId: 'held' });
    const holder = await env.client.acceptSession('sessions-exclusive', 'held');
    await expectServiceBusError(env.client.acceptSession('sessions-exclusive', 'held'), ['SessionCannotBeLocked']);
    const [message] = await receiveAll(holder, 1);
    await holder.completeMessage(message);
    await holder.close();
    await sender.close();
  });

  test('acceptNextSession takes the oldest available session, then times out', async () => {
    const sender = env.client.createSender('sessions-next');
    await sender.sendMessages([
      { body: '1', sessionId: 'first' },
      { body: '2', sessionId: 'second' },
    ]);
    const one = await env.client.acceptNextSession('sessions-next');
    const two = await env.client.acceptNextSession('sessions-next');
    assert.deepEqual([one.sessionId, two.sessionId], ['first', 'second']);
    for (const receiver of [one, two]) {
      const [message] = await receiveAll(receiver, 1);
      await receiver.completeMessage(message);
      await receiver.close();
    }
    await sender.close();
    // A client of its own: waiting for a session holds up that connection (see the README).
    const waiting = new ServiceBusClient(env.emulator.connectionString(), {
      retryOptions: { maxRetries: 0, timeoutInMs: 1_000 },
    });
    await expectServiceBusError(waiting.acceptNextSession('sessions-next'), ['ServiceTimeout']);
    await waiting.close();
  });

  test('session state and lock renewal', async () => {
    const sender = env.client.createSender('sessions-state');
    await sender.sendMessages({ body: 's', sessionId: 'stateful' });
    const receiver = await env.client.acceptSession('sessions-state', 'stateful');
    assert.equal(await receiver.getSessionState(), null);
    await receiver.setSessionState({ step: 2 });
    assert.deepEqual(await receiver.getSessionState(), { step: 2 });
    const before = receiver.sessionLockedUntilUtc;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await receiver.renewSessionLock();
    assert.ok(receiver.sessionLockedUntilUtc > before);
    const [message] = await receiveAll(receiver, 1);
    await receiver.completeMessage(message);
    await receiver.close();
    await sender.close();
  });

  test('a subscription that requires sessions', async () => {
    const sender = env.client.createSender('session-events');
    await sender.sendMessages([
      { body: 't1', sessionId: 't' },
      { body: 't2', sessionId: 't' },
    ]);
    const receiver = await env.client.acceptNextSession('session-events', 'by-session');
    assert.equal(receiver.sessionId, 't');
    const received = await receiveAll(receiver, 2);
    assert.deepEqual(
      received.map((m) => m.body),
      ['t1', 't2'],
    );
    for (const message of received) await receiver.completeMessage(message);
    await receiver.close();
    await sender.close();
  });

  test('a message without a session id is refused by a session queue', async () => {
    const sender = env.client.createSender('sessions');
    await assert.rejects(sender.sendMessages({ body: 'no session' }), (error) => isServiceBusError(error));
    await sender.close();
  });
});
