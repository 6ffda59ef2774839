/**
 * A local OTLP/HTTP trace receiver for the tests: takes `POST /v1/traces` bodies in protobuf
 * (ExportTraceServiceRequest, opentelemetry-proto) and keeps the spans, decoded here straight from the
 * protobuf wire format so that the test does not read them back through the SDK that wrote them.
 */
import { createServer, type Server } from 'node:http';

export interface ReceivedSpan {
  readonly service: string | undefined;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** opentelemetry-proto Span.SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface Field {
  readonly no: number;
  readonly varint?: bigint;
  readonly bytes?: Buffer;
}

function readVarint(buffer: Buffer, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buffer.length; i += 1) {
    const byte = buffer[i] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7n;
  }
  throw new Error('truncated varint');
}

/** The top-level fields of one protobuf message. */
function fields(buffer: Buffer): Field[] {
  const found: Field[] = [];
  let at = 0;
  while (at < buffer.length) {
    const [key, next] = readVarint(buffer, at);
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    at = next;
    if (wire === 0) {
      const [value, after] = readVarint(buffer, at);
      found.push({ no, varint: value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buffer, at);
      const end = after + Number(length);
      found.push({ no, bytes: buffer.subarray(after, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return found;
}

function messages(buffer: Buffer, no: number): Buffer[] {
  return fields(buffer).flatMap((field) => (field.no === no && field.bytes !== undefined ? [field.bytes] : []));
}

function bytesOf(buffer: Buffer, no: number): Buffer {
  return messages(buffer, no)[0] ?? Buffer.alloc(0);
}

/** ResourceSpans.resource (1) → Resource.attributes (1) → KeyValue key (1) / value (2) → AnyValue.string_value (1). */
function serviceName(resourceSpans: Buffer): string | undefined {
  for (const attribute of messages(bytesOf(resourceSpans, 1), 1)) {
    if (bytesOf(attribute, 1).toString('utf8') === 'service.name') {
      return bytesOf(bytesOf(attribute, 2), 1).toString('utf8');
    }
  }
  return undefined;
}

/** The spans of one ExportTraceServiceRequest (resource_spans 1 → scope_spans 2 → spans 2). */
export function decodeTraces(body: Buffer): ReceivedSpan[] {
  return messages(body, 1).flatMap((resourceSpans) => {
    const service = serviceName(resourceSpans);
    return messages(resourceSpans, 2).flatMap((scopeSpans) =>
      messages(scopeSpans, 2).map((span) => ({
        service,
        traceId: bytesOf(span, 1).toString('hex'),
        spanId: bytesOf(span, 2).toString('hex'),
        parentSpanId: bytesOf(span, 4).toString('hex'),
        name: bytesOf(span, 5).toString('utf8'),
        kind: Number(fields(span).find((field) => field.no === 6)?.varint ?? 0n),
      })),
    );
  });
}

export interface OtlpReceiver {
  /** The endpoint to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Content types of the requests received, for the protocol check. */
  readonly contentTypes: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      contentTypes.push(String(request.headers['content-type']));
      spans.push(...decodeTraces(Buffer.concat(chunks)));
      // An empty ExportTraceServiceResponse.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => {
          closed();
        });
      }),
  };
}
