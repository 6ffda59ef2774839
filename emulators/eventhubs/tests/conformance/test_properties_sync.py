"""The synchronous SDK client against the emulator: properties, sends and a receive."""

import threading

import pytest
from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.exceptions import EventHubError


def test_hub_properties_list_the_partitions(emulator) -> None:
    with EventHubProducerClient.from_connection_string(emulator.connection_string()) as producer:
        properties = producer.get_eventhub_properties()
    assert properties["eventhub_name"] == "order-events"
    assert properties["partition_ids"] == ["0", "1", "2", "3"]
    assert properties["created_at"] is not None


def test_partition_properties_follow_sends(emulator) -> None:
    with EventHubProducerClient.from_connection_string(emulator.connection_string()) as producer:
        before = producer.get_partition_properties("1")
        batch = producer.create_batch(partition_id="1")
        batch.add(EventData(b"first"))
        batch.add(EventData(b"second"))
        producer.send_batch(batch)
        after = producer.get_partition_properties("1")
    assert after["id"] == "1"
    assert after["last_enqueued_sequence_number"] == before["last_enqueued_sequence_number"] + 2
    assert after["is_empty"] is False
    assert int(after["last_enqueued_offset"]) > int(before["last_enqueued_offset"])
    assert after["beginning_sequence_number"] == 0


def test_unknown_hub_raises_an_error(emulator) -> None:
    producer = EventHubProducerClient.from_connection_string(
        emulator.connection_string(None), eventhub_name="no-such-hub", retry_total=0
    )
    with producer, pytest.raises(EventHubError, match="404"):
        producer.get_eventhub_properties()


def test_sync_consumer_receives_what_the_sync_producer_sent(emulator) -> None:
    with EventHubProducerClient.from_connection_string(emulator.connection_string()) as producer:
        start = producer.get_partition_properties("3")["last_enqueued_sequence_number"]
        producer.send_event(EventData(b"sync-event"), partition_id="3")
    received: list[EventData] = []
    arrived = threading.Event()

    def on_event(context, event) -> None:
        received.append(event)
        arrived.set()

    consumer = EventHubConsumerClient.from_connection_string(emulator.connection_string(), "analytics")
    worker = threading.Thread(
        target=consumer.receive,
        kwargs={"on_event": on_event, "partition_id": "3", "starting_position": start},
        daemon=True,
    )
    worker.start()
    try:
        assert arrived.wait(15)
    finally:
        consumer.close()
        worker.join(15)
    assert received[0].body_as_str() == "sync-event"
    assert received[0].sequence_number == start + 1


def test_wrong_key_is_refused_by_cbs(emulator) -> None:
    wrong = emulator.connection_string().replace("SAS_KEY_VALUE", "not-the-key")
    producer = EventHubProducerClient.from_connection_string(wrong, retry_total=0)
    with producer, pytest.raises(EventHubError):
        producer.get_eventhub_properties()


def test_send_to_unknown_hub_raises_not_found(emulator) -> None:
    producer = EventHubProducerClient.from_connection_string(
        emulator.connection_string(None), eventhub_name="no-such-hub", retry_total=0
    )
    with producer, pytest.raises(EventHubError, match="could not be found"):
        producer.send_batch([EventData("lost")], partition_id="0")
