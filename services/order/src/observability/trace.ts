/**
 * The trace context of the work in hand (an HTTP request, a received message, an outbox send), through the
 * OpenTelemetry API: the active span lives in the SDK's AsyncLocalStorage context manager (tracing.ts), so
 * logs, outgoing HTTP calls and outbox rows written during the work carry it without threading it through
 * every call. With no SDK started (unit tests) the API is a no-op: no span is active, nothing is recorded.
 *
 * Messages carry the W3C context in their `traceparent` application property (MESSAGES.md); the helpers
 * here start the CONSUMER and PRODUCER spans that continue it.
 */
import { randomFillSync } from 'node:crypto';
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/** The tracer every span of this service's own code starts from (instrumentations have their own). */
const tracer = trace.getTracer('order');

export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/** The ids of the active span, when one is active and valid (recorded or not). */
export function currentTrace(): TraceIds | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : undefined;
}

/** The W3C traceparent of the active span in `active` (the current context by default), or null without one. */
export function currentTraceparent(active: Context = context.active()): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier['traceparent'] ?? null;
}

/**
 * The context a message's `traceparent` continues, or the root context (a new trace) when it is missing or
 * malformed: a message never joins whatever happens to be active when it is handled.
 */
export function messageContext(traceparent: unknown): Context {
  if (typeof traceparent !== 'string') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: traceparent.trim() });
}

/**
 * The context of an incoming request that no instrumentation gave a span (spans are not recorded, see
 * tracing.ts): an unrecorded span with ids of its own (flags `00`, as the always-off sampler would give),
 * the child of a valid `traceparent` header, else the root of a new trace. The HTTP instrumentation's span
 * would carry the same ids, but it builds a span's attributes and wraps the response for nobody to see.
 */
export function unrecordedRequestContext(traceparent: string | string[] | undefined): Context {
  const parent =
    typeof traceparent === 'string'
      ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: traceparent.trim() }))
      : undefined;
  const ids = randomHex(24);
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parent !== undefined && isSpanContextValid(parent) ? parent.traceId : ids.slice(0, 32),
    spanId: ids.slice(32),
    traceFlags: TraceFlags.NONE,
  });
}

/** Random bytes drawn from the CSPRNG a pool at a time: a call into it per request was a visible cost. */
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;

/** `bytes` fresh random bytes (at most the pool's size) as hex; no byte is ever handed out twice. */
export function randomHex(bytes: number): string {
  if (randomPoolOffset + bytes > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const hex = randomPool.toString('hex', randomPoolOffset, randomPoolOffset + bytes);
  randomPoolOffset += bytes;
  return hex;
}

/** The context in force now, to hand to a callback that runs outside it (an event listener). */
export function activeContext(): Context {
  return context.active();
}

/** `callback` bound to the context in force now, wherever it is called from later. */
export function bindToContext<T extends (...args: never[]) => unknown>(callback: T): T {
  return context.bind(context.active(), callback);
}

/** `work` with the context it was given, e.g. a request's, from a callback that runs outside it. */
export function runInContext<T>(active: Context, work: () => T): T {
  return context.with(active, work);
}

/** Messaging attributes of a span (OpenTelemetry semantic conventions, messaging). */
export interface MessagingAttributes {
  readonly system: 'servicebus' | 'eventhubs';
  readonly destination: string;
  readonly subscription?: string;
  readonly messageId?: string | undefined;
}

function messagingAttributes(operation: 'process' | 'send', messaging: MessagingAttributes): Attributes {
  return {
    'messaging.system': messaging.system,
    'messaging.operation.type': operation,
    'messaging.destination.name': messaging.destination,
    ...(messaging.subscription === undefined
      ? {}
      : { 'messaging.destination.subscription.name': messaging.subscription }),
    ...(messaging.messageId === undefined ? {} : { 'messaging.message.id': messaging.messageId }),
  };
}

/**
 * Runs `work` in a CONSUMER span named `process <destination>`, the child of the message's `traceparent`
 * (a new trace when it is missing or malformed); logs and outbox rows written meanwhile carry this span.
 * A thrown error marks the span failed; `work` may mark it too (a dead-lettered message).
 */
export async function inConsumerSpan<T>(
  traceparent: unknown,
  messaging: MessagingAttributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = messageContext(traceparent);
  const span = tracer.startSpan(
    `process ${messaging.destination}`,
    { kind: SpanKind.CONSUMER, attributes: messagingAttributes('process', messaging) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A PRODUCER span `send <destination>` for one outgoing message, the child of the traceparent its outbox row
 * was written with (a new trace without one); the message carries this span's traceparent. The caller
 * ends it once the broker has accepted (or refused) the message.
 */
export function startProducerSpan(
  writtenWith: string | null,
  messaging: MessagingAttributes,
): { span: Span; traceparent: string | null } {
  const parent = messageContext(writtenWith);
  const span = tracer.startSpan(
    `send ${messaging.destination}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', messaging) },
    parent,
  );
  return { span, traceparent: currentTraceparent(trace.setSpan(parent, span)) };
}

/** Marks `span` failed with the error's message (and records the error as an exception event). */
export function failSpan(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
