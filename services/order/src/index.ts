/** Entry point: reads the configuration, starts the service, and stops it in order on SIGTERM/SIGINT. */
import { composeService } from './composition.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const service = await composeService(config, log);
  await service.start();

  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    // A broker that does not answer keeps the SDKs retrying; give up after the timeout (nothing is lost:
    // unsent rows stay in the outbox, unsettled messages are redelivered).
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    await service.stop();
    log.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** A configuration error's message (it names every setting at fault), otherwise the stack when there is one. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`order-service: ${describeFailure(error)}\n`);
  process.exit(1);
});
