/** Orders, their items, idempotency keys, and the outbox and inbox of the saga's messages. */
import type { Kysely } from 'kysely';
import { unboundedText, type DialectName } from '../database.js';

const TIMESTAMP = 'varchar(30)';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('customer_email', 'varchar(254)', (c) => c.notNull())
    .addColumn('customer_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('customer_phone', 'varchar(20)')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('status_reason', 'varchar(200)')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  // Serves GET /orders?customerEmail= newest first with keyset paging.
  await db.schema
    .createIndex('ix_orders_customer_created')
    .on('orders')
    .columns(['customer_email', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('ix_orders_status').on('orders').column('status').execute();

  await db.schema
    .createTable('order_items')
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().references('orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_price_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_order_items', ['order_id', 'line_no'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('idempotency_key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('request_hash', 'char(64)', (c) => c.notNull())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().references('orders.id'))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('destination', 'varchar(100)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('partition_key', 'varchar(128)')
    .addColumn('correlation_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('message_type', 'varchar(100)', (c) => c.notNull())
    .addColumn('message_version', 'integer', (c) => c.notNull())
    .addColumn('body', unboundedText(dialect), (c) => c.notNull())
    .addColumn('traceparent', 'varchar(55)')
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('sent_at', TIMESTAMP)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'varchar(500)')
    .execute();
  // The relay's scan: unsent rows oldest first.
  await db.schema.createIndex('ix_outbox_pending').on('outbox').columns(['sent_at', 'created_at']).execute();

  await db.schema
    .createTable('inbox')
    .addColumn('message_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('message_type', 'varchar(100)', (c) => c.notNull())
    .addColumn('order_id', 'varchar(64)')
    .addColumn('outcome', 'varchar(40)', (c) => c.notNull())
    .addColumn('processed_at', TIMESTAMP, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['inbox', 'outbox', 'idempotency_keys', 'order_items', 'orders']) {
    await db.schema.dropTable(table).execute();
  }
}
