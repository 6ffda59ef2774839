/**
 * The service's configuration, read once from the environment (prefix ORDER_) and validated at start: a
 * missing or contradictory setting stops the process before it serves anything (the two tracing variables
 * keep their standard, unprefixed names). Nothing else reads process.env. Secrets (connection strings) have no defaults; without a connection string the Azure
 * clients authenticate with DefaultAzureCredential (workload identity in AKS).
 *
 * ORDER_ENVIRONMENT defaults to production, which refuses the settings that only make sense on a laptop or
 * CI runner: the SQLite stand-in for Azure SQL and the emulators' connection strings
 * (`UseDevelopmentEmulator=true`), as the Python services refuse development auth outside development.
 */
import { z } from 'zod';

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

/**
 * ORDER_PAYMENT_TIMEOUT_SECONDS: 15 minutes, well past the slowest payment decision the platform's settings
 * allow (payment-requests: 30 s lock, MaxDeliveryCount 5; the worker: 4 gateway attempts with 3.5 s of
 * backoff, fraud reviews up to 45 s; 5 × (30 + 3.5 + 45) s ≈ 6.5 min) and equal to the product service's
 * reservation TTL (PRODUCT_RESERVATION_TTL_SECONDS, 900), after which the stock is no longer held anyway.
 */
export const PAYMENT_TIMEOUT_DEFAULTS = { timeoutSeconds: 900, sweepSeconds: 30 } as const;

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

const schema = z
  .object({
    ORDER_ENVIRONMENT: z.enum(['development', 'production']).default('production'),
    ORDER_HOST: z.string().min(1).default('127.0.0.1'),
    ORDER_PORT: z.coerce.number().int().min(0).max(65535).default(8002),
    // pino's level names, or the shared names of docs/conventions.md (warning = warn, critical = fatal).
    ORDER_LOG_LEVEL: z
      .enum(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'critical', 'silent'])
      .default('info'),
    ORDER_CORS_ORIGINS: csv.default([]),
    ORDER_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    // A client that has not sent its request head (or its whole request) by then gets 408 and is cut off.
    ORDER_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    ORDER_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),

    ORDER_DB_DIALECT: z.enum(['sqlite', 'mssql']).default('sqlite'),
    ORDER_SQLITE_PATH: z.string().min(1).optional(),
    ORDER_MSSQL_SERVER: z.string().min(1).optional(),
    ORDER_MSSQL_DATABASE: z.string().min(1).optional(),
    ORDER_MSSQL_PORT: z.coerce.number().int().min(1).max(65535).default(1433),
    ORDER_MSSQL_POOL_MAX: z.coerce.number().int().min(1).default(10),
    ORDER_DB_MIGRATE_ON_START: flag.default(true),

    ORDER_PRODUCT_URL: z.url(),
    ORDER_PRODUCT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),

    ORDER_SERVICEBUS_CONNECTION_STRING: z.string().min(1).optional(),
    ORDER_SERVICEBUS_NAMESPACE: z.string().min(1).optional(),
    ORDER_PAYMENT_REQUESTS_QUEUE: z.string().min(1).default('payment-requests'),
    ORDER_PAYMENT_EVENTS_TOPIC: z.string().min(1).default('payment-events'),
    ORDER_PAYMENT_EVENTS_SUBSCRIPTION: z.string().min(1).default('order-service'),
    ORDER_RECEIVER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(32),

    ORDER_EVENTHUBS_CONNECTION_STRING: z.string().min(1).optional(),
    ORDER_EVENTHUBS_NAMESPACE: z.string().min(1).optional(),
    ORDER_EVENTHUB_NAME: z.string().min(1).default('order-events'),

    // An order still PENDING_PAYMENT this long after it was placed is cancelled (reason payment-timeout).
    ORDER_PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(PAYMENT_TIMEOUT_DEFAULTS.timeoutSeconds),
    ORDER_PAYMENT_TIMEOUT_SWEEP_SECONDS: z.coerce.number().int().min(1).default(PAYMENT_TIMEOUT_DEFAULTS.sweepSeconds),

    // Only the fallback: a commit wakes the relay at once (outbox/relay.ts).
    ORDER_OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
    ORDER_OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
    // A commit's wake-up of an idle relay is held this long so that concurrent orders share a pass.
    ORDER_OUTBOX_GATHER_MS: z.coerce.number().int().min(0).max(1000).default(0),
    ORDER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),

    // Traces: the standard OpenTelemetry and Azure Monitor variables, unprefixed, as every service reads them.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
    // `Authorization=AAD;ClientId=<managed identity>`: ingestion signed in with Microsoft Entra ID (the
    // component has local authentication disabled). The Node distro reads it for live metrics only.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z
      .string()
      .refine((value) => authenticationFields(value).get('authorization')?.toLowerCase() === 'aad', {
        error: 'must be Authorization=AAD[;ClientId=<client id>]',
      })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.ORDER_HEADERS_TIMEOUT_MS > env.ORDER_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ORDER_HEADERS_TIMEOUT_MS'],
        message: 'must not exceed ORDER_REQUEST_TIMEOUT_MS',
      });
    }
    if (env.ORDER_ENVIRONMENT === 'production') {
      if (env.ORDER_DB_DIALECT === 'sqlite') {
        ctx.addIssue({
          code: 'custom',
          path: ['ORDER_DB_DIALECT'],
          message: 'sqlite is the local stand-in for Azure SQL and is refused when ORDER_ENVIRONMENT=production',
        });
      }
      for (const key of ['ORDER_SERVICEBUS_CONNECTION_STRING', 'ORDER_EVENTHUBS_CONNECTION_STRING'] as const) {
        if (/UseDevelopmentEmulator\s*=\s*true/i.test(env[key] ?? '')) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message:
              'an emulator connection string (UseDevelopmentEmulator=true) is refused when ORDER_ENVIRONMENT=production',
          });
        }
      }
    }
    if (env.ORDER_DB_DIALECT === 'sqlite' && env.ORDER_SQLITE_PATH === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ORDER_SQLITE_PATH'], message: 'required when ORDER_DB_DIALECT=sqlite' });
    }
    if (env.ORDER_DB_DIALECT === 'mssql') {
      for (const key of ['ORDER_MSSQL_SERVER', 'ORDER_MSSQL_DATABASE'] as const) {
        if (env[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when ORDER_DB_DIALECT=mssql' });
        }
      }
    }
    const exactlyOne = [
      ['ORDER_SERVICEBUS_CONNECTION_STRING', 'ORDER_SERVICEBUS_NAMESPACE'],
      ['ORDER_EVENTHUBS_CONNECTION_STRING', 'ORDER_EVENTHUBS_NAMESPACE'],
    ] as const;
    for (const [connection, namespace] of exactlyOne) {
      if ((env[connection] === undefined) === (env[namespace] === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [connection],
          message: `set exactly one of ${connection} or ${namespace}`,
        });
      }
    }
  });

export type DatabaseConfig =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | {
      readonly dialect: 'mssql';
      readonly server: string;
      readonly database: string;
      readonly port: number;
      readonly poolMax: number;
    };

/** A connection string (local emulators) or a namespace host reached with DefaultAzureCredential. */
export type AzureEndpoint = { readonly connectionString: string } | { readonly fullyQualifiedNamespace: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly http: { readonly headersTimeoutMs: number; readonly requestTimeoutMs: number };
  readonly database: DatabaseConfig;
  readonly migrateOnStart: boolean;
  readonly product: { readonly baseUrl: string; readonly timeoutMs: number };
  readonly serviceBus: {
    readonly endpoint: AzureEndpoint;
    readonly paymentRequestsQueue: string;
    readonly paymentEventsTopic: string;
    readonly paymentEventsSubscription: string;
    readonly receiverConcurrency: number;
  };
  readonly eventHubs: { readonly endpoint: AzureEndpoint; readonly eventHubName: string };
  readonly outbox: { readonly pollMs: number; readonly batchSize: number; readonly gatherMs: number };
  readonly paymentTimeout: PaymentTimeoutConfig;
  readonly tracing: TracingConfig;
  readonly shutdownTimeoutMs: number;
}

/**
 * Where spans go: OTLP/HTTP to `otlpEndpoint` (the local telemetry receiver), Application Insights with
 * `applicationInsightsConnectionString`, both, or neither (spans not recorded; ids still propagate).
 */
export interface TracingConfig {
  readonly environment: string;
  readonly otlpEndpoint: string | undefined;
  readonly applicationInsightsConnectionString: string | undefined;
  /** Sign the Application Insights export in with Entra ID, as this managed identity (default: the pod's). */
  readonly applicationInsightsEntra: { readonly clientId: string | undefined } | undefined;
}

/** `Authorization=AAD;ClientId=...` as a map of lower-cased keys to values. */
function authenticationFields(value: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return fields;
}

/** How long an order may wait for its payment outcome, and how often the sweeper looks. */
export interface PaymentTimeoutConfig {
  readonly timeoutSeconds: number;
  readonly sweepSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function endpoint(connectionString: string | undefined, namespace: string | undefined): AzureEndpoint {
  return connectionString !== undefined ? { connectionString } : { fullyQualifiedNamespace: namespace as string };
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const database: DatabaseConfig =
    e.ORDER_DB_DIALECT === 'sqlite'
      ? { dialect: 'sqlite', path: e.ORDER_SQLITE_PATH as string }
      : {
          dialect: 'mssql',
          server: e.ORDER_MSSQL_SERVER as string,
          database: e.ORDER_MSSQL_DATABASE as string,
          port: e.ORDER_MSSQL_PORT,
          poolMax: e.ORDER_MSSQL_POOL_MAX,
        };
  return {
    host: e.ORDER_HOST,
    port: e.ORDER_PORT,
    logLevel: e.ORDER_LOG_LEVEL,
    corsOrigins: e.ORDER_CORS_ORIGINS,
    maxBodyBytes: e.ORDER_MAX_BODY_BYTES,
    http: { headersTimeoutMs: e.ORDER_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.ORDER_REQUEST_TIMEOUT_MS },
    database,
    migrateOnStart: e.ORDER_DB_MIGRATE_ON_START,
    product: { baseUrl: e.ORDER_PRODUCT_URL.replace(/\/+$/, ''), timeoutMs: e.ORDER_PRODUCT_TIMEOUT_MS },
    serviceBus: {
      endpoint: endpoint(e.ORDER_SERVICEBUS_CONNECTION_STRING, e.ORDER_SERVICEBUS_NAMESPACE),
      paymentRequestsQueue: e.ORDER_PAYMENT_REQUESTS_QUEUE,
      paymentEventsTopic: e.ORDER_PAYMENT_EVENTS_TOPIC,
      paymentEventsSubscription: e.ORDER_PAYMENT_EVENTS_SUBSCRIPTION,
      receiverConcurrency: e.ORDER_RECEIVER_CONCURRENCY,
    },
    eventHubs: {
      endpoint: endpoint(e.ORDER_EVENTHUBS_CONNECTION_STRING, e.ORDER_EVENTHUBS_NAMESPACE),
      eventHubName: e.ORDER_EVENTHUB_NAME,
    },
    outbox: {
      pollMs: e.ORDER_OUTBOX_POLL_MS,
      batchSize: e.ORDER_OUTBOX_BATCH_SIZE,
      gatherMs: e.ORDER_OUTBOX_GATHER_MS,
    },
    paymentTimeout: {
      timeoutSeconds: e.ORDER_PAYMENT_TIMEOUT_SECONDS,
      sweepSeconds: e.ORDER_PAYMENT_TIMEOUT_SWEEP_SECONDS,
    },
    tracing: {
      environment: e.ORDER_ENVIRONMENT,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
      applicationInsightsConnectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING,
      applicationInsightsEntra:
        e.APPLICATIONINSIGHTS_AUTHENTICATION_STRING === undefined
          ? undefined
          : {
              clientId: authenticationFields(e.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).get('clientid') || undefined,
            },
    },
    shutdownTimeoutMs: e.ORDER_SHUTDOWN_TIMEOUT_MS,
  };
}
