/**
 * What one request costs the order service in CPU: the server process's own CPU time (user + system, from
 * /proc/<pid>/stat) divided by the requests served, for POST /orders (the outbox relay's sends and its
 * polling included: they are part of what an order costs), for GET /orders/{id} (the shoppers' status
 * polls) and for each PaymentSucceeded consumed from payment-events (the order PAID, its reservation
 * confirmed at the product service, its OrderStatusChanged relayed), plus the process's start-up time and
 * resident memory. The payment outcomes are published for every order placed at once, as a burst, and the
 * phase ends when the last order is PAID; its wall time over the count is the consumer's throughput. Last,
 * the saga under load: shoppers place orders and poll them while each order's outcome is published, with
 * `--hog` busy processes beside them (a machine the whole platform saturates), giving the CPU per order and
 * the latency from the outcome to the PAID write. CPU time per request is far steadier than latency on a
 * shared machine. The whole local chain runs behind it on free ports: the Cosmos DB server and Azurite, the
 * product service, the Service Bus and Event Hubs emulators.
 *
 *   npm run bench:cpu --workspace services/order -- [--entry dist/index.js ...] [--rounds 1] [--orders 400]
 *     [--gets 4000] [--concurrency 8] [--load-seconds 20] [--shoppers 32] [--hog 0] [--cpu-prof DIR]
 *     [--env NAME=VALUE ...] [--node-arg ARG ...]
 *
 * `--entry` is relative to services/order: `src/index.ts` (through tsx, the default) or `dist/index.js`
 * (`npm run build` first), or an absolute path (another checkout's build: before and after in one run).
 * Several entries are measured in turn against the same components, `--rounds` times. `--cpu-prof DIR` writes a V8 CPU profile of the order process there on exit.
 * `--env` sets an ORDER_* variable of the order process (e.g. `--env ORDER_OUTBOX_GATHER_MS=10`), `--node-arg`
 * adds a Node.js flag (e.g. `--node-arg=--max-semi-space-size=4`); both may be repeated.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import {
  freePort,
  productAdminToken,
  spawnOrderService,
  startSagaDependencies,
  stopProcess,
  waitFor,
} from '../test/platform.js';

const { values } = parseArgs({
  options: {
    entry: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '1' },
    'load-seconds': { type: 'string', default: '20' },
    shoppers: { type: 'string', default: '32' },
    hog: { type: 'string', default: '0' },
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
const entries = values.entry.length > 0 ? values.entry : ['src/index.ts'];
const rounds = Number(values.rounds);
const loadSeconds = Number(values['load-seconds']);
const shoppers = Number(values.shoppers);
const hogs = Number(values.hog);

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

/** The value below which `share` of the sorted `values` lie. */
function quantile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? NaN;
}

interface SagaUnderLoad {
  readonly orders: number;
  readonly polls: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  /** POST /orders round trips, sorted (ms). */
  readonly postMs: number[];
  /** From the PaymentSucceeded handed to the broker to the order's PAID write (its updatedAt), sorted (ms). */
  readonly paidMs: number[];
}

/**
 * The saga while order is busy, as the load gate drives it (loadtests/): `shoppers` closed-loop clients each
 * think 0.2-0.6 s, place an order, and poll it every 250 ms until it is PAID; each order's PaymentSucceeded
 * is published as soon as it is placed, as the payment worker would. The latency from the outcome to the
 * PAID write is read from the order's own `updatedAt` (the same machine's clock), not from the polls.
 */
async function sagaUnderLoad(
  base: string,
  sender: ServiceBusSender,
  place: () => Promise<{ status: number; id?: string; total?: string }>,
  pid: number,
): Promise<SagaUnderLoad> {
  const postMs: number[] = [];
  const paidMs: number[] = [];
  let polls = 0;
  const cpu = cpuSeconds(pid);
  const started = performance.now();
  const deadline = started + loadSeconds * 1000;
  const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
  const shopper = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await sleep(200 + Math.random() * 400);
      const posting = performance.now();
      const placed = await place();
      postMs.push(performance.now() - posting);
      if (placed.status !== 201 || placed.id === undefined) throw new Error(`POST /orders answered ${placed.status}`);
      const sentAt = Date.now();
      await sender.sendMessages(paymentSucceeded(placed.id, placed.total ?? '9.99'));
      for (;;) {
        await sleep(250);
        const order = (await (await fetch(`${base}/orders/${placed.id}`)).json()) as {
          status: string;
          updatedAt: string;
        };
        polls += 1;
        if (order.status === 'PAID') {
          paidMs.push(Date.parse(order.updatedAt) - sentAt);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: shoppers }, shopper));
  const wallSeconds = (performance.now() - started) / 1000;
  await outboxDrained(base);
  return {
    orders: postMs.length,
    polls,
    cpuSeconds: cpuSeconds(pid) - cpu,
    wallSeconds,
    postMs: postMs.sort((a, b) => a - b),
    paidMs: paidMs.sort((a, b) => a - b),
  };
}

/** Busy processes beside the bench, to mimic a machine the whole platform saturates; returns their stopper. */
function startHogs(count: number): () => void {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return () => {
    for (const child of children) child.kill('SIGKILL');
  };
}

/** One order process (`entry`) on a database of its own against the shared components: every phase, printed. */
async function measure(
  entry: string,
  productUrl: string,
  servicebusConnectionString: string,
  eventhubsConnectionString: string,
  productId: string,
): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const dir = mkdtempSync(join(tmpdir(), 'order-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
    const started = performance.now();
    const order = spawnOrderService({
      port,
      sqlitePath: join(dir, 'orders.sqlite'),
      productUrl: productUrl,
      servicebusConnectionString: servicebusConnectionString,
      eventhubsConnectionString: eventhubsConnectionString,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ORDER_LOG_LEVEL: 'info',
        ...Object.fromEntries(
          values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
        ),
      },
      entry: entry,
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
    const postOrder = async (): Promise<{ status: number; id?: string; total?: string }> => {
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
      return { status: response.status, id: body.id, total: body.total?.value };
    };
    const placeOne = async (): Promise<number> => {
      const placed = await postOrder();
      if (placed.status === 201 && placed.id !== undefined) orderIds.push(placed.id);
      if (placed.total !== undefined) total = placed.total;
      return placed.status;
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
    const bus = new ServiceBusClient(servicebusConnectionString);
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

    const stopHogs = startHogs(hogs);
    const load = await sagaUnderLoad(base, sender, postOrder, pid).finally(stopHogs);
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
        `order service (${entry}), ${concurrency} concurrent clients` +
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
        `  saga under load (${shoppers} shoppers, ${hogs} CPU hogs, ${loadSeconds} s): ` +
          `${((load.cpuSeconds * 1000) / load.orders).toFixed(2)} CPU ms/order with its ${(load.polls / load.orders).toFixed(1)} polls and its outcome, ` +
          `${(load.orders / load.wallSeconds).toFixed(0)} orders/s;  POST p50 ${quantile(load.postMs, 0.5).toFixed(0)} ms, p95 ${quantile(load.postMs, 0.95).toFixed(0)} ms;  ` +
          `outcome to PAID p50 ${quantile(load.paidMs, 0.5).toFixed(0)} ms, p95 ${quantile(load.paidMs, 0.95).toFixed(0)} ms, max ${(load.paidMs.at(-1) ?? NaN).toFixed(0)} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const { product, servicebus, eventhubs } = await startSagaDependencies(cleanups);

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

    for (let round = 0; round < rounds; round += 1) {
      for (const entry of entries) {
        await measure(entry, product.url, servicebus.connectionString, eventhubs.connectionString, productId);
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

await main();
