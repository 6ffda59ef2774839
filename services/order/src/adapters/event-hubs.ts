/**
 * Event Hubs adapter (the only module that imports @azure/event-hubs): the outbox's producer to Event Hub
 * order-events, one batch per partition key so that every event of an order lands on the same partition in
 * order.
 */
import { EventHubProducerClient, RetryMode, type EventData, type RetryOptions } from '@azure/event-hubs';
import type { AzureEndpoint } from '../config.js';
import { defaultAzureCredential } from './azure-credential.js';
import type { OutgoingMessage, Publisher } from '../outbox/relay.js';
import { sendInBatches, traceProperties } from './batches.js';

function toEvent(message: OutgoingMessage): EventData {
  return {
    body: Buffer.from(message.body, 'utf8'),
    contentType: 'application/json',
    messageId: message.messageId,
    correlationId: message.correlationId,
    // As on Service Bus, Diagnostic-Id too, so an instrumented SDK keeps our context (traceProperties).
    properties: { type: message.type, version: message.version, ...traceProperties(message.traceparent) },
  };
}

/**
 * With the SDK's defaults a send cut off by a dropped connection waited out the 60 s operation timeout and
 * then 30 s before its retry: the outbox, and every email behind it, stalled for about 90 s
 * (chaos/experiments/eventhubs-dropped-connection.yaml). A send is a few kilobytes that the broker answers
 * in milliseconds, so give up on an unanswered one after 10 s and retry from half a second, doubling.
 */
export const PRODUCER_RETRY: RetryOptions = {
  mode: RetryMode.Exponential,
  maxRetries: 5,
  retryDelayInMs: 500,
  maxRetryDelayInMs: 10_000,
  timeoutInMs: 10_000,
};

export function eventHubProducer(endpoint: AzureEndpoint, eventHubName: string): EventHubProducerClient {
  const options = { retryOptions: PRODUCER_RETRY };
  return 'connectionString' in endpoint
    ? new EventHubProducerClient(endpoint.connectionString, eventHubName, options)
    : new EventHubProducerClient(endpoint.fullyQualifiedNamespace, eventHubName, defaultAzureCredential(), options);
}

/** Sends outbox batches to one Event Hub; takes the producer so that one process owns one client per hub. */
export class EventHubPublisher implements Publisher {
  readonly system = 'eventhubs';
  constructor(private readonly producer: EventHubProducerClient) {}

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const byKey = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const key = message.partitionKey ?? message.correlationId;
      const group = byKey.get(key);
      if (group === undefined) byKey.set(key, [message]);
      else group.push(message);
    }
    // One key's events go in order; different keys are independent, so their sends overlap instead of
    // costing the relay one broker round trip per order (the outbox lag under load).
    const sends = [...byKey].map(([partitionKey, group]) =>
      sendInBatches(
        group,
        toEvent,
        {
          create: () => this.producer.createBatch({ partitionKey }),
          tryAdd: (batch, event) => batch.tryAdd(event),
          send: (batch) => this.producer.sendBatch(batch),
        },
        'event',
      ),
    );
    // Every send settles before a failure is reported, so the relay's retry never races a send in flight.
    for (const result of await Promise.allSettled(sends)) {
      if (result.status === 'rejected') throw result.reason;
    }
  }

  /** Readiness: the namespace answers a management request for the hub. */
  async ready(): Promise<void> {
    await this.producer.getEventHubProperties();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
