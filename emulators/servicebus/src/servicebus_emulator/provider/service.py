"""`ServiceBusProvider`: the one facade of this package, and the one place its parts are wired together."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from emulator_common.clock import Clock, SystemClock

from servicebus_emulator.filters import Rule
from servicebus_emulator.model import (
    BrokerMessage,
    EntityCounts,
    IncomingMessage,
    NamespaceSettings,
    ReceiveMode,
    SendResult,
)
from servicebus_emulator.provider.addressing import Addressing
from servicebus_emulator.provider.building import build_entities
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.delivery import Delivery
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.inspection import Inspection
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.loading import Loader
from servicebus_emulator.provider.receiving import Receiving
from servicebus_emulator.provider.records import EntityInfo, SessionInfo, Target
from servicebus_emulator.provider.rules import Rules
from servicebus_emulator.provider.sending import Sending
from servicebus_emulator.provider.sequences import Sequences
from servicebus_emulator.provider.session_locks import SessionLocks
from servicebus_emulator.provider.session_state import SessionStates
from servicebus_emulator.provider.sessions import Sessions
from servicebus_emulator.provider.settlement import Settlement
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.provider.timers import Timers
from servicebus_emulator.store.base import Store


class ServiceBusProvider:
    """The entity logic of one namespace (see the `servicebus_emulator.provider` package docstring).

    Each method hands the call to the part that does it; the part's method documents it.
    """

    def __init__(self, settings: NamespaceSettings, store: Store, clock: Clock | None = None) -> None:
        clock = clock or SystemClock()
        self.namespace = settings.name
        entities = build_entities(settings)
        journal = Journal(store)
        timer_queue = TimerQueue()
        sequences = Sequences()
        indexes = Indexes(timer_queue)
        delivery = Delivery(entities, indexes, timer_queue, sequences, clock)
        dead_lettering = DeadLettering(indexes, timer_queue, delivery)
        session_locks = SessionLocks(indexes, timer_queue, dead_lettering, journal, clock)
        timers = Timers(entities, timer_queue, delivery, dead_lettering, session_locks, journal, clock)
        self._journal = journal
        self._timers = timers
        self._addressing = Addressing(entities)
        self._sending = Sending(entities, delivery, sequences, journal, clock)
        self._receiving = Receiving(entities, indexes, timers, dead_lettering, journal, clock)
        self._settlement = Settlement(indexes, timer_queue, dead_lettering, journal, clock)
        self._sessions = Sessions(entities, session_locks, indexes, timers, dead_lettering, journal, clock)
        self._session_states = SessionStates(entities, session_locks, journal)
        self._rules = Rules(entities)
        self._inspection = Inspection(entities, indexes, timers, journal)
        Loader(entities, indexes, timer_queue).load(journal.load())

    def start(self) -> None:
        self._timers.start()

    async def close(self) -> None:
        await self._timers.stop()
        await self._journal.close()

    def process_due(self, now: float | None = None) -> None:
        self._timers.process_due(now)

    def resolve(self, address: str) -> Target:
        return self._addressing.resolve(address)

    def lock_duration(self, target: Target) -> float:
        return self._addressing.lock_duration(target)

    def max_message_size(self, target: Target) -> int:
        return self._addressing.max_message_size(target)

    async def send(self, target: Target, messages: Sequence[IncomingMessage]) -> list[SendResult]:
        return await self._sending.send(target, messages)

    async def cancel_scheduled(self, target: Target, sequence_numbers: Iterable[int]) -> None:
        await self._sending.cancel_scheduled(target, sequence_numbers)

    def take(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        return self._receiving.take(target, mode, max_count)

    async def wait_available(self, target: Target) -> None:
        await self._receiving.wait_available(target)

    async def receive(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        return await self._receiving.receive(target, mode, max_count)

    async def receive_deferred(
        self, target: Target, sequence_numbers: Iterable[int], mode: ReceiveMode
    ) -> list[BrokerMessage]:
        return await self._receiving.receive_deferred(target, sequence_numbers, mode)

    def peek(
        self, target: Target, from_sequence_number: int, count: int, session_id: str | None = None
    ) -> list[BrokerMessage]:
        return self._receiving.peek(target, from_sequence_number, count, session_id)

    def is_locked(self, lock_token: uuid.UUID) -> bool:
        return self._settlement.is_locked(lock_token)

    async def complete(self, lock_token: uuid.UUID) -> None:
        await self._settlement.complete(lock_token)

    async def abandon(self, lock_token: uuid.UUID) -> None:
        await self._settlement.abandon(lock_token)

    async def release(self, lock_token: uuid.UUID) -> None:
        await self._settlement.release(lock_token)

    async def defer(self, lock_token: uuid.UUID) -> None:
        await self._settlement.defer(lock_token)

    async def dead_letter(
        self, lock_token: uuid.UUID, reason: str | None = None, description: str | None = None
    ) -> None:
        await self._settlement.dead_letter(lock_token, reason, description)

    async def renew_lock(self, lock_token: uuid.UUID) -> float:
        return await self._settlement.renew_lock(lock_token)

    async def lose_lock(self, lock_token: uuid.UUID) -> None:
        await self._settlement.lose_lock(lock_token)

    def requires_session(self, target: Target) -> bool:
        return self._sessions.requires_session(target)

    def accept_session(
        self, target: Target, session_id: str | None, owner: object
    ) -> tuple[str, float] | None:
        return self._sessions.accept_session(target, session_id, owner)

    def take_session(
        self, target: Target, session_id: str, owner: object, mode: ReceiveMode, max_count: int
    ) -> list[BrokerMessage]:
        return self._sessions.take_session(target, session_id, owner, mode, max_count)

    async def wait_session_change(self, target: Target) -> None:
        await self._sessions.wait_session_change(target)

    async def renew_session_lock(self, target: Target, session_id: str) -> float:
        return await self._sessions.renew_session_lock(target, session_id)

    async def release_session(self, target: Target, session_id: str, owner: object) -> None:
        await self._sessions.release_session(target, session_id, owner)

    def session_state(self, target: Target, session_id: str) -> bytes | None:
        return self._session_states.session_state(target, session_id)

    async def set_session_state(self, target: Target, session_id: str, state: bytes | None) -> None:
        await self._session_states.set_session_state(target, session_id, state)

    def rules(self, target: Target) -> tuple[Rule, ...]:
        return self._rules.rules(target)

    def add_rule(self, target: Target, rule: Rule) -> None:
        self._rules.add_rule(target, rule)

    def remove_rule(self, target: Target, name: str) -> None:
        self._rules.remove_rule(target, name)

    def counts(self, target: Target) -> EntityCounts:
        return self._inspection.counts(target)

    def entities(self) -> list[EntityInfo]:
        return self._inspection.entity_infos()

    def sessions(self, target: Target) -> list[SessionInfo]:
        return self._inspection.sessions(target)

    async def purge(self, target: Target) -> int:
        return await self._inspection.purge(target)
