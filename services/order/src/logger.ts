/**
 * One pino logger for the service: JSON lines on stdout, each carrying the current trace id. Message bodies,
 * tokens, keys and connection strings are never logged; callers pass ids and outcomes only.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentTrace } from './observability/trace.js';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'order' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const trace = currentTrace();
        return trace ? { traceId: trace.traceId, spanId: trace.spanId } : {};
      },
      redact: { paths: ['*.token', '*.authorization', '*.connectionString'], censor: '[redacted]' },
    },
    destination,
  );
}
