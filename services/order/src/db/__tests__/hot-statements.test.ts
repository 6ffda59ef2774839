/**
 * The hot statements on a real SQLite file: an order read with its lines in one statement, and the relay's
 * mark compiled once per row count (each count its own statement, marking exactly the ids it is given).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Order } from '../../domain/order.js';
import { OrderRepository } from '../../orders/order.repository.js';
import { OutboxRepository } from '../../outbox/outbox.repository.js';
import { tempDatabase, type TempDatabase } from '../../../test/helpers.js';

const AT = '2026-01-01T00:00:00.000Z';

function order(id: string, lines: number): Order {
  return {
    id,
    status: 'PENDING_PAYMENT',
    customer: { email: 'ada@example.com', name: 'Ada' },
    currency: 'USD',
    totalMinor: 100 * lines,
    items: Array.from({ length: lines }, (_, index) => ({
      productId: `p-${lines - index}`,
      quantity: index + 1,
      unitPriceMinor: 100 + index,
    })),
    statusReason: null,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
}

describe('hot statements', () => {
  let database: TempDatabase;
  before(async () => {
    database = await tempDatabase();
  });
  after(async () => {
    await database.remove();
  });

  it('test_an_order_reads_back_with_every_line_in_line_order_and_only_its_own', async () => {
    const orders = new OrderRepository(database.db);
    // Twelve lines (read back in line order), beside another order whose lines must not leak in.
    await orders.insert(database.db.kysely, order('ord-12', 12));
    await orders.insert(database.db.kysely, order('ord-2', 2));
    assert.deepEqual(await orders.findById('ord-12'), order('ord-12', 12));
    assert.deepEqual(await orders.findById('ord-2'), order('ord-2', 2));
    assert.equal(await orders.findById('ord-none'), undefined);
  });

  it('test_a_mark_sets_exactly_its_rows_sent_whatever_their_count', async () => {
    const outbox = new OutboxRepository(database.db);
    const ids = ['r1', 'r2', 'r3', 'r4'];
    await outbox.add(
      database.db.kysely,
      ids.map((id) => ({
        id,
        destination: 'order-events',
        message_id: `m-${id}`,
        partition_key: 'ord-2',
        correlation_id: 'ord-mark',
        message_type: 'OrderStatusChanged',
        message_version: 1,
        body: '{}',
        created_at: AT,
      })),
    );
    await outbox.recordFailure(ids, 'broker down');
    await outbox.markSent(['r1'], '2026-01-01T00:00:01.000Z');
    await outbox.markSent(['r3', 'r2'], '2026-01-01T00:00:02.000Z');
    const rows = Object.fromEntries(
      (await outbox.forCorrelation('ord-mark')).map((row) => [
        row.id,
        { sent_at: row.sent_at, attempts: row.attempts, last_error: row.last_error },
      ]),
    );
    assert.deepEqual(rows, {
      r1: { sent_at: '2026-01-01T00:00:01.000Z', attempts: 2, last_error: null },
      r2: { sent_at: '2026-01-01T00:00:02.000Z', attempts: 2, last_error: null },
      r3: { sent_at: '2026-01-01T00:00:02.000Z', attempts: 2, last_error: null },
      r4: { sent_at: null, attempts: 1, last_error: 'broker down' },
    });
  });
});
