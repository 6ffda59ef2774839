// Starts the Event Hubs emulator (the uv workspace's console script) on free ports for one test file.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const executable = path.join(repoRoot, '.venv/bin/eventhubs-emulator');
const config = path.resolve(here, '../../config/platform.json');

export async function startEmulator() {
  const child = spawn(executable, ['--config', config, '--amqp-port', '0', '--http-port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start')), 20_000);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    lines.on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.event === 'listening') {
        clearTimeout(timer);
        resolve({ amqp: entry.amqp_port, http: entry.http_port });
      }
    });
  });
  return {
    ports,
    connectionString(hub = 'order-events') {
      return (
        `Endpoint=sb://127.0.0.1:${ports.amqp};SharedAccessKeyName=RootManageSharedAccessKey;` +
        `SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=${hub}`
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
