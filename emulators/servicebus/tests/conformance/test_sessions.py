"""Sessions with azure-servicebus, sync and aio: accept by id and next available, FIFO, exclusive
locks, renew, expiry, session state, and what the SDK raises for each refusal."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from azure.servicebus import NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusMessage
from azure.servicebus import aio as sb_aio
from azure.servicebus.exceptions import (
    OperationTimeoutError,
    ServiceBusError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)

from .conftest import SESSION_LOCK


def _send(client: ServiceBusClient, queue: str, *bodies_by_session: tuple[str, str]) -> None:
    with client.get_queue_sender(queue) as sender:
        sender.send_messages([ServiceBusMessage(body, session_id=sid) for sid, body in bodies_by_session])


def test_session_receiver_gets_its_session_in_order(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        _send(client, "session-fifo", ("a", "a1"), ("b", "b1"), ("a", "a2"), ("a", "a3"))
        with client.get_queue_receiver("session-fifo", session_id="a") as receiver:
            assert receiver.session.session_id == "a"
            locked_until = receiver.session.locked_until_utc
            assert locked_until is not None
            assert locked_until > dt.datetime.now(dt.UTC)
            received = []
            while len(received) < 3:
                received += receiver.receive_messages(max_message_count=3, max_wait_time=2)
            assert [str(m) for m in received] == ["a1", "a2", "a3"]
            assert {m.session_id for m in received} == {"a"}
            for message in received:
                receiver.complete_message(message)
        with client.get_queue_receiver("session-fifo", session_id="b") as receiver:
            [message] = receiver.receive_messages(max_message_count=5, max_wait_time=2)
            assert str(message) == "b1"
            receiver.complete_message(message)


def test_next_available_session_takes_the_oldest_unlocked_session(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        _send(client, "session-next", ("first", "1"), ("second", "2"))
        with client.get_queue_receiver(
            "session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5
        ) as one:
            assert one.session.session_id == "first"
            with client.get_queue_receiver(
                "session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5
            ) as two:
                assert two.session.session_id == "second"
                [message] = two.receive_messages(max_message_count=1, max_wait_time=2)
                two.complete_message(message)
            [message] = one.receive_messages(max_message_count=1, max_wait_time=2)
            one.complete_message(message)


def test_next_available_without_sessions_times_out(conn_str: str) -> None:
    # retry_total=0: the SDK otherwise retries the timed-out attach three times with back-off.
    with (
        ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client,
        pytest.raises(OperationTimeoutError),
        client.get_queue_receiver("session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1),
    ):
        pass


def test_a_held_session_cannot_be_accepted_again_until_released(conn_str: str) -> None:
    # retry_total=0: the SDK retries a refused accept with back-off, longer than the 2 s session lock.
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        _send(client, "session-exclusive", ("s", "x"))
        with client.get_queue_receiver("session-exclusive", session_id="s") as holder:
            with (
                pytest.raises(SessionCannotBeLockedError),
                client.get_queue_receiver("session-exclusive", session_id="s"),
            ):
                pass
            [message] = holder.receive_messages(max_message_count=1, max_wait_time=2)
        # The holder closed without settling: the message is back, one delivery attempt later.
        with client.get_queue_receiver("session-exclusive", session_id="s") as receiver:
            [again] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
            assert again.sequence_number == message.sequence_number
            assert again.delivery_count == 1
            receiver.complete_message(again)


def test_session_state_renew_and_peek(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        _send(client, "session-state", ("s1", "one"), ("s2", "two"))
        with client.get_queue_receiver("session-state", session_id="s1") as receiver:
            session = receiver.session
            assert session.get_state() is None
            session.set_state(b"\x00step-1")
            assert session.get_state() == b"\x00step-1"
            before = session.locked_until_utc
            time.sleep(0.2)
            renewed = session.renew_lock()
            assert before is not None
            assert renewed > before
            assert [str(m) for m in receiver.peek_messages(max_message_count=10)] == ["one"]
            session.set_state(None)
            assert session.get_state() is None
            session.set_state("kept")
        with client.get_queue_receiver("session-state", session_id="s1") as receiver:
            assert receiver.session.get_state() == b"kept"


def test_expired_session_lock_releases_session_and_messages(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        _send(client, "session-expiry", ("e", "late"))
        with client.get_queue_receiver("session-expiry", session_id="e") as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
            time.sleep(SESSION_LOCK + 0.5)
            with pytest.raises(SessionLockLostError):
                receiver.complete_message(message)
            with client.get_queue_receiver("session-expiry", session_id="e") as other:
                [again] = other.receive_messages(max_message_count=1, max_wait_time=2)
                assert again.delivery_count == 1
                other.complete_message(again)


def test_session_entities_refuse_messages_and_receivers_without_a_session(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with client.get_queue_sender("session-plain") as sender, pytest.raises(ServiceBusError):
            sender.send_messages(ServiceBusMessage("no session"))
        with pytest.raises(ServiceBusError), client.get_queue_receiver("session-plain") as receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=1)
        with pytest.raises(ServiceBusError), client.get_queue_receiver("basic", session_id="s") as receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=1)


def test_subscription_session_receiver(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with client.get_topic_sender("session-events") as sender:
            sender.send_messages(
                [ServiceBusMessage("t1", session_id="t"), ServiceBusMessage("t2", session_id="t")]
            )
        with client.get_subscription_receiver(
            "session-events", "by-session", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5
        ) as receiver:
            assert receiver.session.session_id == "t"
            received = []
            while len(received) < 2:
                received += receiver.receive_messages(max_message_count=2, max_wait_time=2)
            assert [str(m) for m in received] == ["t1", "t2"]
            for message in received:
                receiver.complete_message(message)


async def test_async_session_receiver_fifo_and_state(conn_str: str) -> None:
    async with sb_aio.ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        async with client.get_queue_sender("async-session-fifo") as sender:
            await sender.send_messages(
                [ServiceBusMessage(f"m{i}", session_id="q") for i in range(3)]
                + [ServiceBusMessage("other", session_id="r")]
            )
        async with client.get_queue_receiver("async-session-fifo", session_id="q") as receiver:
            received = []
            while len(received) < 3:
                received += await receiver.receive_messages(max_message_count=3, max_wait_time=2)
            assert [str(m) for m in received] == ["m0", "m1", "m2"]
            for message in received:
                await receiver.complete_message(message)
            await receiver.session.set_state(b"done")
            assert await receiver.session.get_state() == b"done"
            assert await receiver.session.renew_lock() > dt.datetime.now(dt.UTC)


async def test_async_next_available_and_timeout(conn_str: str) -> None:
    async with sb_aio.ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        async with client.get_queue_sender("async-session-next") as sender:
            await sender.send_messages(ServiceBusMessage("n", session_id="only"))
        async with client.get_queue_receiver(
            "async-session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5
        ) as receiver:
            assert receiver.session.session_id == "only"
            [message] = await receiver.receive_messages(max_message_count=1, max_wait_time=2)
            await receiver.complete_message(message)
    async with sb_aio.ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with pytest.raises(OperationTimeoutError):
            async with client.get_queue_receiver(
                "async-session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1
            ):
                pass


async def test_async_second_accept_of_a_held_session_fails(conn_str: str) -> None:
    async with sb_aio.ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        async with client.get_queue_sender("async-session-exclusive") as sender:
            await sender.send_messages(ServiceBusMessage("x", session_id="held"))
        async with client.get_queue_receiver("async-session-exclusive", session_id="held") as holder:
            with pytest.raises(SessionCannotBeLockedError):
                async with client.get_queue_receiver("async-session-exclusive", session_id="held"):
                    pass
            [message] = await holder.receive_messages(max_message_count=1, max_wait_time=2)
            await holder.complete_message(message)


def test_admin_api_lists_the_sessions_of_an_entity(emulator) -> None:
    with ServiceBusClient.from_connection_string(emulator.connection_string(), retry_total=0) as client:
        _send(client, "session-plain", ("listed", "1"), ("listed", "2"))
    entity = emulator.admin("GET", "/entities/session-plain")
    assert entity["sessions"] == [
        {"session_id": "listed", "messages": 2, "locked": False, "has_state": False}
    ]
