"""Many messages dead-lettered at once by the asyncio client: each settlement reaches the message it names
(its lock token / delivery), so every message keeps its own reason and description."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue
from azure.servicebus.aio import ServiceBusClient, ServiceBusReceiver

from .conftest import receive_until_async

MESSAGES = 50
CONCURRENCY = 8


@pytest.fixture
async def client(conn_str: str) -> AsyncIterator[ServiceBusClient]:
    async with ServiceBusClient.from_connection_string(conn_str) as made:
        yield made


def _messages(prefix: str) -> list[ServiceBusMessage]:
    return [ServiceBusMessage(f"body of {prefix}-{i}", message_id=f"{prefix}-{i}") for i in range(MESSAGES)]


async def _dead_letter_concurrently(receiver: ServiceBusReceiver) -> None:
    """Receive every message, then dead-letter them from CONCURRENCY tasks at a time, each with its own id
    as reason, finishing in another order than they started."""
    received = await receive_until_async(receiver, MESSAGES, ask=10)
    slots = asyncio.Semaphore(CONCURRENCY)
    shuffle = random.Random(7)

    async def dead_letter(message: ServiceBusReceivedMessage, delay: float) -> None:
        async with slots:
            await asyncio.sleep(delay)
            await receiver.dead_letter_message(
                message,
                reason=f"reason-{message.message_id}",
                error_description=f"description-{message.message_id}",
            )

    await asyncio.gather(*(dead_letter(message, shuffle.random() / 200) for message in received))


async def _dead_letters(receiver: ServiceBusReceiver) -> list[tuple[str | None, str | None, str | None]]:
    dead = await receive_until_async(receiver, MESSAGES)
    for message in dead:
        await receiver.complete_message(message)
    return sorted((m.message_id, m.dead_letter_reason, m.dead_letter_error_description) for m in dead)


def _expected(prefix: str) -> list[tuple[str | None, str | None, str | None]]:
    return sorted(
        (f"{prefix}-{i}", f"reason-{prefix}-{i}", f"description-{prefix}-{i}") for i in range(MESSAGES)
    )


async def test_messages_dead_lettered_concurrently_from_a_queue_keep_their_own_reasons(
    client: ServiceBusClient,
) -> None:
    async with client.get_queue_sender("async-dlq-stress") as sender:
        await sender.send_messages(_messages("queue"))
    async with client.get_queue_receiver("async-dlq-stress") as receiver:
        await _dead_letter_concurrently(receiver)
    dlq = ServiceBusSubQueue.DEAD_LETTER
    async with client.get_queue_receiver("async-dlq-stress", sub_queue=dlq) as receiver:
        assert await _dead_letters(receiver) == _expected("queue")


async def test_messages_dead_lettered_concurrently_from_a_subscription_keep_their_own_reasons(
    client: ServiceBusClient,
) -> None:
    async with client.get_topic_sender("async-dlq-stress-events") as sender:
        await sender.send_messages(_messages("topic"))
    async with client.get_subscription_receiver("async-dlq-stress-events", "audit") as receiver:
        await _dead_letter_concurrently(receiver)
    dlq = ServiceBusSubQueue.DEAD_LETTER
    async with client.get_subscription_receiver(
        "async-dlq-stress-events", "audit", sub_queue=dlq
    ) as receiver:
        assert await _dead_letters(receiver) == _expected("topic")
