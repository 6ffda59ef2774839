"""azure-servicebus (sync and aio) against the emulator over AMQP."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusMessageState,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
)

from .conftest import SHORT_LOCK, SHORT_TTL, receive_until, received_one, send


def receive(client: ServiceBusClient, queue: str, count: int = 1, wait: float = 3, **kwargs: object) -> list:
    with client.get_queue_receiver(queue, **kwargs) as receiver:  # type: ignore[arg-type]
        return receiver.receive_messages(max_message_count=count, max_wait_time=wait)


def test_send_and_peek_lock_complete(client: ServiceBusClient) -> None:
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


def test_receive_and_delete_removes_messages(client: ServiceBusClient) -> None:
    send(client, "rad", [ServiceBusMessage("a"), ServiceBusMessage("b")])
    received = receive(client, "rad", 2, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
    assert sorted(str(message) for message in received) == ["a", "b"]
    assert receive(client, "rad", 1, wait=1, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) == []


def test_abandon_redelivers_with_a_higher_delivery_count(client: ServiceBusClient) -> None:
    send(client, "abandon", ServiceBusMessage("again"))
    with client.get_queue_receiver("abandon") as receiver:
        [first] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        receiver.abandon_message(first)
        [second] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert second.delivery_count == 1
        receiver.complete_message(second)


def test_defer_then_receive_by_sequence_number(client: ServiceBusClient) -> None:
    with received_one(client, "defer", ServiceBusMessage("later")) as (receiver, message):
        receiver.defer_message(message)
        assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        [deferred] = receiver.receive_deferred_messages([message.sequence_number])
        assert str(deferred) == "later"
        receiver.complete_message(deferred)


def test_dead_letter_lands_in_the_dlq_with_reason(client: ServiceBusClient) -> None:
    with received_one(client, "dlq", ServiceBusMessage("poison")) as (receiver, message):
        receiver.dead_letter_message(message, reason="bad", error_description="cannot parse")
    with client.get_queue_receiver("dlq", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        [dead] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(dead) == "poison"
        assert dead.dead_letter_reason == "bad"
        assert dead.dead_letter_error_description == "cannot parse"
        receiver.complete_message(dead)


def test_batch_arrives_whole_and_in_order(client: ServiceBusClient) -> None:
    with client.get_queue_sender("batch") as sender:
        batch = sender.create_message_batch()
        for index in range(5):
            batch.add_message(ServiceBusMessage(f"item-{index}"))
        sender.send_messages(batch)
    received = receive(client, "batch", 5, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
    assert [str(message) for message in received] == [f"item-{index}" for index in range(5)]
    assert [message.sequence_number for message in received] == sorted(
        message.sequence_number for message in received
    )


def test_max_delivery_count_moves_the_message_to_the_dlq(client: ServiceBusClient) -> None:
    send(client, "retries", ServiceBusMessage("keeps failing"))
    with client.get_queue_receiver("retries") as receiver:
        for _ in range(2):
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.abandon_message(message)
        assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
    with client.get_queue_receiver("retries", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        [dead] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(dead) == "keeps failing"
        assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
        assert dead.delivery_count == 2
        receiver.complete_message(dead)


def test_expired_lock_fails_the_settlement_and_redelivers(client: ServiceBusClient) -> None:
    with received_one(client, "expiring-lock", ServiceBusMessage("slow consumer")) as (receiver, message):
        assert message.locked_until_utc is not None
        time.sleep(SHORT_LOCK + 0.3)
        with pytest.raises(MessageLockLostError):
            receiver.complete_message(message)
        [again] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert again.sequence_number == message.sequence_number
        assert again.delivery_count == 1
        # Renewing keeps the lock past its duration.
        time.sleep(SHORT_LOCK * 0.6)
        receiver.renew_message_lock(again)
        time.sleep(SHORT_LOCK * 0.6)
        receiver.complete_message(again)


def test_expired_message_is_dead_lettered_when_the_queue_says_so(client: ServiceBusClient) -> None:
    with client.get_queue_sender("ttl") as sender, client.get_queue_sender("ttl-dropped") as dropper:
        sender.send_messages(ServiceBusMessage("stale"))
        dropper.send_messages(ServiceBusMessage("gone"))
    time.sleep(SHORT_TTL + 0.3)
    with client.get_queue_receiver("ttl", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        [dead] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(dead) == "stale"
        assert dead.dead_letter_reason == "TTLExpiredException"
        receiver.complete_message(dead)
    with client.get_queue_receiver("ttl-dropped") as receiver:
        assert receiver.peek_messages(max_message_count=5) == []
    with client.get_queue_receiver("ttl-dropped", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        assert receiver.peek_messages(max_message_count=5) == []


def test_renew_lock_extends_locked_until(client: ServiceBusClient) -> None:
    send(client, "renew", ServiceBusMessage("hold"))
    with client.get_queue_receiver("renew") as receiver:
        [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        before = message.locked_until_utc
        renewed = receiver.renew_message_lock(message)
        assert renewed >= before
        receiver.complete_message(message)


def test_schedule_and_cancel(client: ServiceBusClient) -> None:
    with client.get_queue_sender("schedule") as sender:
        when = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        [sequence_number] = sender.schedule_messages(ServiceBusMessage("future"), when)
        with client.get_queue_receiver("schedule") as receiver:
            [peeked] = receiver.peek_messages(max_message_count=5)
            assert peeked.sequence_number == sequence_number
        sender.cancel_scheduled_messages(sequence_number)
    with client.get_queue_receiver("schedule") as receiver:
        assert receiver.peek_messages(max_message_count=5) == []


def test_peek_does_not_lock(client: ServiceBusClient) -> None:
    send(client, "peek", [ServiceBusMessage("p1"), ServiceBusMessage("p2")])
    with client.get_queue_receiver("peek") as receiver:
        peeked = receiver.peek_messages(max_message_count=5)
        assert [str(message) for message in peeked] == ["p1", "p2"]
        received = receiver.receive_messages(max_message_count=2, max_wait_time=5)
        assert len(received) == 2
        for message in received:
            receiver.complete_message(message)


def test_peek_shows_a_message_locked_by_another_receiver_and_leaves_its_lock_alone(
    client: ServiceBusClient,
) -> None:
    send(client, "peek-locked", [ServiceBusMessage("held"), ServiceBusMessage("free")])
    with (
        client.get_queue_receiver("peek-locked") as holder,
        client.get_queue_receiver("peek-locked") as browser,
    ):
        [held] = holder.receive_messages(max_message_count=1, max_wait_time=5)
        for _ in range(2):
            peeked = browser.peek_messages(max_message_count=5, sequence_number=held.sequence_number)
            assert [str(message) for message in peeked] == ["held", "free"]
        first = peeked[0]
        assert first.sequence_number == held.sequence_number
        assert first.delivery_count == 0  # two peeks counted no delivery
        assert first.state == ServiceBusMessageState.ACTIVE
        assert first.locked_until_utc is None  # a peek is a snapshot: Azure shows no lock state on it
        # The SDK's own cursor: a receiver's peek without a sequence number starts after the last
        # message it received, so the holder sees its locked message only when it asks from there.
        assert [str(message) for message in holder.peek_messages(max_message_count=5)] == ["free"]
        again = holder.peek_messages(max_message_count=5, sequence_number=held.sequence_number)
        assert [str(message) for message in again] == ["held", "free"]
        holder.complete_message(held)  # the lock is intact after all the peeking
        [free] = browser.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(free), free.delivery_count) == ("free", 0)
        browser.complete_message(free)
    with client.get_queue_receiver("peek-locked") as receiver:
        assert receiver.peek_messages(max_message_count=5) == []


def test_peek_shows_deferred_and_scheduled_messages_in_sequence_order(client: ServiceBusClient) -> None:
    with client.get_queue_sender("peek-states") as sender:
        sender.send_messages(ServiceBusMessage("deferred"))
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        [scheduled] = sender.schedule_messages(ServiceBusMessage("scheduled"), later)
        sender.send_messages(ServiceBusMessage("active"))
        with (
            client.get_queue_receiver("peek-states") as receiver,
            client.get_queue_receiver("peek-states") as browser,
        ):
            [to_defer] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.defer_message(to_defer)
            peeked = browser.peek_messages(max_message_count=10)
            assert [(str(message), message.state) for message in peeked] == [
                ("deferred", ServiceBusMessageState.DEFERRED),
                ("scheduled", ServiceBusMessageState.SCHEDULED),
                ("active", ServiceBusMessageState.ACTIVE),
            ]
            assert peeked[0].sequence_number < scheduled < peeked[2].sequence_number
            assert peeked[1].sequence_number == scheduled
            assert peeked[1].scheduled_enqueue_time_utc is not None
            [deferred] = receiver.receive_deferred_messages([to_defer.sequence_number])
            from_start = browser.peek_messages(max_message_count=10, sequence_number=to_defer.sequence_number)
            assert [str(message) for message in from_start] == ["deferred", "scheduled", "active"]
            receiver.complete_message(deferred)
        sender.cancel_scheduled_messages(scheduled)
    with client.get_queue_receiver("peek-states") as receiver:
        [active] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(active), active.delivery_count) == ("active", 0)
        receiver.complete_message(active)
        assert receiver.peek_messages(max_message_count=10, sequence_number=1) == []


def test_subscription_peek_shows_locked_and_deferred_messages_but_not_scheduled_ones(conn_str: str) -> None:
    with (
        ServiceBusClient.from_connection_string(conn_str) as client,
        client.get_topic_sender("peek-events") as sender,
    ):
        sender.send_messages([ServiceBusMessage("locked"), ServiceBusMessage("deferred")])
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        [scheduled] = sender.schedule_messages(ServiceBusMessage("scheduled"), later)
        with (
            client.get_subscription_receiver("peek-events", "all") as receiver,
            client.get_subscription_receiver("peek-events", "all") as browser,
        ):
            [locked] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            [to_defer] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.defer_message(to_defer)
            peeked = browser.peek_messages(max_message_count=10)
            # Azure: scheduled messages are peeked on queues, not on subscriptions (the topic holds them).
            assert [(str(message), message.state) for message in peeked] == [
                ("locked", ServiceBusMessageState.ACTIVE),
                ("deferred", ServiceBusMessageState.DEFERRED),
            ]
            receiver.complete_message(locked)
            receiver.complete_message(*receiver.receive_deferred_messages([to_defer.sequence_number]))
            assert browser.peek_messages(max_message_count=10, sequence_number=1) == []
        sender.cancel_scheduled_messages(scheduled)


def test_duplicate_message_ids_are_dropped(client: ServiceBusClient) -> None:
    with client.get_queue_sender("dups") as sender:
        sender.send_messages(ServiceBusMessage("first", message_id="same"))
        sender.send_messages(ServiceBusMessage("second", message_id="same"))
    received = receive(client, "dups", 5, wait=1, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
    assert [str(message) for message in received] == ["first"]


def test_oversize_message_is_refused(conn_str: str) -> None:
    with (
        ServiceBusClient.from_connection_string(conn_str) as client,
        client.get_queue_sender("small") as sender,
        pytest.raises(MessageSizeExceededError),
    ):
        sender.send_messages(ServiceBusMessage("x" * 4096))


def test_topic_fans_out_through_correlation_filters(client: ServiceBusClient) -> None:
    with client.get_topic_sender("events") as sender:
        sender.send_messages(
            [
                ServiceBusMessage(
                    "paid", subject="PaymentSucceeded", application_properties={"version": "1"}
                ),
                ServiceBusMessage("failed", subject="PaymentFailed", application_properties={"version": "1"}),
                # Typed match: the number 1 is not the string "1".
                ServiceBusMessage(
                    "paid v1 as int", subject="PaymentSucceeded", application_properties={"version": 1}
                ),
            ]
        )
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    with client.get_subscription_receiver("events", "audit", receive_mode=mode) as receiver:
        everything = receive_until(receiver, 3)
        assert [str(message) for message in everything] == ["paid", "failed", "paid v1 as int"]
    with client.get_subscription_receiver("events", "paid-only", receive_mode=mode) as receiver:
        selected = receiver.receive_messages(max_message_count=3, max_wait_time=1)
        assert [str(message) for message in selected] == ["paid"]


def test_unknown_subscription_raises_not_found(conn_str: str) -> None:
    client = ServiceBusClient.from_connection_string(conn_str, retry_total=0)
    with (
        client,
        pytest.raises(MessagingEntityNotFoundError),
        client.get_subscription_receiver("events", "nobody") as receiver,
    ):
        receiver.receive_messages(max_message_count=1, max_wait_time=1)


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


def test_sql_action_copy_and_subscription_forwarding(conn_str: str) -> None:
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_topic_sender("sql-events") as sender:
            sender.send_messages(
                ServiceBusMessage("sync-big", subject="order", application_properties={"amount": 101})
            )
        with client.get_subscription_receiver("sql-events", "gold", receive_mode=mode) as receiver:
            [gold] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(gold), gold.subject, gold.application_properties[b"tier"]) == ("sync-big", "vip", b"gold")
        with client.get_queue_receiver("forward-archive", receive_mode=mode) as receiver:
            [archived] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(archived) == "sync-big"
        assert archived.subject == "order"
