"""azure-servicebus (sync and aio) against the emulator over AMQP."""

from __future__ import annotations

import datetime as dt

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode, ServiceBusSubQueue
from azure.servicebus.aio import ServiceBusClient as AsyncServiceBusClient
from azure.servicebus.exceptions import (
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
)


def receive(client: ServiceBusClient, queue: str, count: int = 1, **kwargs: object) -> list:
    with client.get_queue_receiver(queue, **kwargs) as receiver:  # type: ignore[arg-type]
        return receiver.receive_messages(max_message_count=count, max_wait_time=3)


def test_send_and_peek_lock_complete(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("basic") as sender:
            sender.send_messages(
                ServiceBusMessage("hello", application_properties={"type": "t"}, message_id="m-1")
            )
        with client.get_queue_receiver("basic") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(message) == "hello"
            assert message.message_id == "m-1"
            assert message.sequence_number is not None
            assert message.enqueued_time_utc is not None
            assert message.locked_until_utc is not None
            assert message.delivery_count == 0
            assert message.application_properties == {b"type": b"t"}
            receiver.complete_message(message)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_receive_and_delete_removes_messages(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("rad") as sender:
            sender.send_messages([ServiceBusMessage("a"), ServiceBusMessage("b")])
        received = receive(client, "rad", 2, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
        assert sorted(str(message) for message in received) == ["a", "b"]
        assert receive(client, "rad", 1, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) == []


def test_abandon_redelivers_with_a_higher_delivery_count(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("abandon") as sender:
            sender.send_messages(ServiceBusMessage("again"))
        with client.get_queue_receiver("abandon") as receiver:
            [first] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.abandon_message(first)
            [second] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert second.delivery_count == 1
            receiver.complete_message(second)


def test_defer_then_receive_by_sequence_number(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("defer") as sender:
            sender.send_messages(ServiceBusMessage("later"))
        with client.get_queue_receiver("defer") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.defer_message(message)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
            [deferred] = receiver.receive_deferred_messages([message.sequence_number])
            assert str(deferred) == "later"
            receiver.complete_message(deferred)


@pytest.mark.xfail(
    strict=True, reason="known gap: the SDK re-sends the dead-letter over $management after our echo"
)
def test_dead_letter_lands_in_the_dlq_with_reason(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("dlq") as sender:
            sender.send_messages(ServiceBusMessage("poison"))
        with client.get_queue_receiver("dlq") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.dead_letter_message(message, reason="bad", error_description="cannot parse")
        with client.get_queue_receiver("dlq", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
            [dead] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(dead) == "poison"
            assert dead.dead_letter_reason == "bad"
            assert dead.dead_letter_error_description == "cannot parse"
            receiver.complete_message(dead)


def test_renew_lock_extends_locked_until(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("renew") as sender:
            sender.send_messages(ServiceBusMessage("hold"))
        with client.get_queue_receiver("renew") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            before = message.locked_until_utc
            renewed = receiver.renew_message_lock(message)
            assert renewed >= before
            receiver.complete_message(message)


def test_schedule_and_cancel(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("schedule") as sender:
            when = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
            [sequence_number] = sender.schedule_messages(ServiceBusMessage("future"), when)
            with client.get_queue_receiver("schedule") as receiver:
                [peeked] = receiver.peek_messages(max_message_count=5)
                assert peeked.sequence_number == sequence_number
            sender.cancel_scheduled_messages(sequence_number)
        with client.get_queue_receiver("schedule") as receiver:
            assert receiver.peek_messages(max_message_count=5) == []


def test_peek_does_not_lock(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("peek") as sender:
            sender.send_messages([ServiceBusMessage("p1"), ServiceBusMessage("p2")])
        with client.get_queue_receiver("peek") as receiver:
            peeked = receiver.peek_messages(max_message_count=5)
            assert [str(message) for message in peeked] == ["p1", "p2"]
            received = receiver.receive_messages(max_message_count=2, max_wait_time=5)
            assert len(received) == 2
            for message in received:
                receiver.complete_message(message)


def test_duplicate_message_ids_are_dropped(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("dups") as sender:
            sender.send_messages(ServiceBusMessage("first", message_id="same"))
            sender.send_messages(ServiceBusMessage("second", message_id="same"))
        received = receive(client, "dups", 5, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
        assert [str(message) for message in received] == ["first"]


@pytest.mark.xfail(strict=True, reason="known gap: the SDK maps our rejected outcome to amqp:unknown-error")
def test_oversize_message_is_refused(conn_str: str) -> None:
    with (
        ServiceBusClient.from_connection_string(conn_str) as client,
        client.get_queue_sender("small") as sender,
        pytest.raises(MessageSizeExceededError),
    ):
        sender.send_messages(ServiceBusMessage("x" * 4096))


def test_topic_fans_out_to_its_subscription(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_topic_sender("events") as sender:
            sender.send_messages(ServiceBusMessage("evt"))
        with client.get_subscription_receiver("events", "audit") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(message) == "evt"
            receiver.complete_message(message)


def test_wrong_key_raises_authentication_error(conn_str: str) -> None:
    wrong = conn_str.replace("SAS_KEY_VALUE", "WRONG_KEY")
    client = ServiceBusClient.from_connection_string(wrong, retry_total=0)
    with client, pytest.raises(ServiceBusAuthenticationError), client.get_queue_sender("basic") as sender:
        sender.send_messages(ServiceBusMessage("nope"))


def test_unknown_entity_raises_not_found(conn_str: str) -> None:
    client = ServiceBusClient.from_connection_string(conn_str, retry_total=0)
    with (
        client,
        pytest.raises(MessagingEntityNotFoundError),
        client.get_queue_sender("no-such-queue") as sender,
    ):
        sender.send_messages(ServiceBusMessage("nope"))


async def test_async_client_send_receive_complete(conn_str: str) -> None:
    async with AsyncServiceBusClient.from_connection_string(conn_str) as client:
        async with client.get_queue_sender("async") as sender:
            await sender.send_messages([ServiceBusMessage("x1"), ServiceBusMessage("x2")])
        async with client.get_queue_receiver("async") as receiver:
            received = []
            while len(received) < 2:
                batch = await receiver.receive_messages(max_message_count=2, max_wait_time=5)
                assert batch
                received.extend(batch)
            for message in received:
                await receiver.complete_message(message)
            assert sorted(str(message) for message in received) == ["x1", "x2"]
