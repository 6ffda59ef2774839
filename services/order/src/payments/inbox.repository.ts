/** The inbox: one row per payment-events message id applied, so a redelivery is recognised and skipped. */
import { CompiledOnce } from '../db/compiled-once.js';
import type { Db, Executor } from '../db/database.js';

export class InboxRepository {
  /** Compiled once per database (its dialect): every payment outcome asks it, once or twice. */
  private readonly entry = new CompiledOnce(
    (executor, messageId: string) =>
      executor.selectFrom('inbox').select('message_id').where('message_id', '=', messageId),
    ['$message'],
  );

  constructor(private readonly db: Db) {}

  async seen(messageId: string, executor: Executor = this.db.kysely): Promise<boolean> {
    return (await this.entry.run(executor, messageId)).rows.length > 0;
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
