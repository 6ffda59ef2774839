/**
 * W3C trace context (traceparent) for one unit of work: an HTTP request or a received message. Held in
 * AsyncLocalStorage so that logs, outgoing HTTP calls and outbox rows written during the work carry it
 * without threading it through every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const storage = new AsyncLocalStorage<TraceContext>();

/** The parent's trace id and flags, or undefined for a missing or malformed header (a new trace starts). */
export function parseTraceparent(header: unknown): { traceId: string; flags: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, flags };
}

/** A new span: child of `parentHeader` when it is a valid traceparent, else the root of a new trace. */
export function startSpan(parentHeader?: unknown): TraceContext {
  const parent = parseTraceparent(parentHeader);
  return {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    flags: parent?.flags ?? '01',
  };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runInTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/** The header for an outgoing call or message: a child span of the current trace (or a new trace). */
export function outgoingTraceparent(): string {
  const current = currentTrace();
  const child: TraceContext = current ? { ...current, spanId: randomBytes(8).toString('hex') } : startSpan();
  return formatTraceparent(child);
}
