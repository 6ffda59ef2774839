/**
 * One pino logger for the service, writing the shared log shape of docs/conventions.md: JSON lines on stdout
 * with `time` (RFC 3339 UTC, milliseconds, Z), `level` (debug, info, warning, error, critical), `service`,
 * `message`, and `trace_id` / `span_id` whenever a request or message is in hand. Event fields are
 * snake_case; an error goes in `exception` and is written as its formatted stack. Message bodies, tokens,
 * keys and connection strings are never logged; callers pass ids and outcomes only.
 */
import { destination, pino, type DestinationStream, type Logger } from 'pino';
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

/** Log lines are written to stdout in chunks of about this size, or every LOG_FLUSH_MS. */
const LOG_CHUNK_BYTES = 4096;
const LOG_FLUSH_MS = 200;

/**
 * Standard output, written a chunk of lines at a time: one write per line (an access line per request, the
 * status polls included) was a visible share of a request's CPU (bench/cpu-per-request.ts). Lines wait at
 * most LOG_FLUSH_MS; pino writes what is left when the process exits, process.exit() included.
 */
function bufferedStdout(): DestinationStream {
  const stdout = destination({ dest: 1, sync: false, minLength: LOG_CHUNK_BYTES });
  setInterval(() => {
    stdout.flush();
  }, LOG_FLUSH_MS).unref();
  return stdout;
}

export function createLogger(level: string, destination: DestinationStream = bufferedStdout()): Logger {
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
