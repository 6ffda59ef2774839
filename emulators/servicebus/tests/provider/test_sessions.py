"""Sessions in the provider, on a manual clock: locks, FIFO, expiry, state and its persistence."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import InvalidOperationError, SessionCannotBeLockedError, SessionLockLostError
from servicebus_emulator.model import QueueSettings, ReceiveMode

SESSION_QUEUE = (QueueSettings("orders", requires_session=True, lock_duration=10),)
HOLDER, OTHER = object(), object()


async def _provider_with(factory, *sessions: str):
    provider = factory.provider(factory.namespace(queues=SESSION_QUEUE))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(s.encode(), session_id=s) for s in sessions])
    return provider, orders


async def test_named_session_is_exclusive_and_delivered_in_order(factory):
    provider, orders = await _provider_with(factory, "a", "b", "a")

    assert provider.accept_session(orders, "a", HOLDER) is not None
    with pytest.raises(SessionCannotBeLockedError):
        provider.accept_session(orders, "a", OTHER)
    taken = provider.take_session(orders, "a", HOLDER, ReceiveMode.PEEK_LOCK, 10)

    assert [m.sequence_number for m in taken] == [1, 3]
    with pytest.raises(SessionLockLostError):
        provider.take_session(orders, "a", OTHER, ReceiveMode.PEEK_LOCK, 10)


async def test_peek_shows_the_held_sessions_locked_messages_and_filters_by_session(factory):
    provider, orders = await _provider_with(factory, "a", "b", "a")
    provider.accept_session(orders, "a", HOLDER)
    first, _ = provider.take_session(orders, "a", HOLDER, ReceiveMode.PEEK_LOCK, 10)

    assert [m.sequence_number for m in provider.peek(orders, 0, 10, "a")] == [1, 3]
    assert [m.sequence_number for m in provider.peek(orders, 2, 10, "a")] == [3]
    assert [m.sequence_number for m in provider.peek(orders, 0, 10)] == [1, 2, 3]
    await provider.complete(first.lock_token)
    assert [m.sequence_number for m in provider.peek(orders, 0, 10, "a")] == [3]


async def test_next_available_skips_held_sessions_and_returns_none_when_all_are_held(factory):
    provider, orders = await _provider_with(factory, "a", "b")

    first = provider.accept_session(orders, None, HOLDER)
    second = provider.accept_session(orders, None, OTHER)

    assert first is not None
    assert first[0] == "a"
    assert second is not None
    assert second[0] == "b"
    assert provider.accept_session(orders, None, object()) is None


async def test_expired_session_lock_frees_the_session_and_its_messages(factory, clock):
    provider, orders = await _provider_with(factory, "a")
    provider.accept_session(orders, "a", HOLDER)
    [message] = provider.take_session(orders, "a", HOLDER, ReceiveMode.PEEK_LOCK, 1)

    clock.advance(11)
    provider.process_due()

    with pytest.raises(SessionLockLostError):
        await provider.renew_session_lock(orders, "a")
    assert provider.accept_session(orders, None, OTHER) is not None
    [again] = provider.take_session(orders, "a", OTHER, ReceiveMode.PEEK_LOCK, 1)
    assert again.sequence_number == message.sequence_number
    assert again.delivery_count == 1


async def test_renewing_the_session_extends_its_message_locks(factory, clock):
    provider, orders = await _provider_with(factory, "a")
    provider.accept_session(orders, "a", HOLDER)
    [message] = provider.take_session(orders, "a", HOLDER, ReceiveMode.PEEK_LOCK, 1)

    clock.advance(8)
    locked_until = await provider.renew_session_lock(orders, "a")
    clock.advance(8)
    provider.process_due()

    assert locked_until == clock.now() + 2
    assert message.lock_token is not None
    await provider.complete(message.lock_token)


async def test_released_session_gives_back_unsettled_messages(factory):
    provider, orders = await _provider_with(factory, "a")
    provider.accept_session(orders, "a", HOLDER)
    provider.take_session(orders, "a", HOLDER, ReceiveMode.PEEK_LOCK, 1)

    await provider.release_session(orders, "a", HOLDER)

    [info] = provider.sessions(orders)
    assert (info.session_id, info.messages, info.locked_until) == ("a", 1, None)
    provider.accept_session(orders, "a", OTHER)
    [again] = provider.take_session(orders, "a", OTHER, ReceiveMode.PEEK_LOCK, 1)
    assert again.delivery_count == 1


async def test_session_entities_refuse_plain_receivers(factory):
    provider, orders = await _provider_with(factory, "a")

    with pytest.raises(InvalidOperationError):
        provider.take(orders, ReceiveMode.PEEK_LOCK, 1)


async def test_session_state_needs_the_lock_and_survives_a_restart(factory, tmp_path):
    settings = factory.namespace(queues=SESSION_QUEUE)
    provider = factory.sqlite_provider(tmp_path, settings)
    orders = provider.resolve("orders")
    with pytest.raises(SessionLockLostError):
        await provider.set_session_state(orders, "a", b"x")
    provider.accept_session(orders, "a", HOLDER)
    await provider.set_session_state(orders, "a", b"step-2")
    provider.accept_session(orders, "b", HOLDER)
    await provider.set_session_state(orders, "b", b"gone")
    await provider.set_session_state(orders, "b", None)
    await factory.close(provider)

    reopened = factory.sqlite_provider(tmp_path, settings)
    orders = reopened.resolve("orders")
    reopened.accept_session(orders, "a", OTHER)
    reopened.accept_session(orders, "b", OTHER)

    assert reopened.session_state(orders, "a") == b"step-2"
    assert reopened.session_state(orders, "b") is None
