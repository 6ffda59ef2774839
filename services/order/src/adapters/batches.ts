/** Sending outbox messages through a broker SDK's size-limited batches (Event Hubs, Service Bus). */
import type { OutgoingMessage } from '../outbox/relay.js';

/** One SDK's batching: a fresh batch, adding an item to it (false when it does not fit), sending it. */
export interface Batching<Item, Batch extends { readonly count: number }> {
  create(): Promise<Batch>;
  tryAdd(batch: Batch, item: Item): boolean;
  send(batch: Batch): Promise<void>;
}

/**
 * Sends `messages` in order, as few batches as fit; `what` names an item in the error for one that does not
 * fit even an empty batch.
 */
export async function sendInBatches<Item, Batch extends { readonly count: number }>(
  messages: readonly OutgoingMessage[],
  convert: (message: OutgoingMessage) => Item,
  batching: Batching<Item, Batch>,
  what: string,
): Promise<void> {
  let batch = await batching.create();
  for (const message of messages) {
    const item = convert(message);
    if (batching.tryAdd(batch, item)) continue;
    if (batch.count === 0) throw new Error(`${what} ${message.messageId} exceeds the maximum batch size`);
    await batching.send(batch);
    batch = await batching.create();
    if (!batching.tryAdd(batch, item)) throw new Error(`${what} ${message.messageId} exceeds the maximum batch size`);
  }
  if (batch.count > 0) await batching.send(batch);
}

/**
 * The message's trace context, as `traceparent` (MESSAGES.md) and as `Diagnostic-Id`: an instrumented Azure
 * SDK leaves a message that already has a `Diagnostic-Id` alone, instead of stamping a span of its own
 * there that consumers reading that property would follow instead of ours.
 */
export function traceProperties(traceparent: string | null): Record<string, string> {
  return traceparent === null ? {} : { traceparent, 'Diagnostic-Id': traceparent };
}
