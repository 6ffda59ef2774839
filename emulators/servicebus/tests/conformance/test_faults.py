"""Admin fault injection, observed through azure-servicebus as an application would see it."""

from __future__ import annotations

import asyncio
import time

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus import aio as sb_aio
from azure.servicebus.exceptions import (
    MessageLockLostError,
    ServiceBusConnectionError,
    ServiceBusServerBusyError,
)

from .conftest import RunningEmulator, receive_until, received_one, send, send_async


def _client(emulator: RunningEmulator, **kwargs: object) -> ServiceBusClient:
    return ServiceBusClient.from_connection_string(emulator.connection_string(), **kwargs)  # type: ignore[arg-type]


def _drain(client: ServiceBusClient, queue: str) -> list[str]:
    with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
        return [str(message) for message in receiver.receive_messages(max_message_count=50, max_wait_time=1)]


def test_error_fault_on_send_raises_server_busy_then_expires(faults: RunningEmulator) -> None:
    rule = faults.add_fault(entity="faults-busy", operation="send", action="error", count=1)
    assert rule["condition"] == "com.microsoft:server-busy"
    with _client(faults, retry_total=0) as client, client.get_queue_sender("faults-busy") as sender:
        with pytest.raises(ServiceBusServerBusyError):
            sender.send_messages(ServiceBusMessage("refused"))
        sender.send_messages(ServiceBusMessage("accepted"))
        assert faults.admin("GET", "/faults")["rules"] == []
        assert _drain(client, "faults-busy") == ["accepted"]


def test_detach_fault_fails_a_send_without_retries_and_the_sdk_recovers_with_them(
    faults: RunningEmulator,
) -> None:
    faults.add_fault(entity="faults-detach", operation="send", action="detach", count=1)
    with (
        _client(faults, retry_total=0) as client,
        client.get_queue_sender("faults-detach") as sender,
        pytest.raises(ServiceBusConnectionError),
    ):
        sender.send_messages(ServiceBusMessage("lost"))
    faults.add_fault(entity="faults-detach", operation="send", action="detach", count=1)
    with _client(faults, retry_backoff_factor=0.05) as client:
        send(client, "faults-detach", ServiceBusMessage("retried"))
        assert _drain(client, "faults-detach") == ["retried"]


def test_latency_fault_delays_the_operation(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-latency", operation="send", action="latency", latency_ms=400, count=1)
    with _client(faults) as client, client.get_queue_sender("faults-latency") as sender:
        sender.send_messages(ServiceBusMessage("warm-up"))  # the link is attached before timing
        faults.add_fault(entity="faults-latency", operation="send", action="latency", latency_ms=400, count=1)
        started = time.monotonic()
        sender.send_messages(ServiceBusMessage("slow"))
        assert time.monotonic() - started >= 0.4
        assert sorted(_drain(client, "faults-latency")) == ["slow", "warm-up"]


def test_dropped_connection_is_survived_by_the_sdk_retry(faults: RunningEmulator) -> None:
    rule = faults.add_fault(entity="faults-drop", operation="send", action="drop-connection", count=1)
    with _client(faults, retry_backoff_factor=0.05) as client:
        send(client, "faults-drop", ServiceBusMessage("after reconnect"))
        assert _drain(client, "faults-drop") == ["after reconnect"]
    assert all(listed["id"] != rule["id"] for listed in faults.admin("GET", "/faults")["rules"])


def test_dropped_connection_without_retries_is_a_connection_error(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-drop", operation="send", action="drop-connection", count=1)
    with (
        _client(faults, retry_total=0) as client,
        client.get_queue_sender("faults-drop") as sender,
        pytest.raises(ServiceBusConnectionError),
    ):
        sender.send_messages(ServiceBusMessage("dropped"))


def test_lost_lock_fault_makes_complete_fail_and_the_message_comes_back(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-lost-lock", operation="complete", action="lose-lock", count=1)
    with (
        _client(faults) as client,
        received_one(client, "faults-lost-lock", ServiceBusMessage("fragile")) as (receiver, message),
    ):
        with pytest.raises(MessageLockLostError):
            receiver.complete_message(message)
        [again] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert again.sequence_number == message.sequence_number
        assert again.delivery_count == 1
        receiver.complete_message(again)


def test_lost_lock_fault_on_renew_raises_lock_lost(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-renew-lost", operation="renew-lock", action="lose-lock", count=1)
    with (
        _client(faults) as client,
        received_one(client, "faults-renew-lost", ServiceBusMessage("held")) as (receiver, message),
    ):
        with pytest.raises(MessageLockLostError):
            receiver.renew_message_lock(message)
        [again] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        receiver.complete_message(again)


def test_duplicate_delivery_fault_delivers_the_message_twice(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-duplicate", operation="receive", action="duplicate-delivery", count=1)
    with _client(faults) as client:
        send(client, "faults-duplicate", ServiceBusMessage("twice", message_id="order-1"))
        with client.get_queue_receiver("faults-duplicate") as receiver:
            original, copy = receive_until(receiver, 2)
            assert copy.message_id == original.message_id == "order-1"
            assert copy.sequence_number == original.sequence_number
            assert str(copy) == "twice"
            receiver.complete_message(original)
            # The copy is a stale redelivery: its lock is not the broker's.
            with pytest.raises(MessageLockLostError):
                receiver.complete_message(copy)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


async def test_duplicate_delivery_fault_duplicates_the_message_in_flight_to_a_waiting_receiver(
    faults: RunningEmulator,
) -> None:
    """A streaming receiver (the order service's subscription) asks for its next message before the rule
    exists; the message it then gets is the one delivered twice, not the one after it."""
    queue = "faults-duplicate-waiting"
    async with (
        sb_aio.ServiceBusClient.from_connection_string(faults.connection_string()) as client,
        client.get_queue_receiver(queue) as receiver,
    ):
        stream = aiter(receiver)
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.5)  # its credit reaches the emulator before the rule is added
        faults.add_fault(entity=queue, operation="receive", action="duplicate-delivery", count=1)
        await send_async(client, queue, ServiceBusMessage("in flight", message_id="order-1"))
        original = await asyncio.wait_for(waiting, 5)
        copy = await asyncio.wait_for(anext(stream), 5)
        assert copy.message_id == original.message_id == "order-1"
        assert copy.sequence_number == original.sequence_number
        await receiver.complete_message(original)
        with pytest.raises(MessageLockLostError):
            await receiver.complete_message(copy)

        await send_async(client, queue, ServiceBusMessage("after it", message_id="order-2"))
        after = await asyncio.wait_for(anext(stream), 5)
        assert after.message_id == "order-2"
        await receiver.complete_message(after)
        assert await receiver.peek_messages(max_message_count=5) == []


def test_probability_fault_fires_as_often_as_the_rule_reports(faults: RunningEmulator) -> None:
    rule = faults.add_fault(entity="faults-chance", operation="send", action="error", probability=0.5, seed=3)
    refused = 0
    with _client(faults, retry_total=0) as client:
        with client.get_queue_sender("faults-chance") as sender:
            for index in range(12):
                try:
                    sender.send_messages(ServiceBusMessage(f"m{index}"))
                except ServiceBusServerBusyError:
                    refused += 1
        assert 0 < refused < 12
        assert faults.admin("GET", f"/faults/{rule['id']}")["fired"] == refused
        assert len(_drain(client, "faults-chance")) == 12 - refused


def test_listed_rules_can_be_removed_and_stop_firing(faults: RunningEmulator) -> None:
    send_rule = faults.add_fault(entity="faults-listed", operation="send", action="error")
    other = faults.add_fault(entity="*", operation="management", action="latency", latency_ms=1)
    assert [rule["id"] for rule in faults.admin("GET", "/faults")["rules"]] == [send_rule["id"], other["id"]]
    assert faults.admin("DELETE", f"/faults/{send_rule['id']}") is None
    assert [rule["id"] for rule in faults.admin("GET", "/faults")["rules"]] == [other["id"]]
    with _client(faults, retry_total=0) as client:
        send(client, "faults-listed", ServiceBusMessage("flows again"))
        assert _drain(client, "faults-listed") == ["flows again"]
    assert faults.admin("DELETE", "/faults") == {"removed": 1}


def test_error_fault_on_management_raises_server_busy(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-busy", operation="management", action="error", count=1)
    with (
        _client(faults, retry_total=0) as client,
        client.get_queue_receiver("faults-busy") as receiver,
        pytest.raises(ServiceBusServerBusyError),
    ):
        receiver.peek_messages(max_message_count=1)


def test_error_fault_on_complete_raises_server_busy_and_keeps_the_lock(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-busy", operation="complete", action="error", count=1)
    with (
        _client(faults, retry_total=0) as client,
        received_one(client, "faults-busy", ServiceBusMessage("settle later")) as (receiver, message),
    ):
        with pytest.raises(ServiceBusServerBusyError):
            receiver.complete_message(message)
        receiver.complete_message(message)


def test_dropped_connection_on_complete_is_survived_and_settles_once(faults: RunningEmulator) -> None:
    faults.add_fault(entity="faults-drop", operation="complete", action="drop-connection", count=1)
    with _client(faults, retry_backoff_factor=0.05) as client:
        settled = ServiceBusMessage("settle across a reconnect")
        with received_one(client, "faults-drop", settled) as (receiver, message):
            receiver.complete_message(message)
        assert _drain(client, "faults-drop") == []
