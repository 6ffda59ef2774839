// Starts the Service Bus emulator from the repo's Python workspace on free ports, for one test file.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ServiceBusClient } from '@azure/service-bus';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const STARTUP_TIMEOUT_MS = 15_000;

export const EMULATOR_KEY = 'SAS_KEY_VALUE';

export async function startEmulator({ config = path.join(here, 'config.json') } = {}) {
  const child = spawn(
    path.join(repoRoot, '.venv/bin/servicebus-emulator'),
    ['--config', config, '--amqp-port', '0', '--http-port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start in time')), STARTUP_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.event === 'listening') {
        clearTimeout(timer);
        resolve(entry);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with code ${code} before listening`));
    });
  });
  return {
    amqpPort: listening.amqp_port,
    adminUrl: `http://127.0.0.1:${listening.http_port}`,
    connectionString(key = EMULATOR_KEY) {
      return (
        `Endpoint=sb://127.0.0.1:${listening.amqp_port};SharedAccessKeyName=RootManageSharedAccessKey;` +
        `SharedAccessKey=${key};UseDevelopmentEmulator=true;`
      );
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Starts an emulator before the calling test file's tests and a client on it, and stops both after them.
 * Returns an object whose `emulator` and `client` are set once the `before` hook has run.
 */
export function useEmulatorClient(clientOptions) {
  const env = { emulator: undefined, client: undefined };
  before(async () => {
    env.emulator = await startEmulator();
    env.client = new ServiceBusClient(env.emulator.connectionString(), clientOptions);
  });
  after(async () => {
    await env.client?.close();
    await env.emulator?.stop();
  });
  return env;
}
