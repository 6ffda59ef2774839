/**
 * Service Bus adapter (the only module that imports @azure/service-bus): the outbox's sender to queue
 * payment-requests and the peek-lock receiver of topic payment-events, subscription order-service.
 */
import {
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSender,
} from '@azure/service-bus';
import type { AzureEndpoint } from '../config.js';
import { defaultAzureCredential } from './azure-credential.js';
import type { Logger } from '../observability/logger.js';
import { failSpan, inConsumerSpan } from '../observability/trace.js';
import type { OutgoingMessage, Publisher } from '../outbox/relay.js';
import type { Disposition } from '../payments/payment-events.js';
import { sendInBatches, traceProperties } from './batches.js';

export function serviceBusClient(endpoint: AzureEndpoint): ServiceBusClient {
  return 'connectionString' in endpoint
    ? new ServiceBusClient(endpoint.connectionString)
    : new ServiceBusClient(endpoint.fullyQualifiedNamespace, defaultAzureCredential());
}

function toServiceBus(message: OutgoingMessage): ServiceBusMessage {
  return {
    // Bytes, not a JS value: the body must reach every consumer as exactly this JSON text.
    body: Buffer.from(message.body, 'utf8'),
    contentType: 'application/json',
    messageId: message.messageId,
    correlationId: message.correlationId,
    // The type again as the subject (Service Bus "Label"): what explorers and correlation filters show first.
    subject: message.type,
    applicationProperties: { type: message.type, version: message.version, ...traceProperties(message.traceparent) },
  };
}

/** Sends outbox batches to one queue. */
export class ServiceBusPublisher implements Publisher {
  readonly system = 'servicebus';
  private readonly sender: ServiceBusSender;

  constructor(client: ServiceBusClient, queue: string) {
    this.sender = client.createSender(queue);
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    await sendInBatches(
      messages,
      toServiceBus,
      {
        create: () => this.sender.createMessageBatch(),
        tryAdd: (batch, amqp) => batch.tryAddMessage(amqp),
        send: (batch) => this.sender.sendMessages(batch),
      },
      'message',
    );
  }

  /** Readiness: the namespace accepts a link to the queue. */
  async ready(): Promise<void> {
    await this.sender.createMessageBatch();
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}

export type MessageHandler = (messageId: string | undefined, body: unknown) => Promise<Disposition>;

/**
 * How long a message whose handling failed for a passing reason (the product service or the database not
 * answering) is held before it is abandoned: `baseMs` after its first delivery, doubling, at most `maxMs`.
 * Abandoned at once, the broker redelivered it within milliseconds, so a five-second product outage used up
 * the subscription's MaxDeliveryCount (5) and dead-lettered a PaymentSucceeded: the order stayed
 * PENDING_PAYMENT although charged (chaos/experiments/product-down-checkout.yaml). With the defaults the five
 * deliveries span about 30 s (1 + 2 + 4 + 8 + 15), well inside the 60 s lock.
 */
export interface AbandonBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const ABANDON_BACKOFF: AbandonBackoff = { baseMs: 1_000, maxMs: 15_000 };

export function abandonDelayMs(deliveryCount: number, backoff: AbandonBackoff = ABANDON_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, deliveryCount - 1));
}

/**
 * Hands out turns of the event loop, one per caller, in call order. rhea (3.0.5, under @azure/service-bus)
 * writes the dispositions of one tick together and merges two deliveries of consecutive ids into one
 * disposition frame carrying the first one's outcome whatever the second's (`write_dispositions` compares
 * outcomes only from a third delivery on): the broker then applies the first outcome to both, e.g. dead-letters
 * a message with another message's reason, or completes a poison message. One settlement per turn keeps each
 * disposition in a frame of its own.
 */
export class SettlementTurns {
  private last: Promise<void> = Promise.resolve();

  /** Resolves in a turn of the event loop of its own, after the turns of every earlier call. */
  next(): Promise<void> {
    const turn = this.last.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.last = turn;
    return turn;
  }
}

/**
 * Peek-lock receiver: each message is completed, dead-lettered (with reason and description) or abandoned
 * according to the handler's disposition. Stopping waits for the messages in flight to be settled.
 */
export class PaymentEventsReceiver {
  private readonly receiver: ServiceBusReceiver;
  private subscription: { close(): Promise<void> } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly turns = new SettlementTurns();
  private readonly stopping = new AbortController();

  constructor(
    client: ServiceBusClient,
    private readonly topic: string,
    private readonly subscriptionName: string,
    private readonly handler: MessageHandler,
    private readonly concurrency: number,
    private readonly log: Logger,
    private readonly backoff: AbandonBackoff = ABANDON_BACKOFF,
  ) {
    this.receiver = client.createReceiver(topic, subscriptionName, { receiveMode: 'peekLock' });
  }

  start(): void {
    this.subscription = this.receiver.subscribe(
      {
        processMessage: (message) => this.track(this.process(message)),
        processError: ({ error, errorSource }) => {
          this.log.warn({ error_source: errorSource, reason: error.message }, 'payment-events receiver error');
          return Promise.resolve();
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: this.concurrency },
    );
  }

  /** Stops taking messages, waits for those in flight to be settled, then closes the link. */
  async stop(): Promise<void> {
    this.stopping.abort(); // messages held before an abandon are abandoned now
    await this.subscription?.close();
    await Promise.allSettled([...this.inFlight]);
    await this.receiver.close();
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private holdBeforeAbandon(deliveryCount: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, abandonDelayMs(deliveryCount, this.backoff));
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  private async process(message: ServiceBusReceivedMessage): Promise<void> {
    const messageId = message.messageId === undefined ? undefined : String(message.messageId);
    const properties = message.applicationProperties;
    await inConsumerSpan(
      properties?.['traceparent'] ?? properties?.['Diagnostic-Id'],
      { system: 'servicebus', destination: this.topic, subscription: this.subscriptionName, messageId },
      async (span) => {
        const disposition = await this.handler(messageId, message.body);
        if (disposition.action === 'abandon') await this.holdBeforeAbandon(message.deliveryCount ?? 1);
        await this.turns.next();
        switch (disposition.action) {
          case 'complete':
            await this.receiver.completeMessage(message);
            return;
          case 'deadLetter':
            failSpan(span, new Error(`dead-lettered: ${disposition.reason}`));
            await this.receiver.deadLetterMessage(message, {
              deadLetterReason: disposition.reason,
              deadLetterErrorDescription: disposition.description,
            });
            return;
          case 'abandon':
            failSpan(span, new Error(`abandoned: ${disposition.description}`));
            await this.receiver.abandonMessage(message);
            return;
        }
      },
    );
  }
}
