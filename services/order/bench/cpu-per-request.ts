/**
 * What one request costs the order service in CPU: the server process's own CPU time (user + system, from
 * /proc/<pid>/stat) divided by the requests served, for POST /orders (the outbox relay's sends and its
 * polling included: they are part of what an order costs), for GET /orders/{id} (the shoppers' status
 * polls) and for each PaymentSucceeded consumed from payment-events (the order PAID, its reservation
 * confirmed at the product service, its OrderStatusChanged relayed), plus the process's start-up time and
 * resident memory. The payment outcomes are published for every order placed at once, as a burst, and the
 * phase ends when the last order is PAID; its wall time over the count is the consumer's throughput. CPU time per request is far steadier than
 * latency on a shared machine. The whole local chain runs behind it on free ports: the Cosmos DB server and
 * Azurite, the product service, the Service Bus and Event Hubs emulators.
 *
 *   npm run bench:cpu --workspace services/order -- [--entry dist/index.js] [--orders 400] [--gets 4000]
 *     [--concurrency 8] [--cpu-prof DIR] [--env NAME=VALUE ...] [--node-arg ARG ...]
 *
 * `--entry` is relative to services/order: `src/index.ts` (through tsx, the default) or `dist/index.js`
 * (`npm run build` first). `--cpu-prof DIR` writes a V8 CPU profile of the order process there on exit.
 * `--env` sets an ORDER_* variable of the order process (e.g. `--env ORDER_OUTBOX_GATHER_MS=10`), `--node-arg`
 * adds a Node.js flag (e.g. `--node-arg=--max-semi-space-size=4`); both may be repeated.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import {
  freePort,
  productAdminToken,
  spawnOrderService,
  startEmulator,
  startProductService,
  startStorageEmulators,
  stopProcess,
  waitFor,
} from '../test/platform.js';

const { values } = parseArgs({
  options: {
    entry: { type: 'string', default: 'src/index.ts' },
    orders: { type: 'string', default: '400' },
    gets: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '8' },
    'cpu-prof': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const orders = Number(values.orders);
const gets = Number(values.gets);
const concurrency = Number(values.concurrency);

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds the process has used so far, in user space and in the kernel (its syscalls, loopback TCP). */
function cpuTimes(pid: number): { user: number; system: number } {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of the process the bench started
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

function residentMiB(pid: number): number {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of the process the bench started
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** Runs `count` calls of `call`, `concurrency` at a time; returns the answers' status counts. */
async function drive(count: number, call: (i: number) => Promise<number>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const status = await call(next++);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** How often a phase's end is looked for on /metrics. */
const SCRAPE_EVERY_MS = 250;

/** The `order_payment_events_handled_total` count of PaymentSucceeded messages applied so far. */
async function paymentsApplied(base: string): Promise<number> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const line = /^order_payment_events_handled_total\{type="PaymentSucceeded",outcome="applied"\} (\d+)$/m.exec(metrics);
  return Number(line?.[1] ?? 0);
}

/** A PaymentSucceeded v1 for `orderId` (contract-tests/messages), as the payment worker publishes it. */
function paymentSucceeded(orderId: string, total: string): ServiceBusMessage {
  const id = randomUUID();
  return {
    body: Buffer.from(
      JSON.stringify({
        id,
        type: 'PaymentSucceeded',
        version: 1,
        occurredAt: new Date().toISOString(),
        correlationId: orderId,
        data: { orderId, paymentId: randomUUID(), amount: { value: total, currency: 'USD' }, authorizationCode: 'A1' },
      }),
    ),
    contentType: 'application/json',
    messageId: id,
    applicationProperties: { type: 'PaymentSucceeded', version: 1 },
  };
}

/** Waits until the outbox is drained (the relay's work for the orders placed is part of their cost). */
async function outboxDrained(base: string): Promise<void> {
  // Every look is a scrape the order process pays for (its gauges query the database): a few per phase only.
  for (let i = 0; i < 120; i += 1) {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    if (/^order_outbox_pending_messages 0$/m.test(metrics)) return;
    await new Promise((done) => setTimeout(done, SCRAPE_EVERY_MS));
  }
  throw new Error('the outbox did not drain within 30 s');
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const storage = await startStorageEmulators();
    cleanups.push(() => storage.stop());
    const product = await startProductService(storage);
    cleanups.push(() => product.stop());
    const servicebus = await startEmulator('servicebus');
    cleanups.push(() => servicebus.stop());
    const eventhubs = await startEmulator('eventhubs');
    cleanups.push(() => eventhubs.stop());

    const productId = `bench-${randomUUID().slice(0, 8)}`;
    const created = await fetch(`${product.url}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${productAdminToken()}` },
      body: JSON.stringify({
        id: productId,
        name: 'Bench',
        category: 'kitchen',
        price: '9.99',
        currency: 'USD',
        stock: 1e6,
      }),
    });
    if (created.status !== 201) throw new Error(`product create answered ${created.status}`);

    const dir = mkdtempSync(join(tmpdir(), 'order-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
    const started = performance.now();
    const order = spawnOrderService({
      port,
      sqlitePath: join(dir, 'orders.sqlite'),
      productUrl: product.url,
      servicebusConnectionString: servicebus.connectionString,
      eventhubsConnectionString: eventhubs.connectionString,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ORDER_LOG_LEVEL: 'info',
        ...Object.fromEntries(
          values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
        ),
      },
      entry: values.entry,
      nodeArgs: [
        ...values['node-arg'],
        ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
      ],
    });
    cleanups.push(() => stopProcess(order, 15_000));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 60_000, order);
    const startupMs = performance.now() - started;
    const pid = order.pid as number;
    const idleRss = residentMiB(pid);

    const orderIds: string[] = [];
    let total = '9.99';
    const placeOne = async (): Promise<number> => {
      const response = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          customer: { email: `bench-${Math.floor(Math.random() * 1000)}@example.com`, name: 'Bench' },
          items: [{ productId, quantity: 1 }],
          paymentMethod: { type: 'card', token: '4242424242424242' },
        }),
      });
      const body = (await response.json()) as { id?: string; total?: { value: string } };
      if (response.status === 201 && body.id !== undefined) orderIds.push(body.id);
      if (body.total !== undefined) total = body.total.value;
      return response.status;
    };
    await drive(20, placeOne); // warm-up: JIT, connections, prepared statements
    await outboxDrained(base);

    const before = cpuTimes(pid);
    let cpu = cpuSeconds(pid);
    let wall = performance.now();
    const posted = await drive(orders, placeOne);
    await outboxDrained(base);
    const postCpu = cpuSeconds(pid) - cpu;
    const postWall = (performance.now() - wall) / 1000;

    cpu = cpuSeconds(pid);
    wall = performance.now();
    const got = await drive(gets, async (i) => {
      const response = await fetch(`${base}/orders/${orderIds[i % orderIds.length] ?? 'none'}`);
      await response.arrayBuffer();
      return response.status;
    });
    const getCpu = cpuSeconds(pid) - cpu;
    const getWall = (performance.now() - wall) / 1000;

    // Every order placed (the warm-up's too) gets its PaymentSucceeded; the warm-up's are consumed first.
    const bus = new ServiceBusClient(servicebus.connectionString);
    cleanups.push(() => bus.close());
    const sender = bus.createSender('payment-events');
    const warmedUp = orderIds.splice(0, 20);
    await sender.sendMessages(warmedUp.map((id) => paymentSucceeded(id, total)));
    const paid = async (count: number): Promise<void> => {
      for (let i = 0; i < 240; i += 1) {
        if ((await paymentsApplied(base)) >= count) return;
        await new Promise((done) => setTimeout(done, SCRAPE_EVERY_MS));
      }
      throw new Error(`${count} payment outcomes were not applied within 60 s`);
    };
    await paid(warmedUp.length);
    await outboxDrained(base);
    cpu = cpuSeconds(pid);
    wall = performance.now();
    for (let i = 0; i < orderIds.length; i += 100) {
      await sender.sendMessages(orderIds.slice(i, i + 100).map((id) => paymentSucceeded(id, total)));
    }
    await paid(warmedUp.length + orderIds.length);
    const paidWall = (performance.now() - wall) / 1000;
    await outboxDrained(base);
    const paidCpu = cpuSeconds(pid) - cpu;

    // The saga step's latency inside order with nothing else to do: one outcome at a time, from the send
    // accepted by the broker to the order PAID (read back through the API, as the shoppers see it).
    const latencies: number[] = [];
    const extra: string[] = [];
    await drive(Math.min(20, orders), async () => {
      await placeOne();
      return 201;
    });
    extra.push(...orderIds.splice(-Math.min(20, orders)));
    await outboxDrained(base);
    for (const orderId of extra) {
      await sender.sendMessages(paymentSucceeded(orderId, total));
      const sent = performance.now();
      for (;;) {
        const order = (await (await fetch(`${base}/orders/${orderId}`)).json()) as { status: string };
        if (order.status === 'PAID') break;
        await new Promise((done) => setTimeout(done, 2));
      }
      latencies.push(performance.now() - sent);
    }
    latencies.sort((a, b) => a - b);
    await sender.close();
    const loadedRss = residentMiB(pid);
    const spent = cpuTimes(pid);
    const systemShare = (spent.system - before.system) / (spent.user - before.user + spent.system - before.system);
    // Where the resident memory sits: the V8 heap (used of total) and memory outside it (buffers, SQLite).
    const gauges = await (await fetch(`${base}/metrics`)).text();
    const gaugeMiB = (name: string): string => {
      const sample = gauges.split('\n').find((text) => text.startsWith(`${name} `));
      return (Number(sample?.slice(name.length + 1) ?? NaN) / 1048576).toFixed(0);
    };
    const heap =
      `V8 heap ${gaugeMiB('nodejs_heap_size_used_bytes')} of ${gaugeMiB('nodejs_heap_size_total_bytes')} MiB, ` +
      `external ${gaugeMiB('nodejs_external_memory_bytes')} MiB`;

    const line = (
      what: string,
      count: number,
      seconds: number,
      elapsed: number,
      answers: Map<number, number>,
    ): string =>
      `  ${what.padEnd(20)} ${((seconds * 1000) / count).toFixed(2).padStart(7)} CPU ms/request` +
      `  (${count} requests, ${(count / elapsed).toFixed(0)} req/s, answers ${JSON.stringify(Object.fromEntries(answers))})`;
    process.stdout.write(
      [
        `order service (${values.entry}), ${concurrency} concurrent clients` +
          (values.env.length + values['node-arg'].length > 0
            ? `, with ${[...values['node-arg'], ...values.env].join(' ')}`
            : ''),
        `  start-up to /health: ${startupMs.toFixed(0)} ms;  RSS idle ${idleRss.toFixed(0)} MiB, after load ${loadedRss.toFixed(0)} MiB (${heap});  ${(systemShare * 100).toFixed(0)}% of the CPU below in the kernel`,
        line('POST /orders', orders, postCpu, postWall, posted),
        line('GET /orders/{id}', gets, getCpu, getWall, got),
        `  ${'PaymentSucceeded'.padEnd(20)} ${((paidCpu * 1000) / orderIds.length).toFixed(2).padStart(7)} CPU ms/message` +
          `  (${orderIds.length} consumed, ${(orderIds.length / paidWall).toFixed(0)} msg/s, the order PAID, its reservation confirmed and its event relayed)`,
        `  one PaymentSucceeded at a time, sent to order PAID: median ${(latencies[latencies.length >> 1] ?? NaN).toFixed(0)} ms, ` +
          `max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms (${latencies.length} messages)`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

await main();
