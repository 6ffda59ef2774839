"""azure-servicebus's asyncio client (`azure.servicebus.aio`) against the emulator over AMQP."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from azure.servicebus import (
    ServiceBusMessage,
    ServiceBusMessageState,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.aio import ServiceBusClient
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
)

from .conftest import SHORT_LOCK, SHORT_TTL, receive_until_async, send_async


@pytest.fixture
async def client(conn_str: str) -> AsyncIterator[ServiceBusClient]:
    """An asyncio client of the emulator (the SDK's default retries), closed after the test."""
    async with ServiceBusClient.from_connection_string(conn_str) as made:
        yield made


async def test_batch_send_then_peek_lock_receive_and_complete(client: ServiceBusClient) -> None:
    async with client.get_queue_sender("async") as sender:
        batch = await sender.create_message_batch()
        batch.add_message(ServiceBusMessage("x1", message_id="a-1"))
        batch.add_message(ServiceBusMessage("x2", message_id="a-2"))
        await sender.send_messages(batch)
    async with client.get_queue_receiver("async") as receiver:
        received = await receive_until_async(receiver, 2)
        assert [message.message_id for message in received] == ["a-1", "a-2"]
        assert all(message.locked_until_utc is not None for message in received)
        for message in received:
            await receiver.complete_message(message)
        assert await receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


async def test_abandon_defer_and_receive_deferred(client: ServiceBusClient) -> None:
    await send_async(client, "async-settle", ServiceBusMessage("settle me"))
    async with client.get_queue_receiver("async-settle") as receiver:
        [first] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        await receiver.abandon_message(first)
        [again] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert again.delivery_count == 1
        renewed = await receiver.renew_message_lock(again)
        assert again.locked_until_utc is not None
        assert renewed >= again.locked_until_utc - dt.timedelta(seconds=1)
        await receiver.defer_message(again)
        assert await receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        [deferred] = await receiver.receive_deferred_messages([again.sequence_number])
        assert str(deferred) == "settle me"
        await receiver.complete_message(deferred)


async def test_dead_letter_with_reason_then_read_the_dlq(client: ServiceBusClient) -> None:
    await send_async(client, "async-dlq", ServiceBusMessage("poison"))
    async with client.get_queue_receiver("async-dlq") as receiver:
        [message] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        await receiver.dead_letter_message(message, reason="bad", error_description="cannot parse")
    dlq = ServiceBusSubQueue.DEAD_LETTER
    async with client.get_queue_receiver("async-dlq", sub_queue=dlq) as receiver:
        [dead] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(dead), dead.dead_letter_reason, dead.dead_letter_error_description) == (
            "poison",
            "bad",
            "cannot parse",
        )
        await receiver.complete_message(dead)


async def test_schedule_peek_cancel_and_receive_and_delete(client: ServiceBusClient) -> None:
    async with client.get_queue_sender("async-schedule") as sender:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        [cancelled] = await sender.schedule_messages(ServiceBusMessage("never"), later)
        await sender.schedule_messages(ServiceBusMessage("soon"), dt.datetime.now(dt.UTC))
        async with client.get_queue_receiver("async-schedule") as peeker:
            peeked = await peeker.peek_messages(max_message_count=5)
            assert sorted(str(message) for message in peeked) == ["never", "soon"]
        await sender.cancel_scheduled_messages(cancelled)
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    async with client.get_queue_receiver("async-schedule", receive_mode=mode) as receiver:
        received = await receiver.receive_messages(max_message_count=5, max_wait_time=3)
        assert [str(message) for message in received] == ["soon"]
        assert await receiver.receive_messages(max_message_count=5, max_wait_time=1) == []


async def test_peek_shows_a_locked_message_that_its_holder_then_completes(client: ServiceBusClient) -> None:
    await send_async(client, "async-peek-locked", ServiceBusMessage("held"))
    async with (
        client.get_queue_receiver("async-peek-locked") as holder,
        client.get_queue_receiver("async-peek-locked") as browser,
    ):
        [held] = await holder.receive_messages(max_message_count=1, max_wait_time=5)
        [peeked] = await browser.peek_messages(max_message_count=5)
        assert (str(peeked), peeked.sequence_number) == ("held", held.sequence_number)
        assert (peeked.delivery_count, peeked.state) == (0, ServiceBusMessageState.ACTIVE)
        assert peeked.locked_until_utc is None
        await holder.complete_message(held)
        assert await browser.peek_messages(max_message_count=5, sequence_number=1) == []


async def test_errors_match_the_sdk_classes_for_azure(conn_str: str) -> None:
    async with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        async with client.get_queue_sender("small") as sender:
            with pytest.raises(MessageSizeExceededError):
                await sender.send_messages(ServiceBusMessage("x" * 4096))
            await sender.send_messages(ServiceBusMessage("fits"))  # the link survives the refusal
        with pytest.raises(MessagingEntityNotFoundError):
            await send_async(client, "no-such-queue", ServiceBusMessage("nope"))
    wrong = conn_str.replace("SAS_KEY_VALUE", "WRONG_KEY")
    async with ServiceBusClient.from_connection_string(wrong, retry_total=0) as client:
        with pytest.raises(ServiceBusAuthenticationError):
            await send_async(client, "basic", ServiceBusMessage("denied"))


async def test_lock_expiry_and_max_delivery_count_then_ttl_dead_lettering(client: ServiceBusClient) -> None:
    dlq = ServiceBusSubQueue.DEAD_LETTER
    async with (
        client.get_queue_sender("async-retries") as sender,
        client.get_queue_sender("async-ttl") as ttl,
    ):
        await sender.send_messages(ServiceBusMessage("too slow"))
        await ttl.send_messages(ServiceBusMessage("stale"))
    async with client.get_queue_receiver("async-retries") as receiver:
        [first] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        # Also long enough for the "stale" message's TTL to run out.
        await asyncio.sleep(max(SHORT_LOCK, SHORT_TTL) + 0.3)
        with pytest.raises(MessageLockLostError):
            await receiver.complete_message(first)
        [second] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert second.delivery_count == 1
        await receiver.abandon_message(second)  # the second failed attempt of two
        assert await receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
    async with client.get_queue_receiver("async-retries", sub_queue=dlq) as receiver:
        [dead] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
        await receiver.complete_message(dead)
    async with client.get_queue_receiver("async-ttl", sub_queue=dlq) as receiver:
        [expired] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(expired), expired.dead_letter_reason) == ("stale", "TTLExpiredException")
        await receiver.complete_message(expired)


async def test_duplicate_detection_and_correlation_filters(client: ServiceBusClient) -> None:
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    async with client.get_queue_sender("async-dups") as sender:
        await sender.send_messages(ServiceBusMessage("first", message_id="order-42"))
        await sender.send_messages(ServiceBusMessage("resent", message_id="order-42"))
    async with client.get_queue_receiver("async-dups", receive_mode=mode) as receiver:
        received = await receiver.receive_messages(max_message_count=5, max_wait_time=1)
        assert [str(message) for message in received] == ["first"]
    async with client.get_topic_sender("async-events") as sender:
        await sender.send_messages(
            [
                ServiceBusMessage(
                    "paid", subject="PaymentSucceeded", application_properties={"version": "1"}
                ),
                ServiceBusMessage("failed", subject="PaymentFailed", application_properties={"version": "1"}),
            ]
        )
    async with client.get_subscription_receiver("async-events", "paid-only", receive_mode=mode) as receiver:
        selected = await receiver.receive_messages(max_message_count=5, max_wait_time=1)
        assert [str(message) for message in selected] == ["paid"]
    async with client.get_subscription_receiver("async-events", "audit", receive_mode=mode) as receiver:
        everything = await receive_until_async(receiver, 2, ask=5)
        assert [str(message) for message in everything] == ["paid", "failed"]


async def test_concurrent_dead_letters_keep_each_messages_own_reason(client: ServiceBusClient) -> None:
    await send_async(
        client, "async-dlq-many", [ServiceBusMessage(f"m{i}", message_id=f"m{i}") for i in range(8)]
    )
    async with client.get_queue_receiver("async-dlq-many") as receiver:
        received = await receive_until_async(receiver, 8)
        for chunk in (received[:4], received[4:]):
            await asyncio.gather(
                *(
                    receiver.dead_letter_message(
                        message,
                        reason=f"reason-{message.message_id}",
                        error_description=f"description-{message.message_id}",
                    )
                    for message in chunk
                )
            )
    dlq = ServiceBusSubQueue.DEAD_LETTER
    async with client.get_queue_receiver("async-dlq-many", sub_queue=dlq) as receiver:
        dead = await receive_until_async(receiver, 8)
        for message in dead:
            await receiver.complete_message(message)
    assert sorted((m.message_id, m.dead_letter_reason, m.dead_letter_error_description) for m in dead) == [
        (f"m{i}", f"reason-m{i}", f"description-m{i}") for i in range(8)
    ]


async def test_sql_filter_and_action_shape_the_subscription_copy(client: ServiceBusClient) -> None:
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    async with client.get_queue_sender("forward-in") as sender:
        await sender.send_messages(
            [
                ServiceBusMessage(
                    "big", subject="order", application_properties={"amount": 150, "internal": "x"}
                ),
                ServiceBusMessage("small", subject="order", application_properties={"amount": 5}),
            ]
        )
    async with client.get_subscription_receiver("sql-events", "gold", receive_mode=mode) as receiver:
        [gold] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert await receiver.peek_messages(max_message_count=5) == []
    assert (str(gold), gold.subject) == ("big", "vip")
    assert gold.application_properties == {b"amount": 150, b"tier": b"gold", b"RuleName": b"gold"}
    async with client.get_queue_receiver("forward-archive", receive_mode=mode) as receiver:
        archived: list[str] = []
        while len(archived) < 2:
            batch = await receiver.receive_messages(max_message_count=2 - len(archived), max_wait_time=5)
            assert batch
            archived.extend(str(message) for message in batch)
    assert archived == ["big", "small"]
    await send_async(client, "forward-dlq", ServiceBusMessage("bounce"))
    async with client.get_queue_receiver("forward-dlq") as receiver:
        [bounce] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        await receiver.abandon_message(bounce)
    async with client.get_queue_receiver("forward-errors", receive_mode=mode) as receiver:
        [moved] = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
    assert (str(moved), moved.dead_letter_reason) == ("bounce", "MaxDeliveryCountExceeded")
