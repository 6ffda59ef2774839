/** The inbox: one row per payment-events message id applied, so a redelivery is recognised and skipped. */
import type { Db, Executor } from '../db/database.js';

export class InboxRepository {
  constructor(private readonly db: Db) {}

  async seen(messageId: string, executor: Executor = this.db.kysely): Promise<boolean> {
    const row = await executor
      .selectFrom('inbox')
      .select('message_id')
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async record(
    executor: Executor,
    entry: { messageId: string; type: string; orderId: string | null; outcome: string },
  ): Promise<void> {
    await executor
      .insertInto('inbox')
      .values({
        message_id: entry.messageId,
        message_type: entry.type,
        order_id: entry.orderId,
        outcome: entry.outcome,
        processed_at: new Date().toISOString(),
      })
      .execute();
  }
}
