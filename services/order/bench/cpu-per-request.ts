/**
 * What one request costs the order service in CPU: the server process's own CPU time (user + system, from
 * /proc/<pid>/stat) divided by the requests served, for POST /orders (the outbox relay's sends and its
 * polling included: they are part of what an order costs) and for GET /orders/{id} (the shoppers' status
 * polls), plus the process's start-up time and resident memory. CPU time per request is far steadier than
 * latency on a shared machine. The whole local chain runs behind it on free ports: the Cosmos DB server and
 * Azurite, the product service, the Service Bus and Event Hubs emulators.
 *
 *   npm run bench:cpu --workspace services/order -- [--entry dist/index.js] [--orders 400] [--gets 4000]
 *     [--concurrency 8] [--cpu-prof DIR]
 *
 * `--entry` is relative to services/order: `src/index.ts` (through tsx, the default) or `dist/index.js`
 * (`npm run build` first). `--cpu-prof DIR` writes a V8 CPU profile of the order process there on exit.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
  },
});
const orders = Number(values.orders);
const gets = Number(values.gets);
const concurrency = Number(values.concurrency);

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of the process the bench started
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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

/** Waits until the outbox is drained (the relay's work for the orders placed is part of their cost). */
async function outboxDrained(base: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    if (/^order_outbox_pending_messages 0$/m.test(metrics)) return;
    await new Promise((done) => setTimeout(done, 100));
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
      env: { ORDER_LOG_LEVEL: 'info' },
      entry: values.entry,
      nodeArgs: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    });
    cleanups.push(() => stopProcess(order, 15_000));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 60_000, order);
    const startupMs = performance.now() - started;
    const pid = order.pid as number;
    const idleRss = residentMiB(pid);

    const orderIds: string[] = [];
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
      const body = (await response.json()) as { id?: string };
      if (response.status === 201 && body.id !== undefined) orderIds.push(body.id);
      return response.status;
    };
    await drive(20, placeOne); // warm-up: JIT, connections, prepared statements
    await outboxDrained(base);

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
    const loadedRss = residentMiB(pid);

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
        `order service (${values.entry}), ${concurrency} concurrent clients`,
        `  start-up to /health: ${startupMs.toFixed(0)} ms;  RSS idle ${idleRss.toFixed(0)} MiB, after load ${loadedRss.toFixed(0)} MiB`,
        line('POST /orders', orders, postCpu, postWall, posted),
        line('GET /orders/{id}', gets, getCpu, getWall, got),
        '',
      ].join('\n'),
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

await main();
