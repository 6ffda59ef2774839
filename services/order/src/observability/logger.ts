/**
 * One pino logger for the service, writing the shared log shape of docs/conventions.md: JSON lines on stdout
 * with `time` (RFC 3339 UTC, milliseconds, Z), `level` (debug, info, warning, error, critical), `service`,
 * `message`, and `trace_id` / `span_id` whenever a request or message is in hand. Event fields are
 * snake_case; an error goes in `exception` and is written as its formatted stack. Message bodies, tokens,
 * keys and connection strings are never logged; callers pass ids and outcomes only.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentTrace } from './trace.js';

export type { Logger };

/** pino's levels (kept for filtering: ORDER_LOG_LEVEL and pino's numbers) as the shared set spells them. */
const LEVEL_NAMES: Readonly<Record<string, string>> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
  fatal: 'critical',
};

/** The shared level names accepted as well as pino's when a level is configured. */
export const LEVEL_ALIASES: Readonly<Record<string, string>> = { warning: 'warn', critical: 'fatal' };

/** An error's class, message and stack (and its causes'), as one string. */
export function formatException(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? `${error.name}: ${error.message}`;
  return error.cause === undefined ? text : `${text}\nCaused by: ${formatException(error.cause)}`;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level: LEVEL_ALIASES[level] ?? level,
      messageKey: 'message',
      errorKey: 'exception',
      // Replaces pino's pid and hostname.
      base: { service: 'order' },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: LEVEL_NAMES[label] ?? label }) },
      serializers: { exception: formatException },
      mixin() {
        const trace = currentTrace();
        return trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {};
      },
      redact: {
        paths: ['*.token', '*.authorization', '*.connectionString', '*.connection_string'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
