/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings of fixed width (Date#toISOString), which sort
 * chronologically as text on both SQLite and SQL Server; amounts are integer minor units.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A bigint column: written as a number, read back as a number (SQLite) or a string (SQL Server, tedious). */
export type BigIntColumn = ColumnType<number | string, number, number>;

export interface OrdersTable {
  id: string;
  customer_email: string;
  customer_name: string;
  customer_phone: string | null;
  status: string;
  currency: string;
  total_minor: BigIntColumn;
  status_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface OrderItemsTable {
  order_id: string;
  line_no: number;
  product_id: string;
  quantity: number;
  unit_price_minor: BigIntColumn;
}

export interface IdempotencyKeysTable {
  idempotency_key: string;
  request_hash: string;
  order_id: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  destination: string;
  message_id: string;
  partition_key: string | null;
  correlation_id: string;
  message_type: string;
  message_version: number;
  body: string;
  traceparent: string | null;
  created_at: string;
  sent_at: string | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface InboxTable {
  message_id: string;
  message_type: string;
  order_id: string | null;
  outcome: string;
  processed_at: string;
}

export interface Database {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
  inbox: InboxTable;
}

export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
