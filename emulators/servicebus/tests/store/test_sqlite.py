from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from servicebus_emulator.errors import MessageLockLostError
from servicebus_emulator.model import MessageState, QueueSettings, ReceiveMode, TopicSettings
from servicebus_emulator.store.base import SetSequence
from servicebus_emulator.store.sqlite import FILE_NAME, SqliteStore

SENDER = Path(__file__).with_name("sigkill_sender.py")
PEEK_LOCK = ReceiveMode.PEEK_LOCK


def _sender_module():
    spec = importlib.util.spec_from_file_location("sigkill_sender", SENDER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def persistent_ns(factory):
    orders = QueueSettings("orders", requires_duplicate_detection=True, duplicate_detection_window=600)
    topics = (TopicSettings("events", (factory.subscription("a"),)),)
    return factory.namespace(queues=(orders,), topics=topics)


async def test_reopened_store_has_same_messages_and_states(factory, clock, tmp_path):
    provider = factory.sqlite_provider(tmp_path, persistent_ns(factory))
    orders = provider.resolve("orders")
    await provider.send(
        orders,
        [
            factory.message(b"a", message_id="a", properties={"n": 1, "b": b"\x00", "u": uuid.UUID(int=5)}),
            factory.message(b"b", message_id="b"),
            factory.message(b"c", message_id="c"),
            factory.message(b"d", message_id="d"),
        ],
    )
    await provider.send(orders, [factory.message(b"later", scheduled_enqueue_time=clock.now() + 60)])
    await provider.send(provider.resolve("events"), [factory.message(b"evt", subject="s")])
    [a, b, c] = provider.take(orders, PEEK_LOCK, 3)
    await provider.defer(b.lock_token)
    await provider.dead_letter(c.lock_token, "Poison", "bad")
    await factory.close(provider)

    reopened = factory.sqlite_provider(tmp_path, persistent_ns(factory))
    orders = reopened.resolve("orders")

    states = {m.sequence_number: (m.message_id, m.state) for m in reopened.peek(orders, 0, 10)}
    assert {seq: state for seq, (_, state) in states.items()} == {
        1: MessageState.ACTIVE,
        2: MessageState.DEFERRED,
        4: MessageState.ACTIVE,
        5: MessageState.SCHEDULED,
    }
    assert [states[seq][0] for seq in (1, 2, 4)] == ["a", "b", "d"]
    [restored_a] = reopened.peek(orders, 1, 1)
    assert restored_a.application_properties == {"n": 1, "b": b"\x00", "u": uuid.UUID(int=5)}
    [dead] = reopened.peek(reopened.resolve("orders/$DeadLetterQueue"), 0, 10)
    assert (dead.message_id, dead.dead_letter_reason, dead.dead_letter_description) == ("c", "Poison", "bad")
    assert reopened.counts(reopened.resolve("events/Subscriptions/a")).active == 1
    # The lock taken before the restart is still valid until it expires.
    await reopened.complete(a.lock_token)
    [next_result] = await reopened.send(orders, [factory.message(message_id="e")])
    assert next_result.sequence_number == 6
    [duplicate] = await reopened.send(orders, [factory.message(message_id="a")])
    assert duplicate.duplicate


async def test_sequence_numbers_keep_increasing_after_every_message_is_gone(factory, tmp_path):
    provider = factory.sqlite_provider(tmp_path)
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(), factory.message()])
    provider.take(orders, ReceiveMode.RECEIVE_AND_DELETE, 2)
    await factory.close(provider)

    reopened = factory.sqlite_provider(tmp_path)
    [result] = await reopened.send(reopened.resolve("orders"), [factory.message()])

    assert result.sequence_number == 3


async def test_lock_that_expired_while_stopped_counts_a_delivery_after_restart(factory, clock, tmp_path):
    provider = factory.sqlite_provider(tmp_path)
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [locked] = provider.take(orders, PEEK_LOCK, 1)
    await factory.close(provider)

    clock.advance(120)
    reopened = factory.sqlite_provider(tmp_path)
    orders = reopened.resolve("orders")

    with pytest.raises(MessageLockLostError):
        await reopened.complete(locked.lock_token)
    [again] = reopened.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


def _read_ack(line: str, sends: dict[int, int], completes: set[int]) -> None:
    kind, *fields = line.split()
    if kind == "S":
        sends[int(fields[0])] = int(fields[1])
    elif kind == "C":
        completes.add(int(fields[0]))


def _read_acks(process: subprocess.Popen[str], wanted: int, limit: float) -> tuple[dict[int, int], set[int]]:
    sends: dict[int, int] = {}
    completes: set[int] = set()
    deadline = time.monotonic() + limit
    assert process.stdout is not None
    while len(sends) < wanted:
        assert time.monotonic() < deadline, "the sender did not acknowledge enough messages in time"
        line = process.stdout.readline()
        assert line, f"the sender exited early with {process.wait()}"
        _read_ack(line, sends, completes)
    return sends, completes


def _run_sender_until_killed(data_dir: Path, wanted: int) -> tuple[dict[int, int], set[int]]:
    process = subprocess.Popen(
        [sys.executable, str(SENDER), str(data_dir)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        sends, completes = _read_acks(process, wanted=wanted, limit=120)
    finally:
        process.kill()  # SIGKILL, mid-way through the stream of sends
        process.wait()
    assert process.stdout is not None
    # What the sender acknowledged between the last line read and the kill: a complete acknowledged
    # then is as durable as any other, so the message is rightly gone after the restart.
    for line in process.stdout:
        _read_ack(line, sends, completes)
    process.stdout.close()
    return sends, completes


async def test_acknowledged_messages_survive_sigkill_mid_stream(factory, tmp_path):
    sender = _sender_module()
    sends, completes = await asyncio.to_thread(_run_sender_until_killed, tmp_path, 1000)
    assert completes, "the sender should have completed some messages too"

    with sqlite3.connect(tmp_path / FILE_NAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    provider = factory.sqlite_provider(tmp_path, sender.settings())
    orders = provider.resolve("orders")
    stored = {m.message_id: m for m in provider.peek(orders, 0, 100_000)}
    # Each sender has at most one complete in flight when killed: committed, not yet acknowledged.
    unacknowledged_completes = [
        index
        for index, sequence_number in sends.items()
        if sequence_number not in completes and f"m{index}" not in stored
    ]
    assert len(unacknowledged_completes) <= sender.SENDERS, unacknowledged_completes
    for index, sequence_number in sends.items():
        if sequence_number in completes:
            assert f"m{index}" not in stored
            continue
        if index in unacknowledged_completes:
            continue
        message = stored[f"m{index}"]
        assert message.sequence_number == sequence_number
        assert message.encoded == sender.body(index)
        assert message.application_properties == {"i": index}
    for message in stored.values():
        assert message.encoded == sender.body(message.application_properties["i"])
    [after] = await provider.send(orders, [factory.message(message_id="after-restart")])
    assert after.sequence_number is not None
    assert after.sequence_number > max(sends.values())
    [repeat] = await provider.send(orders, [factory.message(message_id=f"m{min(sends)}")])
    assert repeat.duplicate


async def test_changes_submitted_in_one_loop_turn_share_one_commit_and_are_kept(tmp_path):
    store = SqliteStore(tmp_path)
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)  # the store's own connection: what it runs
    try:
        await asyncio.gather(*(store.submit([SetSequence(f"queue-{n}", n)]) for n in range(1, 4)))
        assert statements.count("COMMIT") == 1, statements
        await store.submit([SetSequence("queue-9", 9)])
        assert statements.count("COMMIT") == 2, statements
    finally:
        await store.close()

    reopened = SqliteStore(tmp_path)
    try:
        assert reopened.load().sequences == {"queue-1": 1, "queue-2": 2, "queue-3": 3, "queue-9": 9}
    finally:
        await reopened.close()
