/** The inbox: one row per payment-events message id applied, so a redelivery is recognised and skipped. */
import { CompiledOnce } from '../db/compiled-once.js';
import type { Db, Executor } from '../db/database.js';

export class InboxRepository {
  /** Compiled once per database (its dialect): every payment outcome asks it, once or twice. */
  private readonly entry = new CompiledOnce(
    (executor, messageId: string) => executor.selectFrom('inbox').select('outcome').where('message_id', '=', messageId),
    ['$message'],
  );

  private readonly insert = new CompiledOnce(
    (executor, messageId: string, type: string, orderId: string | null, outcome: string, at: string) =>
      executor.insertInto('inbox').values({
        message_id: messageId,
        message_type: type,
        order_id: orderId,
        outcome,
        processed_at: at,
      }),
    ['$message', '$type', '$order', '$outcome', '$at'],
  );

  constructor(private readonly db: Db) {}

  /** What handling the message decided (`applied`, `ignored:CANCELLED`...), or undefined if it was never handled. */
  async outcomeOf(messageId: string, executor: Executor = this.db.kysely): Promise<string | undefined> {
    return (await this.entry.run(executor, messageId)).rows[0]?.outcome;
  }

  async record(
    executor: Executor,
    entry: { messageId: string; type: string; orderId: string | null; outcome: string },
  ): Promise<void> {
    await this.insert.run(
      executor,
      entry.messageId,
      entry.type,
      entry.orderId,
      entry.outcome,
      new Date().toISOString(),
    );
  }
}
