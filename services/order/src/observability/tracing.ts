/**
 * OpenTelemetry for the order service, started once per process before the app is imported (index.ts):
 *
 * - spans go over OTLP/HTTP (protobuf) to `otlpEndpoint` (the local telemetry receiver), to Application
 *   Insights through the Azure Monitor distro with a connection string, to both, or, with neither, nowhere:
 *   the sampler is then always-off, so spans are not recorded but their ids are still generated and
 *   propagated, and logs and messages keep their trace context;
 * - HTTP server spans (instrumentation-http, named `METHOD /route/{template}` by the request middleware),
 *   the outgoing calls to the product service when spans are recorded (node:http, so instrumentation-http
 *   too, which injects its CLIENT span's `traceparent`; instrumentation-undici covers any fetch call), and,
 *   when spans are recorded, Express request-handler spans and the Azure SDK's Service Bus and Event Hubs
 *   spans (through @azure/core-tracing's OpenTelemetry plugin).
 *
 * The saga's own CONSUMER and PRODUCER spans are started by trace.ts.
 */
import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { IncomingMessage } from 'node:http';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.js';
import { recordedRoute } from './http-route.js';

/** Probes and scrapes: no span (they arrive every few seconds and are not part of any trace). */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface Tracing {
  /** Whether spans are recorded and exported (false: ids only). */
  readonly recording: boolean;
  /** Exports what is buffered and stops; call once, at shutdown. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Tests: every span goes to this exporter, as it ends, whatever the configuration says. */
  readonly exporter?: SpanExporter;
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

const httpConfig: HttpInstrumentationConfig = {
  ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
  // The span ends before the request middleware's own 'finish' listener runs, so the name is set here.
  applyCustomAttributesOnSpan: (span, request, response) => {
    const route = recordedRoute(response);
    if (route === undefined) return;
    span.setAttribute(ATTR_HTTP_ROUTE, route);
    span.updateName(`${(request as IncomingMessage).method ?? 'GET'} ${route}`);
  },
};

/**
 * The fetch instrumentation always: it carries the trace context out, recorded or not. The HTTP (server and
 * client) instrumentation, Express route handlers and the Azure SDK only when spans are recorded: their spans
 * tell nothing when nobody sees them, and they cost a share of every request (bench/cpu-per-request.ts).
 * `withHttp` false: the Azure Monitor distro brings its own HTTP and Azure SDK instrumentations.
 */
async function instrumentations(recording: boolean, withHttp: boolean): Promise<Instrumentation[]> {
  const always = [
    // Unrecorded, its spans would only cost: the request middleware gives each incoming request an
    // unrecorded span with the same ids (api/request-observability.ts), and the product client sends the
    // traceparent of the span in hand itself (adapters/product-client.ts). Recorded, it gives each request
    // its SERVER span and each product call its CLIENT span and that span's traceparent.
    ...(withHttp && recording ? [new HttpInstrumentation(httpConfig)] : []),
    new UndiciInstrumentation({ ignoreRequestHook: (request) => pathOf(request.path) === '/health' }),
  ];
  if (!recording) return always;
  // Imported only when spans are recorded: unused, they would only take memory and start-up time.
  const { ExpressInstrumentation, ExpressLayerType } = await import('@opentelemetry/instrumentation-express');
  const { createAzureSdkInstrumentation } = await import('@azure/opentelemetry-instrumentation-azure-sdk');
  return [
    ...always,
    // Route handlers only: a span per middleware (cors, body parser...) costs more than it tells.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
    ...(withHttp ? [createAzureSdkInstrumentation()] : []),
  ];
}

/**
 * The instrumentations patch modules as they are required; modules this process already holds (the ESM
 * loader has them in require's cache) are required once more here so the patches apply before the app is built.
 */
function applyPatchesToLoadedModules(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('express');
  require('@azure/core-tracing');
}

let started: Tracing | undefined;

/**
 * Starts tracing for this process; later calls return the first call's Tracing. The exporters are imported
 * only when configured: the Azure Monitor distro alone loads more than the rest of the service.
 */
export async function startTracing(config: TracingConfig, options: TracingOptions = {}): Promise<Tracing> {
  if (started !== undefined) return started;
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'order',
    'service.namespace': 'contoso-shop',
    'deployment.environment.name': config.environment,
  });
  const processors: SpanProcessor[] = [];
  if (options.exporter !== undefined) processors.push(new SimpleSpanProcessor(options.exporter));
  else if (config.otlpEndpoint !== undefined) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` })));
  }

  if (options.exporter === undefined && config.applicationInsightsConnectionString !== undefined) {
    // The distro owns the provider, the HTTP and Azure SDK instrumentations and the Azure Monitor exporter.
    const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
    useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: config.applicationInsightsConnectionString,
        ...(config.applicationInsightsEntra && {
          credential: await entraCredential(config.applicationInsightsEntra.clientId),
        }),
      },
      resource,
      spanProcessors: processors,
      instrumentationOptions: { http: { enabled: true, ...httpConfig }, azureSdk: { enabled: true } },
    });
    registerInstrumentations({ instrumentations: await instrumentations(true, false) });
    applyPatchesToLoadedModules();
    started = { recording: true, shutdown: () => shutdownAzureMonitor() };
    return started;
  }

  const recording = processors.length > 0;
  const provider = new NodeTracerProvider({
    resource,
    sampler: recording ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    spanProcessors: processors,
  });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: await instrumentations(recording, true) });
  applyPatchesToLoadedModules();
  started = { recording, shutdown: () => provider.shutdown() };
  return started;
}

/**
 * The workload's managed identity (workload identity on AKS) for Entra-signed ingestion: the component takes
 * no instrumentation-key-only telemetry, and the identity holds Monitoring Metrics Publisher on it.
 */
async function entraCredential(clientId: string | undefined): Promise<TokenCredential> {
  // Imported here: only an Entra-signed export needs it, and it weighs as much as the rest of tracing.
  const { DefaultAzureCredential } = await import('@azure/identity');
  return clientId === undefined
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId: clientId, workloadIdentityClientId: clientId });
}
