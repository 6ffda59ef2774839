/** The transactional outbox: rows written with the state change they announce, sent later by the relay. */
import { sql, type CompiledQuery } from 'kysely';
import { CompiledOnce } from '../db/compiled-once.js';
import { firstRows, type Db, type Executor } from '../db/database.js';
import type { NewOutboxRow, OutboxRow } from '../db/schema.js';

export class OutboxRepository {
  private readonly listeners: Array<() => void> = [];
  // Every order placed and every status move writes rows, and every relay pass reads them: compiled once
  // per database (its dialect), a row per statement (one prepared statement for any number of rows).
  private readonly rowInsert = new CompiledOnce(
    (
      executor,
      id: string,
      destination: string,
      messageId: string,
      partitionKey: string | null,
      correlationId: string,
      type: string,
      version: number,
      body: string,
      traceparent: string | null,
      createdAt: string,
      sentAt: string | null,
      attempts: number,
      lastError: string | null,
    ) =>
      executor.insertInto('outbox').values({
        id,
        destination,
        message_id: messageId,
        partition_key: partitionKey,
        correlation_id: correlationId,
        message_type: type,
        message_version: version,
        body,
        traceparent,
        created_at: createdAt,
        sent_at: sentAt,
        attempts,
        last_error: lastError,
      }),
    ['$id', '$dest', '$msg', '$key', '$corr', '$type', -1, '$body', '$tp', '$created', '$sent', -2, '$error'],
  );
  /** The relay's scan, compiled once per batch size: the same query, values and all, on every pass. */
  private readonly pendingScans = new Map<number, CompiledQuery<OutboxRow>>();
  /**
   * The relay's mark of the rows it sent, compiled once per row count (a pass sends one to a batch size of
   * rows per destination): built and compiled on every pass, it cost each order two Kysely compilations.
   */
  private readonly sentMarks = new Map<number, CompiledOnce<unknown, [string, ...string[]]>>();

  constructor(private readonly db: Db) {}

  /** Calls `listener` each time rows added here have been committed (the relay sends them at once). */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners that rows added in a transaction are committed; the writer calls it after the commit. */
  committed(): void {
    for (const listener of this.listeners) listener();
  }

  async add(executor: Executor, rows: readonly NewOutboxRow[]): Promise<void> {
    for (const row of rows) {
      await this.rowInsert.run(
        executor,
        row.id,
        row.destination,
        row.message_id,
        row.partition_key ?? null,
        row.correlation_id,
        row.message_type,
        row.message_version,
        row.body,
        row.traceparent ?? null,
        row.created_at,
        row.sent_at ?? null,
        row.attempts ?? 0,
        row.last_error ?? null,
      );
    }
  }

  /** Unsent rows, oldest first. */
  async pending(limit: number): Promise<OutboxRow[]> {
    let scan = this.pendingScans.get(limit);
    if (scan === undefined) {
      const query = this.db.kysely
        .selectFrom('outbox')
        .selectAll()
        .where('sent_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id');
      scan = firstRows(this.db, query, limit).compile();
      this.pendingScans.set(limit, scan);
    }
    return (await this.db.kysely.executeQuery(scan)).rows;
  }

  async markSent(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    let mark = this.sentMarks.get(ids.length);
    if (mark === undefined) {
      mark = new CompiledOnce(
        (executor, sentAt: string, ...marked: string[]) =>
          executor
            .updateTable('outbox')
            // Written into the text, not bound, so that the statement takes exactly the time and the ids.
            .set({ sent_at: sentAt, attempts: sql<number>`attempts + 1`, last_error: sql<null>`null` })
            .where('id', 'in', marked),
        ['$at', ...Array.from({ length: ids.length }, (_, index) => `$id${index}`)],
      );
      this.sentMarks.set(ids.length, mark);
    }
    await mark.run(this.db.kysely, at, ...ids);
  }

  /**
   * Takes back the unsent rows of one order and type (a PaymentRequested of an order cancelled before the
   * relay sent it: nobody should charge it now). They are marked done for the relay (`sent_at`) with
   * `last_error` saying why; a row the relay is sending at this very moment still goes out, and its
   * outcome is handled like any late payment outcome. Returns how many rows were withdrawn.
   */
  async withdrawUnsent(executor: Executor, correlationId: string, messageType: string, at: string): Promise<number> {
    const result = await executor
      .updateTable('outbox')
      .set({ sent_at: at, last_error: 'withdrawn: the order was cancelled before this was sent' })
      .where('correlation_id', '=', correlationId)
      .where('message_type', '=', messageType)
      .where('sent_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async recordFailure(ids: readonly string[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.kysely
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500) }))
      .where('id', 'in', [...ids])
      .execute();
  }

  async backlog(now: Date = new Date()): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const row = await this.db.kysely
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll<number | string>().as('pending'), eb.fn.min('created_at').as('oldest')])
      .where('sent_at', 'is', null)
      .executeTakeFirst();
    const pending = Number(row?.pending ?? 0);
    const oldest = row?.oldest;
    const oldestAgeSeconds = typeof oldest === 'string' ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0;
    return { pending, oldestAgeSeconds };
  }

  /** Every row for one correlation id (an order), oldest first: for inspection and tests. */
  async forCorrelation(correlationId: string): Promise<OutboxRow[]> {
    return this.db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('correlation_id', '=', correlationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
}
