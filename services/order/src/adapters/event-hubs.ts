/**
 * Event Hubs adapter (the only module that imports @azure/event-hubs): the outbox's producer to Event Hub
 * order-events, one batch per partition key so that every event of an order lands on the same partition in
 * order.
 */
import { EventHubProducerClient, type EventData } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import type { AzureEndpoint } from '../config.js';
import type { OutgoingMessage, Publisher } from '../outbox/relay.js';
import { sendInBatches } from './batches.js';

function toEvent(message: OutgoingMessage): EventData {
  return {
    body: Buffer.from(message.body, 'utf8'),
    contentType: 'application/json',
    messageId: message.messageId,
    correlationId: message.correlationId,
    properties: {
      type: message.type,
      version: message.version,
      ...(message.traceparent === null ? {} : { traceparent: message.traceparent }),
    },
  };
}

export function eventHubProducer(endpoint: AzureEndpoint, eventHubName: string): EventHubProducerClient {
  return 'connectionString' in endpoint
    ? new EventHubProducerClient(endpoint.connectionString, eventHubName)
    : new EventHubProducerClient(endpoint.fullyQualifiedNamespace, eventHubName, new DefaultAzureCredential());
}

/** Sends outbox batches to one Event Hub; takes the producer so that one process owns one client per hub. */
export class EventHubPublisher implements Publisher {
  constructor(private readonly producer: EventHubProducerClient) {}

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const byKey = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const key = message.partitionKey ?? message.correlationId;
      byKey.set(key, [...(byKey.get(key) ?? []), message]);
    }
    for (const [partitionKey, group] of byKey) {
      await sendInBatches(
        group,
        toEvent,
        {
          create: () => this.producer.createBatch({ partitionKey }),
          tryAdd: (batch, event) => batch.tryAdd(event),
          send: (batch) => this.producer.sendBatch(batch),
        },
        'event',
      );
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
