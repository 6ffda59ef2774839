/** Orders, their items and idempotency keys in SQL (portable Kysely; see db/database.ts). */
import { CompiledOnce } from '../db/compiled-once.js';
import { firstRows, type Db, type Executor } from '../db/database.js';
import type { OrderItemRow, OrderRow } from '../db/schema.js';
import type { Order } from '../domain/order.js';
import type { OrderStatus } from '../domain/order-status.js';

export interface PageAfter {
  readonly createdAt: string;
  readonly id: string;
}

function toOrder(row: OrderRow, items: readonly OrderItemRow[]): Order {
  return {
    id: row.id,
    status: row.status as OrderStatus,
    customer: {
      email: row.customer_email,
      name: row.customer_name,
      ...(row.customer_phone === null ? {} : { phone: row.customer_phone }),
    },
    currency: row.currency,
    // SQL Server returns bigint columns as strings (BigIntColumn).
    totalMinor: Number(row.total_minor),
    items: [...items]
      .sort((a, b) => a.line_no - b.line_no)
      .map((item) => ({
        productId: item.product_id,
        quantity: item.quantity,
        unitPriceMinor: Number(item.unit_price_minor),
      })),
    statusReason: row.status_reason,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class OrderRepository {
  // The reads and the status move of every status poll, payment outcome and order placed, compiled once
  // per database (its dialect).
  // An order and its lines in one statement (a row per line, the order's columns repeated): a status poll
  // or payment outcome read them with two, each a round through Kysely's executor and SQLite.
  private readonly orderWithItems = new CompiledOnce(
    (executor, id: string) =>
      executor
        .selectFrom('orders')
        .leftJoin('order_items', 'order_items.order_id', 'orders.id')
        .selectAll('orders')
        .select([
          'order_items.line_no',
          'order_items.product_id',
          'order_items.quantity',
          'order_items.unit_price_minor',
        ])
        .where('orders.id', '=', id),
    ['$id'],
  );
  private readonly idempotencyKey = new CompiledOnce(
    (executor, key: string) =>
      executor.selectFrom('idempotency_keys').select(['request_hash', 'order_id']).where('idempotency_key', '=', key),
    ['$key'],
  );
  private readonly statusMove = new CompiledOnce(
    (executor, status: string, reason: string | null, at: string, version: number, id: string, expected: number) =>
      executor
        .updateTable('orders')
        .set({ status, status_reason: reason, updated_at: at, version })
        .where('id', '=', id)
        .where('version', '=', expected),
    ['$status', '$reason', '$at', -1, '$id', -2],
  );

  // The writes of every order placed, compiled once too; an order's lines go one statement each (one
  // prepared statement for any number of lines, where a multi-row insert has a text per line count).
  private readonly orderInsert = new CompiledOnce(
    (
      executor,
      id: string,
      email: string,
      name: string,
      phone: string | null,
      status: string,
      currency: string,
      totalMinor: number,
      reason: string | null,
      version: number,
      createdAt: string,
      updatedAt: string,
    ) =>
      executor.insertInto('orders').values({
        id,
        customer_email: email,
        customer_name: name,
        customer_phone: phone,
        status,
        currency,
        total_minor: totalMinor,
        status_reason: reason,
        version,
        created_at: createdAt,
        updated_at: updatedAt,
      }),
    ['$id', '$email', '$name', '$phone', '$status', '$currency', -1, '$reason', -2, '$created', '$updated'],
  );
  private readonly itemInsert = new CompiledOnce(
    (executor, orderId: string, lineNo: number, productId: string, quantity: number, unitPriceMinor: number) =>
      executor.insertInto('order_items').values({
        order_id: orderId,
        line_no: lineNo,
        product_id: productId,
        quantity,
        unit_price_minor: unitPriceMinor,
      }),
    ['$order', -1, '$product', -2, -3],
  );
  private readonly idempotencyKeyInsert = new CompiledOnce(
    (executor, key: string, requestHash: string, orderId: string, at: string) =>
      executor
        .insertInto('idempotency_keys')
        .values({ idempotency_key: key, request_hash: requestHash, order_id: orderId, created_at: at }),
    ['$key', '$hash', '$order', '$at'],
  );

  constructor(private readonly db: Db) {}

  async insert(executor: Executor, order: Order): Promise<void> {
    await this.orderInsert.run(
      executor,
      order.id,
      order.customer.email,
      order.customer.name,
      order.customer.phone ?? null,
      order.status,
      order.currency,
      order.totalMinor,
      order.statusReason,
      order.version,
      order.createdAt,
      order.updatedAt,
    );
    for (const [index, item] of order.items.entries()) {
      await this.itemInsert.run(executor, order.id, index + 1, item.productId, item.quantity, item.unitPriceMinor);
    }
  }

  async findById(id: string, executor: Executor = this.db.kysely): Promise<Order | undefined> {
    const { rows } = await this.orderWithItems.run(executor, id);
    const [row] = rows;
    if (row === undefined) return undefined;
    const items: OrderItemRow[] = [];
    for (const line of rows) {
      // A left join: an order without lines (none is written so) still reads as one row of nulls.
      const { line_no, product_id, quantity, unit_price_minor } = line;
      if (line_no === null || product_id === null || quantity === null || unit_price_minor === null) continue;
      items.push({ order_id: row.id, line_no, product_id, quantity, unit_price_minor });
    }
    return toOrder(row, items);
  }

  /** Newest first; keyset paging on (created_at, id) so pages stay stable while orders arrive. */
  async listByCustomer(email: string, limit: number, after?: PageAfter): Promise<Order[]> {
    let query = this.db.kysely
      .selectFrom('orders')
      .selectAll()
      .where('customer_email', '=', email)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc');
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await firstRows(this.db, query, limit).execute();
    if (rows.length === 0) return [];
    const items = await this.db.kysely
      .selectFrom('order_items')
      .selectAll()
      .where(
        'order_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    return rows.map((row) =>
      toOrder(
        row,
        items.filter((item) => item.order_id === row.id),
      ),
    );
  }

  /** Moves the order if nobody changed it since `expectedVersion` was read; false when somebody did. */
  async updateStatus(
    executor: Executor,
    id: string,
    expectedVersion: number,
    change: { status: OrderStatus; reason: string | null; at: string },
  ): Promise<boolean> {
    const result = await this.statusMove.run(
      executor,
      change.status,
      change.reason,
      change.at,
      expectedVersion + 1,
      id,
      expectedVersion,
    );
    return Number(result.numAffectedRows) === 1;
  }

  /**
   * Orders still PENDING_PAYMENT that were placed at or before `placedBy`, oldest first, with the version
   * they were read at (the payment-timeout sweeper moves each only if that version is still current).
   */
  async awaitingPaymentSince(placedBy: string, limit: number): Promise<Array<{ id: string; version: number }>> {
    const query = this.db.kysely
      .selectFrom('orders')
      .select(['id', 'version'])
      .where('status', '=', 'PENDING_PAYMENT')
      .where('created_at', '<=', placedBy)
      .orderBy('created_at')
      .orderBy('id');
    return firstRows(this.db, query, limit).execute();
  }

  async findIdempotencyKey(
    key: string,
    executor: Executor = this.db.kysely,
  ): Promise<{ requestHash: string; orderId: string } | undefined> {
    const [row] = (await this.idempotencyKey.run(executor, key)).rows;
    return row === undefined ? undefined : { requestHash: row.request_hash, orderId: row.order_id };
  }

  async insertIdempotencyKey(
    executor: Executor,
    key: string,
    requestHash: string,
    orderId: string,
    at: string,
  ): Promise<void> {
    await this.idempotencyKeyInsert.run(executor, key, requestHash, orderId, at);
  }

  async countByStatus(): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.db.kysely
      .selectFrom('orders')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
      .groupBy('status')
      .execute();
    return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
  }
}
