// Starts the Service Bus emulator from the repo's Python workspace on free ports, for one test file.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

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
