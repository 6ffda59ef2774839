/**
 * Every query and migration in two forms: compiled for SQL Server (Kysely's MSSQL compiler, no server here:
 * Azure SQL cannot run locally) and run for real on SQLite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledQuery, LogEvent } from 'kysely';
import { mssqlCompileOnly } from '../../adapters/database.js';
import type { Order } from '../../domain/order.js';
import { OrderRepository } from '../../orders/order.repository.js';
import { OutboxRepository } from '../../outbox/outbox.repository.js';
import { InboxRepository } from '../../payments/inbox.repository.js';
import { MIGRATIONS } from '../migrate.js';
import type { Db } from '../database.js';
import { tempDatabase } from '../../../test/helpers.js';

const ORDER: Order = {
  id: 'ord-1',
  status: 'PENDING_PAYMENT',
  customer: { email: 'ada@example.com', name: 'Ada', phone: '+447700900123' },
  currency: 'USD',
  totalMinor: 2500,
  items: [{ productId: 'p-1', quantity: 2, unitPriceMinor: 1250 }],
  statusReason: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** Runs every repository operation once against `db`. */
async function everyQuery(db: Db): Promise<void> {
  const orders = new OrderRepository(db);
  const outbox = new OutboxRepository(db);
  const inbox = new InboxRepository(db);
  const k = db.kysely;
  await orders.insert(k, ORDER);
  await orders.insertIdempotencyKey(k, 'key-1', 'a'.repeat(64), ORDER.id, ORDER.createdAt);
  await orders.findIdempotencyKey('key-1');
  await orders.findById(ORDER.id);
  await orders.listByCustomer(ORDER.customer.email, 3);
  await orders.listByCustomer(ORDER.customer.email, 3, { createdAt: ORDER.createdAt, id: ORDER.id });
  await orders.awaitingPaymentSince(ORDER.createdAt, 5);
  await orders.updateStatus(k, ORDER.id, 1, { status: 'PAID', reason: null, at: ORDER.updatedAt });
  await orders.countByStatus();
  await outbox.add(k, [
    {
      id: 'row-1',
      destination: 'payment-requests',
      message_id: ORDER.id,
      partition_key: null,
      correlation_id: ORDER.id,
      message_type: 'PaymentRequested',
      message_version: 1,
      body: '{}',
      traceparent: null,
      created_at: ORDER.createdAt,
      sent_at: null,
      last_error: null,
    },
  ]);
  await outbox.pending(10);
  await outbox.withdrawUnsent(k, 'ord-other', 'PaymentRequested', ORDER.updatedAt);
  await outbox.recordFailure(['row-1'], 'broker down');
  await outbox.markSent(['row-1'], ORDER.updatedAt);
  await outbox.backlog();
  await outbox.forCorrelation(ORDER.id);
  await inbox.record(k, { messageId: 'm-1', type: 'PaymentSucceeded', orderId: ORDER.id, outcome: 'applied' });
  await inbox.outcomeOf('m-1');
}

function capture(): { queries: CompiledQuery[]; log: (event: LogEvent) => void } {
  const queries: CompiledQuery[] = [];
  return { queries, log: (event) => queries.push(event.query) };
}

describe('SQL Server form', () => {
  it('test_every_migration_compiles_for_sql_server', async () => {
    const { queries, log } = capture();
    const db = mssqlCompileOnly(log);
    for (const [, migration] of MIGRATIONS) {
      await migration.up(db.kysely as never, 'mssql');
      await migration.down(db.kysely as never, 'mssql');
    }
    const ddl = queries.map((q) => q.sql);
    assert.ok(ddl.some((s) => s.startsWith('create table "outbox"') && s.includes('"body" nvarchar(max) not null')));
    assert.ok(
      ddl.every((s) => !/\btext\b/.test(s)),
      'no SQLite-only column types',
    );
    assert.ok(ddl.some((s) => s.startsWith('create index "ix_orders_customer_created"')));
  });

  it('test_every_query_compiles_for_sql_server', async () => {
    const { queries, log } = capture();
    await everyQuery(mssqlCompileOnly(log));
    const statements = queries.map((q) => q.sql);
    assert.ok(statements.length >= 17);
    for (const statement of statements) {
      assert.doesNotMatch(statement, /\blimit\b/i, statement);
      assert.doesNotMatch(statement, /\?/, `positional parameter in: ${statement}`);
    }
    assert.ok(statements.some((s) => /^select top\(\d+\) \* from "outbox"/.test(s)));
    assert.ok(statements.some((s) => /^select top\(\d+\) \* from "orders" where "customer_email" = @1/.test(s)));
    assert.ok(
      statements.some((s) => /^select top\(\d+\) "id", "version" from "orders" where "status" = @1/.test(s)),
      'the payment-timeout sweep',
    );
  });
});

describe('SQLite form', () => {
  it('test_every_query_runs_on_sqlite', async () => {
    const database = await tempDatabase();
    try {
      await everyQuery(database.db);
      const orders = new OrderRepository(database.db);
      const stored = await orders.findById(ORDER.id);
      assert.equal(stored?.status, 'PAID');
      assert.equal(stored.version, 2);
      assert.deepEqual(stored.items, ORDER.items);
      assert.deepEqual(await orders.countByStatus(), [{ status: 'PAID', count: 1 }]);
      assert.equal((await new OutboxRepository(database.db).backlog()).pending, 0);
    } finally {
      await database.remove();
    }
  });
});
