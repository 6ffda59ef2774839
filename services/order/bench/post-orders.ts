/**
 * POST /orders throughput and latency with the whole local chain behind it: the order service as its own
 * process (SQLite file, outbox relay and payment-events receiver running) in front of the real product
 * service (Cosmos DB server, Azurite) and the Service Bus and Event Hubs emulators, all on free ports.
 *
 *   npm run bench --workspace services/order -- [--seconds 20] [--concurrency 16] [--warmup 3]
 *
 * Prints requests per second and p50/p95/p99 latency of the 201 answers; every other answer is counted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const { product, servicebus, eventhubs } = await startSagaDependencies(cleanups);

    const productIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const id = `bench-${randomUUID().slice(0, 8)}`;
      const response = await fetch(`${product.url}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${productAdminToken()}` },
        body: JSON.stringify({
          id,
          name: `Bench ${i}`,
          category: 'kitchen',
          price: '9.99',
          currency: 'USD',
          stock: 1_000_000,
        }),
      });
      if (response.status !== 201) throw new Error(`product create answered ${response.status}`);
      productIds.push(id);
    }

    const dir = mkdtempSync(join(tmpdir(), 'order-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const order = spawnOrderService({
      port,
      sqlitePath: join(dir, 'orders.sqlite'),
      productUrl: product.url,
      servicebusConnectionString: servicebus.connectionString,
      eventhubsConnectionString: eventhubs.connectionString,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ORDER_LOG_LEVEL: 'warn' },
    });
    cleanups.push(() => stopProcess(order, 15_000));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 30_000, order);

    const latencies: number[] = [];
    const others = new Map<number, number>();
    let measuring = false;
    const stopAt = Date.now() + (warmup + seconds) * 1000;
    setTimeout(() => {
      measuring = true;
    }, warmup * 1000);
    let measuredFrom = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < stopAt) {
        const items = [{ productId: productIds[Math.floor(Math.random() * productIds.length)] as string, quantity: 1 }];
        const started = performance.now();
        const response = await fetch(`${base}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            customer: { email: `bench-${Math.floor(Math.random() * 1000)}@example.com`, name: 'Bench' },
            items,
            paymentMethod: { type: 'card', token: '4242424242424242' },
          }),
        });
        await response.arrayBuffer();
        const elapsed = performance.now() - started;
        if (!measuring) continue;
        if (measuredFrom === 0) measuredFrom = performance.now();
        if (response.status === 201) latencies.push(elapsed);
        else others.set(response.status, (others.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wall = (performance.now() - measuredFrom) / 1000;
    const backlog = await (await fetch(`${base}/metrics`)).text();
    latencies.sort((a, b) => a - b);
    const pending = /^order_outbox_pending_messages (\d+)/m.exec(backlog)?.[1] ?? '?';
    process.stdout.write(
      [
        `POST /orders, ${concurrency} concurrent clients, ${seconds} s after ${warmup} s warm-up`,
        `  201 answers: ${latencies.length}  other: ${JSON.stringify(Object.fromEntries(others))}`,
        `  throughput:  ${(latencies.length / wall).toFixed(1)} req/s`,
        `  latency ms:  p50 ${percentile(latencies, 50).toFixed(1)}  p95 ${percentile(latencies, 95).toFixed(1)}  p99 ${percentile(latencies, 99).toFixed(1)}`,
        `  outbox rows still pending at the end: ${pending}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

await main();
