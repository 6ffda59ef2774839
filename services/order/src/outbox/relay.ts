/**
 * The outbox relay: sends unsent outbox rows oldest first and marks them sent. A crash between the send and
 * the mark re-sends the row on the next pass; that is harmless because the row carries the same message id
 * (Service Bus duplicate detection on payment-requests) and the same envelope id (consumers de-duplicate).
 */
import type { OutboxRow } from '../db/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { failSpan, startProducerSpan, type MessagingAttributes } from '../observability/trace.js';
import { PollingLoop } from '../polling-loop.js';
import type { Destination } from './messages.js';
import type { OutboxRepository } from './outbox.repository.js';

/** An outgoing message as the broker adapters take it. */
export interface OutgoingMessage {
  readonly messageId: string;
  readonly correlationId: string;
  readonly partitionKey: string | null;
  readonly type: string;
  readonly version: number;
  readonly body: string;
  readonly traceparent: string | null;
}

/** Sends a batch to one destination; resolves once the broker has accepted every message. */
export interface Publisher {
  /** The broker behind it, for the PRODUCER spans (`messaging.system`). */
  readonly system: MessagingAttributes['system'];
  send(messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface RelayOptions {
  readonly pollMs: number;
  readonly batchSize: number;
  /**
   * How long a commit's wake-up of an idle relay is held, so that the rows of the orders committed
   * meanwhile go in the same pass (one query, one Service Bus batch, one mark) instead of a pass each.
   */
  readonly gatherMs?: number;
  /** Called after a batch is sent and before it is marked; tests use it to simulate a crash there. */
  readonly afterSend?: (rows: readonly OutboxRow[]) => Promise<void>;
}

function outgoing(row: OutboxRow, traceparent: string | null): OutgoingMessage {
  return {
    messageId: row.message_id,
    correlationId: row.correlation_id,
    partitionKey: row.partition_key,
    type: row.message_type,
    version: row.message_version,
    body: row.body,
    traceparent,
  };
}

export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publishers: Readonly<Record<Destination, Publisher>>,
    private readonly options: RelayOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    // Another pass at once only when this one sent from a full batch (more may wait behind it): after a
    // shorter one the table held nothing else, and a commit since has woken the loop anyway. (Looping
    // whenever a pass sent something cost every pass a second query that found nothing.) A pass whose
    // sends all failed waits out the interval, as before.
    this.loop = new PollingLoop(
      async () => {
        const { taken, sent } = await this.pass();
        return sent > 0 && taken >= options.batchSize;
      },
      options.pollMs,
      (error) => {
        this.log.error({ exception: error }, 'outbox relay pass failed');
      },
      options.gatherMs ?? 0,
    );
    // A committed row is sent at once: a saga step waiting out the poll interval would add that to its
    // latency. The interval still picks up what a wake cannot announce (rows left by a crash, a failed send).
    outbox.onCommitted(() => {
      this.loop.wake();
    });
  }

  /** One pass: sends what is pending (up to one batch per destination). Returns how many rows were sent. */
  async drainOnce(): Promise<number> {
    return (await this.pass()).sent;
  }

  /** One pass; `taken` is how many pending rows it found, `sent` how many of them went out. */
  private async pass(): Promise<{ taken: number; sent: number }> {
    const rows = await this.outbox.pending(this.options.batchSize);
    const byDestination = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const group = byDestination.get(row.destination);
      if (group === undefined) byDestination.set(row.destination, [row]);
      else group.push(row);
    }
    // A row's destination is whatever text the table holds: looked up by name, it may have no publisher.
    const publishers: Readonly<Record<string, Publisher>> = this.publishers;
    let sent = 0;
    for (const [destination, batch] of byDestination) {
      const publisher = publishers[destination];
      const ids = batch.map((row) => row.id);
      if (publisher === undefined) {
        await this.outbox.recordFailure(ids, `no publisher for destination '${destination}'`);
        continue;
      }
      // One PRODUCER span per message, the child of the span that wrote its row: the message carries it on.
      const sends = batch.map((row) => ({
        row,
        ...startProducerSpan(row.traceparent, { system: publisher.system, destination, messageId: row.message_id }),
      }));
      try {
        await publisher.send(sends.map(({ row, traceparent }) => outgoing(row, traceparent)));
      } catch (error) {
        for (const { span } of sends) {
          failSpan(span, error);
          span.end();
        }
        const reason = error instanceof Error ? error.message : String(error);
        await this.outbox.recordFailure(ids, reason);
        this.log.warn({ destination, count: batch.length, reason }, 'outbox send failed; will retry');
        continue;
      }
      for (const { span } of sends) span.end();
      await this.options.afterSend?.(batch);
      await this.outbox.markSent(ids, new Date().toISOString());
      this.metrics.outboxSent.inc({ destination }, batch.length);
      sent += batch.length;
    }
    return { taken: rows.length, sent };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling after the batch in flight is sent and marked. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
