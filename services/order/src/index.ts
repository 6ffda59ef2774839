/**
 * Entry point: reads the configuration, starts tracing, then imports and starts the service (tracing's
 * instrumentations must be in place before the HTTP server, Express and the Azure SDKs are loaded), and
 * stops it in order on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { startTracing } from './observability/tracing.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const tracing = await startTracing(config.tracing);
  const log = createLogger(config.logLevel);
  const { composeService } = await import('./composition.js');
  const service = await composeService(config, log);
  await service.start();

  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    // A broker that does not answer keeps the SDKs retrying; give up after the timeout (nothing is lost:
    // unsent rows stay in the outbox, unsettled messages are redelivered).
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    await service.stop();
    await tracing.shutdown();
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
