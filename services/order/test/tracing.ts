/** Tracing for in-process tests, started the way index.ts starts it (once per test file: one process each). */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../src/config.js';
import { startTracing } from '../src/observability/tracing.js';

/** The configuration with no exporter: spans not recorded, ids still generated and propagated. */
export const NO_EXPORT: TracingConfig = {
  environment: 'development',
  otlpEndpoint: undefined,
  applicationInsightsConnectionString: undefined,
  applicationInsightsEntra: undefined,
};

/** Tracing as in production with nothing configured: ids only. */
export async function startIdOnlyTracing(): Promise<void> {
  await startTracing(NO_EXPORT);
}

/** Tracing that records every span, as it ends, into the exporter returned. */
export async function startRecordingTracing(): Promise<InMemorySpanExporter> {
  const exporter = new InMemorySpanExporter();
  await startTracing(NO_EXPORT, { exporter });
  return exporter;
}

/**
 * `fetch` as an outside caller: in this process the fetch instrumentation would otherwise make the test's
 * request a traced client call and replace the traceparent the test sends with its own span's.
 */
export function untracedFetch(url: string, init?: RequestInit): Promise<Response> {
  return context.with(suppressTracing(context.active()), () => fetch(url, init));
}
