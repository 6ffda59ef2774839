// Order's calls to Azure services, each kind alone, with the official SDKs as services/order/src/adapters
// makes them: PaymentRequested sent to payment-requests in batches, OrderStatusChanged sent to order-events
// in a batch of its own per event (partition key: the order id), the payment outcome received from
// payment-events/order-service in peek-lock and completed.
//
//   node node_legs.mjs send    SERVICE_BUS EVENT_HUBS N WARM_UP '{"servicebus": PID, "eventhubs": PID}'
//   node node_legs.mjs receive SERVICE_BUS N '{"servicebus": PID}'
//
// Prints one JSON line per leg: its calls, this process's CPU ms and each emulator's CPU ms meanwhile. A send
// leg first sends WARM_UP more off the clock; the receivers take any N of what is there.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { EventHubProducerClient } from '@azure/event-hubs';

const CONCURRENCY = 8;
const SEND_BATCH = 10;
const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux
const EXAMPLES = new URL('../../contract-tests/messages/examples/', import.meta.url);

function emulatorCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function measured(leg, calls, servers, work) {
  const before = Object.fromEntries(Object.entries(servers).map(([name, pid]) => [name, emulatorCpuMs(pid)]));
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  const emulators = Object.fromEntries(
    Object.entries(servers).map(([name, pid]) => [name, emulatorCpuMs(pid) - before[name]]),
  );
  console.log(JSON.stringify({ leg, calls, clientMs: (used.user + used.system) / 1000, emulators }));
}

function example(name) {
  return JSON.parse(readFileSync(new URL(`${name}.v1.json`, EXAMPLES), 'utf8'));
}

async function inParallel(n, call) {
  const workers = Array.from({ length: CONCURRENCY }, async (_, first) => {
    for (let index = first; index < n; index += CONCURRENCY) await call(index);
  });
  await Promise.all(workers);
}

async function send(serviceBus, eventHubs, n, warmUp, servers) {
  const bus = new ServiceBusClient(serviceBus);
  const sender = bus.createSender('payment-requests');
  const producer = new EventHubProducerClient(eventHubs);
  const requested = example('PaymentRequested');
  const changed = example('OrderStatusChanged');

  async function sendRequests(count) {
    for (let first = 0; first < count; first += SEND_BATCH) {
      const batch = [];
      for (let index = first; index < Math.min(count, first + SEND_BATCH); index += 1) {
        const orderId = `ord_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
        batch.push({
          body: Buffer.from(JSON.stringify({ ...requested, id: randomUUID(), correlationId: orderId })),
          contentType: 'application/json',
          messageId: orderId,
          correlationId: orderId,
          subject: 'PaymentRequested',
          applicationProperties: { type: 'PaymentRequested', version: 1 },
        });
      }
      await sender.sendMessages(batch);
    }
  }

  function sendEvents(count) {
    return inParallel(count, async (index) => {
      const orderId = `ord_${Math.floor(index / 2)}`;
      const batch = await producer.createBatch({ partitionKey: orderId });
      batch.tryAdd({
        body: Buffer.from(JSON.stringify({ ...changed, id: randomUUID(), correlationId: orderId })),
        contentType: 'application/json',
        properties: { type: 'OrderStatusChanged', version: 1 },
      });
      await producer.sendBatch(batch);
    });
  }

  try {
    await sendRequests(warmUp);
    await measured('service-bus-send', n, { servicebus: servers.servicebus }, () => sendRequests(n));
    await sendEvents(warmUp);
    await measured('event-hubs-send', n, { eventhubs: servers.eventhubs }, () => sendEvents(n));
  } finally {
    await sender.close();
    await bus.close();
    await producer.close();
  }
}

async function receive(serviceBus, n, servers) {
  const bus = new ServiceBusClient(serviceBus);
  const receiver = bus.createReceiver('payment-events', 'order-service', { receiveMode: 'peekLock' });
  try {
    await measured('service-bus-receive', n, { servicebus: servers.servicebus }, async () => {
      let completed = 0;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`payment-events: ${completed} of ${n} arrived`)), 120_000);
        const subscription = receiver.subscribe(
          {
            processMessage: async (message) => {
              await receiver.completeMessage(message);
              completed += 1;
              if (completed === n) {
                clearTimeout(timer);
                subscription.close().then(resolve, reject);
              }
            },
            processError: async ({ error }) => reject(error),
          },
          { autoCompleteMessages: false, maxConcurrentCalls: CONCURRENCY },
        );
      });
    });
  } finally {
    await receiver.close();
    await bus.close();
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'send') await send(rest[0], rest[1], Number(rest[2]), Number(rest[3]), JSON.parse(rest[4]));
else if (mode === 'receive') await receive(rest[0], Number(rest[1]), JSON.parse(rest[2]));
else throw new Error(`unknown mode ${mode}: send or receive`);
