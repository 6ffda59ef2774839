/** Configuration from the environment: defaults, and what production refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';

const EMULATOR =
  'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';

const LOCAL = {
  ORDER_ENVIRONMENT: 'development',
  ORDER_SQLITE_PATH: '/tmp/orders.sqlite',
  ORDER_PRODUCT_URL: 'http://127.0.0.1:8001/',
  ORDER_SERVICEBUS_CONNECTION_STRING: EMULATOR,
  ORDER_EVENTHUBS_CONNECTION_STRING: `${EMULATOR}EntityPath=order-events`,
};

const AZURE = {
  ORDER_DB_DIALECT: 'mssql',
  ORDER_MSSQL_SERVER: 'sql-contoso-shop-prod.database.windows.net',
  ORDER_MSSQL_DATABASE: 'orders',
  ORDER_PRODUCT_URL: 'http://product:8001',
  ORDER_SERVICEBUS_NAMESPACE: 'sb-contoso-shop-prod.servicebus.windows.net',
  ORDER_EVENTHUBS_NAMESPACE: 'evhns-contoso-shop-prod.servicebus.windows.net',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('config', () => {
  it('test_local_settings_are_accepted_in_development', () => {
    const config = loadConfig(LOCAL);
    assert.deepEqual(config.database, { dialect: 'sqlite', path: '/tmp/orders.sqlite' });
    assert.equal(config.product.baseUrl, 'http://127.0.0.1:8001');
    assert.deepEqual(config.serviceBus.endpoint, { connectionString: EMULATOR });
  });

  it('test_production_is_the_default_and_refuses_sqlite_and_emulator_connection_strings', () => {
    const { ORDER_ENVIRONMENT: _, ...unset } = LOCAL;
    const message = refusal(unset);
    assert.match(message, /ORDER_DB_DIALECT: sqlite .* refused when ORDER_ENVIRONMENT=production/);
    assert.match(message, /ORDER_SERVICEBUS_CONNECTION_STRING: an emulator connection string/);
    assert.match(message, /ORDER_EVENTHUBS_CONNECTION_STRING: an emulator connection string/);
    assert.doesNotMatch(message, /SAS_KEY_VALUE/, 'the refusal never repeats a connection string');
  });

  it('test_production_accepts_azure_sql_and_namespaces', () => {
    const config = loadConfig(AZURE);
    assert.equal(config.database.dialect, 'mssql');
    assert.deepEqual(config.eventHubs.endpoint, {
      fullyQualifiedNamespace: 'evhns-contoso-shop-prod.servicebus.windows.net',
    });
  });

  it('test_log_level_accepts_the_shared_names', () => {
    assert.equal(loadConfig({ ...LOCAL, ORDER_LOG_LEVEL: 'warning' }).logLevel, 'warning');
    assert.match(refusal({ ...LOCAL, ORDER_LOG_LEVEL: 'verbose' }), /ORDER_LOG_LEVEL/);
  });

  it('test_exactly_one_service_bus_setting_is_required', () => {
    assert.match(
      refusal({ ...LOCAL, ORDER_SERVICEBUS_NAMESPACE: 'sb.example' }),
      /set exactly one of ORDER_SERVICEBUS_CONNECTION_STRING/,
    );
  });

  it('test_payment_timeout_defaults_to_15_minutes_swept_every_30_seconds_and_is_configurable', () => {
    assert.deepEqual(loadConfig(LOCAL).paymentTimeout, { timeoutSeconds: 900, sweepSeconds: 30 });
    assert.deepEqual(
      loadConfig({ ...LOCAL, ORDER_PAYMENT_TIMEOUT_SECONDS: '120', ORDER_PAYMENT_TIMEOUT_SWEEP_SECONDS: '5' })
        .paymentTimeout,
      { timeoutSeconds: 120, sweepSeconds: 5 },
    );
    assert.match(refusal({ ...LOCAL, ORDER_PAYMENT_TIMEOUT_SECONDS: '0' }), /ORDER_PAYMENT_TIMEOUT_SECONDS/);
    assert.match(refusal({ ...LOCAL, ORDER_PAYMENT_TIMEOUT_SWEEP_SECONDS: 'often' }), /ORDER_PAYMENT_TIMEOUT_SWEEP/);
  });

  it('test_http_timeouts_default_to_15_and_30_seconds_and_the_head_deadline_fits_in_the_request_one', () => {
    assert.deepEqual(loadConfig(LOCAL).http, { headersTimeoutMs: 15_000, requestTimeoutMs: 30_000 });
    assert.match(
      refusal({ ...LOCAL, ORDER_HEADERS_TIMEOUT_MS: '40000' }),
      /ORDER_HEADERS_TIMEOUT_MS: must not exceed ORDER_REQUEST_TIMEOUT_MS/,
    );
  });

  it('test_entra_ingestion_names_the_managed_identity', () => {
    const withClient = loadConfig({
      ...LOCAL,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555',
    });
    assert.deepEqual(withClient.tracing.applicationInsightsEntra, {
      clientId: '11111111-2222-3333-4444-555555555555',
    });
    const podIdentity = loadConfig({ ...LOCAL, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'authorization = aad' });
    assert.deepEqual(podIdentity.tracing.applicationInsightsEntra, { clientId: undefined });
    assert.equal(loadConfig(LOCAL).tracing.applicationInsightsEntra, undefined);
  });

  it('test_an_authentication_string_other_than_entra_is_refused_naming_it', () => {
    const message = refusal({ ...LOCAL, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=Key' });
    assert.match(message, /APPLICATIONINSIGHTS_AUTHENTICATION_STRING: must be Authorization=AAD/);
  });
});
