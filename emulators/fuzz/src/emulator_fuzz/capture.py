"""Record what the official SDKs send to our emulators and write it out as seed corpora.

    python -m emulator_fuzz.capture

Starts both emulators, puts a `RecordingProxy` in front of each, runs azure-servicebus (send,
schedule, receive, complete, peek, topic subscription) and azure-eventhub (properties, batch send,
partition receive) through the proxies, then cuts each client's byte stream into headers and frames:

- ``corpus/frame/``: whole frames; ``corpus/codec/``: frame bodies (a described performative first);
- ``corpus/message/``: transfer payloads (encoded messages, batches included);
- ``corpus/handshake/``: each connection's stream from its first byte (mode byte 0, capped at 8 KiB).

Re-running replaces the files it wrote before (names start with ``sb-`` / ``eh-``) and keeps others.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
from collections import Counter
from pathlib import Path

from amqp_core.codec import DecodeError
from amqp_core.framing import HEADER_SIZE, FramingError, decode_frame_body, parse_frame_header
from amqp_core.performatives import Transfer
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient, PartitionContext
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from emulator_common.testing import close_receiving, connection_string

from emulator_fuzz.corpus import corpus_dir
from emulator_fuzz.emulators import EVENT_HUB, QUEUE, TOPIC, running_emulators
from emulator_fuzz.recording_proxy import RecordingProxy
from emulator_fuzz.stream_split import split_stream

SUBSCRIPTION = "order-service"
PER_KIND = 3
STREAM_CAP = 8192


async def servicebus_workload(port: int) -> None:
    async with ServiceBusClient.from_connection_string(connection_string(port)) as client:
        async with client.get_queue_sender(QUEUE) as sender:
            await sender.send_messages(
                ServiceBusMessage(
                    '{"orderId": "o-1"}',
                    application_properties={"amount": 12, "currency": "EUR", "express": True},
                    subject="PaymentRequested",
                    message_id="capture-1",
                    content_type="application/json",
                )
            )
            later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
            sequence = await sender.schedule_messages(ServiceBusMessage("later"), later)
            await sender.cancel_scheduled_messages(sequence)
        async with client.get_queue_receiver(QUEUE) as receiver:
            for message in await receiver.receive_messages(max_message_count=1, max_wait_time=5):
                await receiver.complete_message(message)
            await receiver.peek_messages(max_message_count=5)
        async with client.get_topic_sender(TOPIC) as topic_sender:
            await topic_sender.send_messages(ServiceBusMessage("paid", subject="PaymentSucceeded"))
        async with client.get_subscription_receiver(TOPIC, SUBSCRIPTION) as subscription:
            for message in await subscription.receive_messages(max_message_count=1, max_wait_time=5):
                await subscription.abandon_message(message)


async def eventhubs_workload(port: int) -> None:
    connection = connection_string(port, entity=EVENT_HUB)
    async with EventHubProducerClient.from_connection_string(connection) as producer:
        await producer.get_eventhub_properties()
        batch = await producer.create_batch(partition_id="0")
        batch.add(EventData('{"orderId": "o-1", "status": "placed"}'))
        batch.add(EventData(b"\x00\x01binary"))
        await producer.send_batch(batch)
    consumer = EventHubConsumerClient.from_connection_string(connection, consumer_group="$Default")
    received = asyncio.Event()

    async def on_event(_context: PartitionContext, _event: EventData | None) -> None:
        received.set()

    task = asyncio.create_task(consumer.receive(on_event, partition_id="0", starting_position="-1"))
    try:
        async with asyncio.timeout(15):
            await received.wait()
    finally:
        await close_receiving(consumer, task)


def write_corpora(source: str, streams: list[bytes]) -> Counter[str]:
    """Write the corpus files of one emulator's recorded client streams; return counts per target."""
    written: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for stream in streams:
        if _save("handshake", source, "stream", b"\x00" + stream[:STREAM_CAP]):
            written["handshake"] += 1
        for piece in split_stream(stream):
            if len(piece) == HEADER_SIZE:
                continue
            try:
                size, offset, frame_type, channel = parse_frame_header(piece[:HEADER_SIZE], 1 << 20)
                frame = decode_frame_body(frame_type, channel, memoryview(piece)[offset:size])
            except (FramingError, DecodeError):
                continue
            kind = type(frame.body).__name__.lower() if frame.body is not None else "empty"
            kinds[kind] += 1
            if kinds[kind] > PER_KIND:
                continue
            written["frame"] += _save("frame", source, kind, piece)
            if frame.body is not None:
                written["codec"] += _save("codec", source, kind, piece[offset:])
            if isinstance(frame.body, Transfer) and frame.payload:
                written["message"] += _save("message", source, "payload", frame.payload)
    return written


def _save(target: str, source: str, kind: str, data: bytes) -> bool:
    directory = corpus_dir(target)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{source}-{kind}-{hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]}"
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def _clear(source: str) -> None:
    for target in ("frame", "codec", "message", "handshake"):
        for path in corpus_dir(target).glob(f"{source}-*"):
            path.unlink()


async def capture() -> dict[str, list[bytes]]:
    with running_emulators() as emulators:
        servicebus = RecordingProxy(emulators.servicebus_port)
        eventhubs = RecordingProxy(emulators.eventhubs_port)
        await servicebus.start()
        await eventhubs.start()
        try:
            await servicebus_workload(servicebus.port)
            await eventhubs_workload(eventhubs.port)
            await asyncio.sleep(0.5)
        finally:
            await servicebus.close()
            await eventhubs.close()
        return {"sb": [bytes(s) for s in servicebus.streams], "eh": [bytes(s) for s in eventhubs.streams]}


def main() -> None:
    streams = asyncio.run(capture())
    for source, recorded in streams.items():
        _clear(source)
        counts = write_corpora(source, recorded)
        total = sum(len(stream) for stream in recorded)
        print(f"{source}: {len(recorded)} connections, {total} bytes -> {dict(counts)}")
    print(f"corpus: {Path(corpus_dir('frame')).parent}")


if __name__ == "__main__":
    main()
