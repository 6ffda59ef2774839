/**
 * Real components for the tests, each on a free loopback port and stopped by whoever started it: Azurite
 * and the Cosmos DB server (through shopctl), the product service (services/product), and, when the suite
 * runner provides them, the Service Bus and Event Hubs emulators.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const VENV_BIN = join(REPO_ROOT, '.venv/bin');

// Public, well-known emulator keys (Cosmos DB emulator, Azurite devstoreaccount1).
const COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const DEV_SIGNING_KEY = 'order-tests-signing-key-long-enough-0123456789';

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        done(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

export async function waitFor(url: string, timeoutMs: number, process?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process !== undefined && process.exitCode !== null) {
      throw new Error(`${url}: process exited with ${process.exitCode}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function stopProcess(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export interface OrderServiceOptions {
  readonly port: number;
  readonly sqlitePath: string;
  readonly productUrl: string;
  readonly servicebusConnectionString: string;
  readonly eventhubsConnectionString: string;
  readonly stdio: StdioOptions;
  /** More ORDER_* settings. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The entry point, relative to services/order: `src/index.ts` (through tsx, the default) or the compiled
   * `dist/index.js` (`npm run build` first), as the platform runs it.
   */
  readonly entry?: string;
  /** More node options (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
}

/** The order service as a process (src/index.ts through tsx by default), in development mode over an SQLite file. */
export function spawnOrderService(options: OrderServiceOptions): ChildProcess {
  const entry = options.entry ?? 'src/index.ts';
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, entry], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: options.stdio,
    env: {
      PATH: process.env['PATH'],
      ORDER_ENVIRONMENT: 'development',
      ORDER_PORT: String(options.port),
      ORDER_SQLITE_PATH: options.sqlitePath,
      ORDER_PRODUCT_URL: options.productUrl,
      ORDER_SERVICEBUS_CONNECTION_STRING: options.servicebusConnectionString,
      ORDER_EVENTHUBS_CONNECTION_STRING: options.eventhubsConnectionString,
      ...options.env,
    },
  });
}

/** Azurite and the Cosmos DB server, started detached by shopctl in a state directory of their own. */
export interface StorageEmulators {
  readonly cosmosUrl: string;
  readonly blobUrl: string;
  stop(): Promise<void>;
}

export async function startStorageEmulators(): Promise<StorageEmulators> {
  const stateDir = mkdtempSync(join(tmpdir(), 'order-tests-'));
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort(), cosmos: await freePort() };
  const env = {
    ...process.env,
    SHOP_PORT_AZURITE_BLOB: String(ports.blob),
    SHOP_PORT_AZURITE_QUEUE: String(ports.queue),
    SHOP_PORT_AZURITE_TABLE: String(ports.table),
    SHOP_PORT_COSMOS_HTTP: String(ports.cosmos),
  };
  const shopctl = join(VENV_BIN, 'shopctl');
  const up = spawnSync(shopctl, ['--state-dir', stateDir, 'up', '--detach', 'azurite', 'cosmos'], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const stop = async (): Promise<void> => {
    spawnSync(shopctl, ['--state-dir', stateDir, 'down'], { cwd: REPO_ROOT, env, timeout: 60_000 });
    await rm(stateDir, { recursive: true, force: true });
  };
  if (up.status !== 0) {
    await stop();
    throw new Error(`shopctl up failed: ${up.stderr || up.stdout}`);
  }
  return {
    cosmosUrl: `http://127.0.0.1:${ports.cosmos}/`,
    blobUrl: `http://127.0.0.1:${ports.blob}/devstoreaccount1`,
    stop,
  };
}

/** The product service (services/product) as a process, with a database and container of its own. */
export interface ProductService {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startProductService(storage: StorageEmulators): Promise<ProductService> {
  const port = await freePort();
  const child = spawn(join(VENV_BIN, 'product-service'), [], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env['PATH'],
      PRODUCT_ENVIRONMENT: 'development',
      PRODUCT_HOST: '127.0.0.1',
      PRODUCT_PORT: String(port),
      PRODUCT_LOG_LEVEL: 'WARNING',
      PRODUCT_COSMOS_ENDPOINT: storage.cosmosUrl,
      PRODUCT_COSMOS_KEY: COSMOS_KEY,
      PRODUCT_COSMOS_DATABASE: `order-tests-${randomUUID().slice(0, 8)}`,
      PRODUCT_COSMOS_ENABLE_ENDPOINT_DISCOVERY: 'false',
      PRODUCT_COSMOS_FORCE_CROSS_PARTITION_HEADER: 'true',
      PRODUCT_BLOB_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=${storage.blobUrl};`,
      PRODUCT_AUTH_MODE: 'dev',
      PRODUCT_AUTH_DEV_SIGNING_KEY: DEV_SIGNING_KEY,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/ready`, 60_000, child);
  } catch (error) {
    await stopProcess(child);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`product service did not start: ${reason}\n${stderr}`, { cause: error });
  }
  return { url, stop: () => stopProcess(child) };
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** An admin token the product service accepts in PRODUCT_AUTH_MODE=dev (HS256, its default issuer/audience). */
export function productAdminToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      sub: 'order-tests',
      iss: 'contoso-shop-dev',
      aud: 'api://contoso-shop-product',
      roles: ['Catalog.Admin'],
      iat: now,
      exp: now + 3600,
    }),
  );
  const signature = base64url(createHmac('sha256', DEV_SIGNING_KEY).update(`${header}.${claims}`).digest());
  return `${header}.${claims}.${signature}`;
}

/** An emulator (servicebus or eventhubs) on free ports, as reported by its `listening` log line. */
export interface Emulator {
  readonly amqpPort: number;
  readonly httpPort: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function startEmulator(kind: 'servicebus' | 'eventhubs', timeoutMs = 30_000): Promise<Emulator> {
  const child = spawn(
    join(VENV_BIN, `${kind}-emulator`),
    ['--config', join(REPO_ROOT, `emulators/${kind}/config/platform.json`), '--amqp-port', '0', '--http-port', '0'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const ports = await new Promise<{ amqp: number | null; http: number }>((done, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`${kind} emulator did not report listening: ${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const event = JSON.parse(line) as { event?: string; amqp_port: number | null; http_port: number };
          if (event.event !== 'listening') continue;
          clearTimeout(timer);
          done({ amqp: event.amqp_port, http: event.http_port });
          return;
        } catch {
          // a partial line; wait for the rest
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${kind} emulator exited with ${code}: ${output.slice(-2000)}`));
    });
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    throw error;
  });
  // Keep draining its output so that it never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  if (ports.amqp === null) {
    await stopProcess(child);
    throw new Error(`${kind} emulator serves no AMQP yet (amqp_port is null)`);
  }
  const base = `Endpoint=sb://127.0.0.1:${ports.amqp};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
  return {
    amqpPort: ports.amqp,
    httpPort: ports.http,
    connectionString: kind === 'eventhubs' ? `${base}EntityPath=order-events` : base,
    stop: () => stopProcess(child),
  };
}

/** Everything the order service talks to (storage emulators, product, Service Bus and Event Hubs), each on
 * a free port; their stops are pushed onto `cleanups`, to be run in reverse. */
export async function startSagaDependencies(
  cleanups: Array<() => Promise<void>>,
): Promise<{ product: ProductService; servicebus: Emulator; eventhubs: Emulator }> {
  const storage = await startStorageEmulators();
  cleanups.push(() => storage.stop());
  const product = await startProductService(storage);
  cleanups.push(() => product.stop());
  const servicebus = await startEmulator('servicebus');
  cleanups.push(() => servicebus.stop());
  const eventhubs = await startEmulator('eventhubs');
  cleanups.push(() => eventhubs.stop());
  return { product, servicebus, eventhubs };
}
