"""Service Bus entity logic: queues, topics, subscriptions and their messages.

The AMQP layer drives this class; it never sees AMQP. State lives in memory and every change is handed
to the store (see `servicebus_emulator.store.base`). All methods run on one event loop; the in-memory
part of each operation is synchronous, so competing receivers never get the same message.

Receiving, for a receiver link with credit: `take` returns up to N available messages at once (locking
them in peek-lock mode, removing them in receive-and-delete mode); `wait_available` completes as soon as
the entity may have a message for it; `receive` combines the two. Nothing polls: sends, abandons, lock
expiries and scheduled messages coming due wake the waiters.

Time is read from an injectable `Clock`. `process_due` applies whatever has come due (scheduled messages,
expired locks, expired messages); `run` calls it on a timer, and tests call it after advancing a
`ManualClock`.

LIMITATIONS versus Azure Service Bus:
- no sessions, auto-forwarding, SQL filters or rule actions (the config loader refuses them);
- abandon/defer/dead-letter cannot modify application properties (``properties_to_modify`` is ignored
  by the AMQP layer);
- dead-lettered messages keep their sequence number; the dead-letter queue has no TTL;
- a message scheduled on a topic is filtered when it comes due, not when it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import logging
import math
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from emulator_common.clock import Clock, SystemClock

from servicebus_emulator.errors import (
    EntityNotFoundError,
    InvalidOperationError,
    MessageLockLostError,
    MessageNotFoundError,
    MessageSizeExceededError,
)
from servicebus_emulator.filters import Rule, any_rule_matches
from servicebus_emulator.model import (
    BrokerMessage,
    EntityCounts,
    EntityKind,
    IncomingMessage,
    MessageState,
    NamespaceSettings,
    ReceiveMode,
    SendResult,
    SubQueue,
)
from servicebus_emulator.store.base import (
    DeleteDuplicate,
    DeleteMessage,
    PutDuplicate,
    PutMessage,
    SetSequence,
    Store,
    StoreOp,
    UpdateMessage,
)

log = logging.getLogger(__name__)

DEAD_LETTER_SUFFIX = "/$deadletterqueue"
MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"
TTL_EXPIRED = "TTLExpiredException"
_IDLE_TIMER = 60.0


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved address: an entity, and for receiving, its main queue or dead-letter sub-queue."""

    key: str
    path: str
    kind: EntityKind
    sub_queue: SubQueue = SubQueue.MAIN

    @property
    def address(self) -> str:
        return self.path + ("/$DeadLetterQueue" if self.sub_queue is SubQueue.DEAD_LETTER else "")


@dataclass(frozen=True, slots=True)
class EntityInfo:
    path: str
    kind: EntityKind
    counts: EntityCounts
    topic: str | None = None


@dataclass(eq=False)
class _Entity:
    key: str
    path: str
    kind: EntityKind
    lock_duration: float = 60.0
    max_delivery_count: int = 10
    default_ttl: float = math.inf
    dead_letter_on_expiry: bool = False
    requires_duplicate_detection: bool = False
    duplicate_window: float = 0.0
    max_message_size: int = 0
    rules: tuple[Rule, ...] = ()
    topic: _Entity | None = None
    subscriptions: list[_Entity] = field(default_factory=list)
    messages: dict[int, BrokerMessage] = field(default_factory=dict)
    last_sequence: int = 0
    duplicates: OrderedDict[str, float] = field(default_factory=OrderedDict)
    ready: dict[SubQueue, list[int]] = field(
        default_factory=lambda: {SubQueue.MAIN: [], SubQueue.DEAD_LETTER: []}
    )
    waiters: dict[SubQueue, set[asyncio.Future[None]]] = field(
        default_factory=lambda: {SubQueue.MAIN: set(), SubQueue.DEAD_LETTER: set()}
    )

    def target(self, sub_queue: SubQueue = SubQueue.MAIN) -> Target:
        return Target(self.key, self.path, self.kind, sub_queue)


def _sub_queue_of(message: BrokerMessage) -> SubQueue:
    return SubQueue.DEAD_LETTER if message.state is MessageState.DEAD_LETTERED else SubQueue.MAIN


def _snapshot(message: BrokerMessage) -> BrokerMessage:
    return dataclasses.replace(message)


def _log_store_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("store write failed", exc_info=future.exception())


class ServiceBusProvider:
    def __init__(self, settings: NamespaceSettings, store: Store, clock: Clock | None = None) -> None:
        self.namespace = settings.name
        self._store = store
        self._clock = clock or SystemClock()
        self._entities: dict[str, _Entity] = {}
        self._locks: dict[uuid.UUID, tuple[_Entity, int]] = {}
        self._timers: list[tuple[float, str, int]] = []
        self._wakeup = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._build(settings)
        self._load()

    # ----------------------------------------------------------------- setup

    def _build(self, settings: NamespaceSettings) -> None:
        for queue in settings.queues:
            self._add(
                _Entity(
                    key=queue.name.casefold(),
                    path=queue.name,
                    kind=EntityKind.QUEUE,
                    lock_duration=queue.lock_duration,
                    max_delivery_count=queue.max_delivery_count,
                    default_ttl=queue.default_message_ttl,
                    dead_letter_on_expiry=queue.dead_lettering_on_message_expiration,
                    requires_duplicate_detection=queue.requires_duplicate_detection,
                    duplicate_window=queue.duplicate_detection_window,
                    max_message_size=queue.max_message_size,
                )
            )
        for topic_settings in settings.topics:
            topic = _Entity(
                key=topic_settings.name.casefold(),
                path=topic_settings.name,
                kind=EntityKind.TOPIC,
                default_ttl=topic_settings.default_message_ttl,
                requires_duplicate_detection=topic_settings.requires_duplicate_detection,
                duplicate_window=topic_settings.duplicate_detection_window,
                max_message_size=topic_settings.max_message_size,
            )
            self._add(topic)
            for sub in topic_settings.subscriptions:
                path = f"{topic_settings.name}/Subscriptions/{sub.name}"
                subscription = _Entity(
                    key=path.casefold(),
                    path=path,
                    kind=EntityKind.SUBSCRIPTION,
                    lock_duration=sub.lock_duration,
                    max_delivery_count=sub.max_delivery_count,
                    default_ttl=sub.default_message_ttl,
                    dead_letter_on_expiry=sub.dead_lettering_on_message_expiration,
                    max_message_size=topic_settings.max_message_size,
                    rules=sub.rules,
                    topic=topic,
                )
                topic.subscriptions.append(subscription)
                self._add(subscription)

    def _add(self, entity: _Entity) -> None:
        if entity.key in self._entities:
            raise ValueError(f"entity {entity.path!r} is defined twice")
        self._entities[entity.key] = entity

    def _load(self) -> None:
        snapshot = self._store.load()
        orphans = 0
        for message in snapshot.messages:
            entity = self._entities.get(message.entity)
            if entity is None:
                orphans += 1
                continue
            entity.messages[message.sequence_number] = message
            entity.last_sequence = max(entity.last_sequence, message.sequence_number)
            if message.lock_token is not None:
                self._locks[message.lock_token] = (entity, message.sequence_number)
            else:
                self._make_ready(entity, message)
            self._arm(entity, message)
        for key, last in snapshot.sequences.items():
            if key in self._entities:
                entity = self._entities[key]
                entity.last_sequence = max(entity.last_sequence, last)
        for duplicate in snapshot.duplicates:
            if duplicate.entity in self._entities:
                self._entities[duplicate.entity].duplicates[duplicate.message_id] = duplicate.seen_at
        if orphans:
            log.warning(
                "stored messages of entities missing from the config were left in the store",
                extra={"messages": orphans},
            )
        if snapshot.messages:
            log.info("store loaded", extra={"messages": len(snapshot.messages) - orphans})

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start the timer that applies lock expiries, TTL and scheduled messages as they come due."""
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="servicebus-timers")

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        await self._store.close()

    async def _run(self) -> None:
        while True:
            try:
                self.process_due()
            except Exception:
                log.exception("applying due timers failed")
            delay = self._timers[0][0] - self._clock.now() if self._timers else _IDLE_TIMER
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=min(max(delay, 0.0), _IDLE_TIMER))

    # ----------------------------------------------------------------- addressing

    def resolve(self, address: str) -> Target:
        """Resolve ``amqps://host:port/orders/$DeadLetterQueue``, ``orders``, ``topic/Subscriptions/sub``."""
        path = address
        if "://" in path:
            path = path.split("://", 1)[1].partition("/")[2]
        path = path.strip("/")
        sub_queue = SubQueue.MAIN
        if path.casefold().endswith(DEAD_LETTER_SUFFIX):
            path = path[: -len(DEAD_LETTER_SUFFIX)]
            sub_queue = SubQueue.DEAD_LETTER
        entity = self._entities.get(path.casefold())
        if entity is None or (sub_queue is SubQueue.DEAD_LETTER and entity.kind is EntityKind.TOPIC):
            raise EntityNotFoundError(address)
        return entity.target(sub_queue)

    def _entity(self, target: Target) -> _Entity:
        entity = self._entities.get(target.key)
        if entity is None:
            raise EntityNotFoundError(target.path)
        return entity

    def _receivable(self, target: Target) -> _Entity:
        entity = self._entity(target)
        if entity.kind is EntityKind.TOPIC:
            raise InvalidOperationError(
                f"cannot receive from topic '{entity.path}'; receive from a subscription"
            )
        return entity

    def lock_duration(self, target: Target) -> float:
        return self._entity(target).lock_duration

    def max_message_size(self, target: Target) -> int:
        entity = self._entity(target)
        return (entity.topic or entity).max_message_size

    # ----------------------------------------------------------------- sending

    async def send(self, target: Target, messages: Sequence[IncomingMessage]) -> list[SendResult]:
        """Accept messages (one batch = one atomic, durable write); returns once they are durable.

        A message with ``scheduled_enqueue_time`` in the future is scheduled. A duplicate message id
        within the detection window is accepted and dropped (``SendResult.duplicate``), as in Azure.
        """
        entity = self._entity(target)
        if entity.kind is EntityKind.SUBSCRIPTION or target.sub_queue is SubQueue.DEAD_LETTER:
            raise InvalidOperationError(f"cannot send to '{target.address}'")
        for incoming in messages:
            size = incoming.size if incoming.size is not None else len(incoming.encoded)
            if size > entity.max_message_size:
                raise MessageSizeExceededError(size, entity.max_message_size)
        now = self._clock.now()
        self._forget_old_duplicates(entity, now)
        ops: list[StoreOp] = []
        results: list[SendResult] = []
        accepted: list[tuple[_Entity, BrokerMessage]] = []
        remembered: list[str] = []
        for incoming in messages:
            message_id = incoming.message_id or uuid.uuid4().hex
            if entity.requires_duplicate_detection:
                if message_id in entity.duplicates:
                    results.append(SendResult(None, duplicate=True))
                    continue
                entity.duplicates[message_id] = now
                remembered.append(message_id)
                ops.append(PutDuplicate(entity.key, message_id, now))
            entity.last_sequence += 1
            message = self._new_message(entity, entity.last_sequence, incoming, message_id, now)
            results.append(SendResult(message.sequence_number))
            if entity.kind is EntityKind.TOPIC and message.state is not MessageState.SCHEDULED:
                accepted.extend(self._fan_out(entity, message))
            else:
                accepted.append((entity, message))
        if not accepted and not ops:
            return results
        ops.extend(PutMessage(message) for _, message in accepted)
        ops.append(SetSequence(entity.key, entity.last_sequence))

        def publish() -> None:
            for holder, message in accepted:
                holder.messages[message.sequence_number] = message
                self._make_ready(holder, message)
                self._arm(holder, message)

        def forget() -> None:
            for message_id in remembered:
                entity.duplicates.pop(message_id, None)

        await self._commit(ops, on_success=publish, on_failure=forget)
        return results

    def _new_message(
        self, entity: _Entity, sequence_number: int, incoming: IncomingMessage, message_id: str, now: float
    ) -> BrokerMessage:
        scheduled = incoming.scheduled_enqueue_time
        is_scheduled = scheduled is not None and scheduled > now
        ttl = entity.default_ttl
        if incoming.time_to_live is not None and incoming.time_to_live > 0:
            ttl = min(ttl, incoming.time_to_live)
        return BrokerMessage(
            entity=entity.key,
            sequence_number=sequence_number,
            encoded=incoming.encoded,
            message_id=message_id,
            message_id_assigned=incoming.message_id is None,
            correlation_id=incoming.correlation_id,
            subject=incoming.subject,
            to=incoming.to,
            reply_to=incoming.reply_to,
            reply_to_session_id=incoming.reply_to_session_id,
            session_id=incoming.session_id,
            content_type=incoming.content_type,
            application_properties=dict(incoming.application_properties),
            time_to_live=ttl,
            enqueued_time=scheduled if is_scheduled and scheduled is not None else now,
            scheduled_enqueue_time=scheduled,
            size=incoming.size if incoming.size is not None else len(incoming.encoded),
            state=MessageState.SCHEDULED if is_scheduled else MessageState.ACTIVE,
        )

    def _fan_out(self, topic: _Entity, message: BrokerMessage) -> list[tuple[_Entity, BrokerMessage]]:
        copies = []
        for subscription in topic.subscriptions:
            if any_rule_matches(subscription.rules, message):
                copy = dataclasses.replace(
                    message,
                    entity=subscription.key,
                    state=MessageState.ACTIVE,
                    time_to_live=min(message.time_to_live, subscription.default_ttl),
                    application_properties=dict(message.application_properties),
                )
                copies.append((subscription, copy))
        return copies

    def _forget_old_duplicates(self, entity: _Entity, now: float) -> None:
        if not entity.duplicates:
            return
        ops: list[StoreOp] = []
        while entity.duplicates:
            message_id, seen_at = next(iter(entity.duplicates.items()))
            if now - seen_at < entity.duplicate_window:
                break
            entity.duplicates.popitem(last=False)
            ops.append(DeleteDuplicate(entity.key, message_id))
        self._submit(ops)

    async def cancel_scheduled(self, target: Target, sequence_numbers: Iterable[int]) -> None:
        entity = self._entity(target)
        wanted = list(sequence_numbers)
        for seq in wanted:
            message = entity.messages.get(seq)
            if message is None or message.state is not MessageState.SCHEDULED:
                raise MessageNotFoundError(seq)
        for seq in wanted:
            entity.messages.pop(seq, None)
        await self._commit([DeleteMessage(entity.key, seq) for seq in wanted])

    # ----------------------------------------------------------------- receiving

    def take(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """Up to ``max_count`` messages available now, in sequence order; never waits.

        Peek-lock: each returned message is locked (``lock_token``, ``locked_until``). Receive-and-delete:
        each is removed. The returned records are copies, safe to keep.
        """
        entity = self._receivable(target)
        now = self._clock.now()
        self.process_due(now)
        ready = entity.ready[target.sub_queue]
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        while ready and len(taken) < max_count:
            seq = heapq.heappop(ready)
            message = entity.messages.get(seq)
            if message is None or not self._is_ready(message, target.sub_queue):
                continue
            if message.state is MessageState.ACTIVE and message.expires_at <= now:
                ops.extend(self._expire(entity, message))
                continue
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        self._submit(ops)
        return taken

    async def wait_available(self, target: Target) -> None:
        """Return as soon as ``target`` may have a message to take (bound it with `asyncio.timeout`).

        This is a hint: a competing receiver may take the message first.
        """
        entity = self._receivable(target)
        if self._has_ready(entity, target.sub_queue):
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = entity.waiters[target.sub_queue]
        waiters.add(waiter)
        try:
            await waiter
        finally:
            waiters.discard(waiter)

    async def receive(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """At least one message, up to ``max_count``, waiting for them (bound it with `asyncio.timeout`)."""
        while True:
            taken = self.take(target, mode, max_count)
            if taken:
                return taken
            await self.wait_available(target)

    def _has_ready(self, entity: _Entity, sub_queue: SubQueue) -> bool:
        ready = entity.ready[sub_queue]
        while ready:
            message = entity.messages.get(ready[0])
            if message is not None and self._is_ready(message, sub_queue):
                return True
            heapq.heappop(ready)
        return False

    @staticmethod
    def _is_ready(message: BrokerMessage, sub_queue: SubQueue) -> bool:
        if message.lock_token is not None:
            return False
        if sub_queue is SubQueue.DEAD_LETTER:
            return message.state is MessageState.DEAD_LETTERED
        return message.state is MessageState.ACTIVE

    def _make_ready(self, entity: _Entity, message: BrokerMessage) -> None:
        if message.lock_token is not None or message.state not in (
            MessageState.ACTIVE,
            MessageState.DEAD_LETTERED,
        ):
            return
        sub_queue = _sub_queue_of(message)
        heapq.heappush(entity.ready[sub_queue], message.sequence_number)
        for waiter in entity.waiters[sub_queue]:
            if not waiter.done():
                waiter.set_result(None)

    def _lock(self, entity: _Entity, message: BrokerMessage, now: float) -> None:
        message.lock_token = uuid.uuid4()
        message.locked_until = now + entity.lock_duration
        self._locks[message.lock_token] = (entity, message.sequence_number)
        self._arm(entity, message)

    def _unlock(self, message: BrokerMessage) -> None:
        if message.lock_token is not None:
            self._locks.pop(message.lock_token, None)
        message.lock_token = None
        message.locked_until = None

    async def receive_deferred(
        self, target: Target, sequence_numbers: Iterable[int], mode: ReceiveMode
    ) -> list[BrokerMessage]:
        """Deferred messages by sequence number, all or none (MessageNotFoundError names a missing one)."""
        entity = self._receivable(target)
        now = self._clock.now()
        self.process_due(now)
        wanted = list(sequence_numbers)
        for seq in wanted:
            message = entity.messages.get(seq)
            if (
                message is None
                or target.sub_queue is SubQueue.DEAD_LETTER
                or message.state is not MessageState.DEFERRED
                or message.is_locked
            ):
                raise MessageNotFoundError(seq)
        ops: list[StoreOp] = []
        taken = []
        for seq in wanted:
            message = entity.messages[seq]
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        await self._commit(ops)
        return taken

    def peek(self, target: Target, from_sequence_number: int, count: int) -> list[BrokerMessage]:
        """Messages from a sequence number on, without locking (locked, deferred and scheduled included)."""
        entity = self._entity(target)
        self.process_due()
        found = sorted(
            (
                m
                for seq, m in entity.messages.items()
                if seq >= from_sequence_number and _sub_queue_of(m) is target.sub_queue
            ),
            key=lambda m: m.sequence_number,
        )
        return [_snapshot(m) for m in found[: max(count, 0)]]

    # ----------------------------------------------------------------- settlement

    def _locked(self, lock_token: uuid.UUID) -> tuple[_Entity, BrokerMessage]:
        ref = self._locks.get(lock_token)
        if ref is None:
            raise MessageLockLostError(lock_token)
        entity, seq = ref
        message = entity.messages.get(seq)
        if message is None or message.lock_token != lock_token:
            self._locks.pop(lock_token, None)
            raise MessageLockLostError(lock_token)
        assert message.locked_until is not None
        if message.locked_until <= self._clock.now():
            self._submit(self._lock_lost(entity, message))
            raise MessageLockLostError(lock_token)
        return entity, message

    def is_locked(self, lock_token: uuid.UUID) -> bool:
        try:
            self._locked(lock_token)
        except MessageLockLostError:
            return False
        return True

    async def complete(self, lock_token: uuid.UUID) -> None:
        entity, message = self._locked(lock_token)
        self._unlock(message)
        del entity.messages[message.sequence_number]
        await self._commit([DeleteMessage(entity.key, message.sequence_number)])

    async def abandon(self, lock_token: uuid.UUID) -> None:
        """Give the message back; counts as a delivery attempt (MaxDeliveryCount → dead-letter queue)."""
        entity, message = self._locked(lock_token)
        await self._commit(self._lock_lost(entity, message))

    async def release(self, lock_token: uuid.UUID) -> None:
        """Give the message back without counting a delivery attempt (AMQP Released: never delivered)."""
        entity, message = self._locked(lock_token)
        self._unlock(message)
        self._make_ready(entity, message)
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])

    async def defer(self, lock_token: uuid.UUID) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("a dead-lettered message cannot be deferred")
        self._unlock(message)
        message.state = MessageState.DEFERRED
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])

    async def dead_letter(
        self, lock_token: uuid.UUID, reason: str | None = None, description: str | None = None
    ) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("the message is already in the dead-letter queue")
        self._unlock(message)
        await self._commit(self._dead_letter(entity, message, reason, description))

    async def renew_lock(self, lock_token: uuid.UUID) -> float:
        """Extend the lock by the entity's LockDuration from now; returns the new locked-until time."""
        entity, message = self._locked(lock_token)
        message.locked_until = self._clock.now() + entity.lock_duration
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])
        return message.locked_until

    async def lose_lock(self, lock_token: uuid.UUID) -> None:
        """Fault injection: behave as if the lock had expired now."""
        entity, message = self._locked(lock_token)
        await self._commit(self._lock_lost(entity, message))

    def _lock_lost(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        """An abandon or an expired lock: one more failed delivery attempt."""
        self._unlock(message)
        message.delivery_count += 1
        if (
            message.state is not MessageState.DEAD_LETTERED
            and message.delivery_count >= entity.max_delivery_count
        ):
            description = (
                f"Message could not be consumed after {entity.max_delivery_count} delivery attempts."
            )
            return self._dead_letter(entity, message, MAX_DELIVERY_COUNT_EXCEEDED, description)
        self._make_ready(entity, message)
        self._arm(entity, message)
        return [UpdateMessage(_snapshot(message))]

    def _dead_letter(
        self, entity: _Entity, message: BrokerMessage, reason: str | None, description: str | None
    ) -> list[StoreOp]:
        message.state = MessageState.DEAD_LETTERED
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        message.dead_letter_source = entity.path
        self._make_ready(entity, message)
        log.info(
            "message dead-lettered",
            extra={"entity": entity.path, "sequence_number": message.sequence_number, "reason": reason},
        )
        return [UpdateMessage(_snapshot(message))]

    def _expire(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        if entity.dead_letter_on_expiry:
            return self._dead_letter(
                entity, message, TTL_EXPIRED, "The message expired and was dead lettered."
            )
        del entity.messages[message.sequence_number]
        return [DeleteMessage(entity.key, message.sequence_number)]

    # ----------------------------------------------------------------- timers

    def _arm(self, entity: _Entity, message: BrokerMessage) -> None:
        """Register the next instant at which this message's state may change by itself."""
        if message.state is MessageState.SCHEDULED:
            due = message.scheduled_enqueue_time
        elif message.locked_until is not None:
            due = message.locked_until
        elif message.state in (MessageState.ACTIVE, MessageState.DEFERRED):
            due = message.expires_at
        else:
            return
        if due is None or math.isinf(due):
            return
        earliest = self._timers[0][0] if self._timers else math.inf
        heapq.heappush(self._timers, (due, entity.key, message.sequence_number))
        if due < earliest:
            self._wakeup.set()

    def process_due(self, now: float | None = None) -> None:
        """Apply everything due by ``now``: scheduled messages, expired locks, expired messages."""
        now = self._clock.now() if now is None else now
        ops: list[StoreOp] = []
        while self._timers and self._timers[0][0] <= now:
            _, key, seq = heapq.heappop(self._timers)
            entity = self._entities[key]
            message = entity.messages.get(seq)
            if message is not None:
                ops.extend(self._apply_due(entity, message, now))
        self._submit(ops)

    def _apply_due(self, entity: _Entity, message: BrokerMessage, now: float) -> list[StoreOp]:
        if message.state is MessageState.SCHEDULED:
            assert message.scheduled_enqueue_time is not None
            if message.scheduled_enqueue_time > now:
                return []
            return self._enqueue_scheduled(entity, message)
        if message.locked_until is not None:
            if message.locked_until > now:
                return []
            ops = self._lock_lost(entity, message)
            if message.state is MessageState.DEAD_LETTERED or message.expires_at > now:
                return ops
            return [*ops, *self._expire(entity, message)]
        if message.state in (MessageState.ACTIVE, MessageState.DEFERRED) and message.expires_at <= now:
            return self._expire(entity, message)
        return []

    def _enqueue_scheduled(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        if entity.kind is EntityKind.TOPIC:
            del entity.messages[message.sequence_number]
            ops: list[StoreOp] = [DeleteMessage(entity.key, message.sequence_number)]
            for subscription, copy in self._fan_out(entity, message):
                subscription.messages[copy.sequence_number] = copy
                self._make_ready(subscription, copy)
                self._arm(subscription, copy)
                ops.append(PutMessage(copy))
            return ops
        message.state = MessageState.ACTIVE
        self._make_ready(entity, message)
        self._arm(entity, message)
        return [UpdateMessage(_snapshot(message))]

    # ----------------------------------------------------------------- inspection

    def counts(self, target: Target) -> EntityCounts:
        entity = self._entity(target)
        self.process_due()
        tally = {state: 0 for state in MessageState}
        locked = 0
        for message in entity.messages.values():
            tally[message.state] += 1
            locked += message.is_locked
        return EntityCounts(
            active=tally[MessageState.ACTIVE],
            dead_lettered=tally[MessageState.DEAD_LETTERED],
            scheduled=tally[MessageState.SCHEDULED],
            deferred=tally[MessageState.DEFERRED],
            locked=locked,
        )

    def entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                path=entity.path,
                kind=entity.kind,
                counts=self.counts(entity.target()),
                topic=entity.topic.path if entity.topic else None,
            )
            for entity in self._entities.values()
        ]

    async def purge(self, target: Target) -> int:
        """Delete every message of the main queue (any state but dead-lettered) or the dead-letter queue."""
        entity = self._entity(target)
        doomed = [m for m in entity.messages.values() if _sub_queue_of(m) is target.sub_queue]
        for message in doomed:
            self._unlock(message)
            del entity.messages[message.sequence_number]
        entity.ready[target.sub_queue].clear()
        await self._commit([DeleteMessage(entity.key, m.sequence_number) for m in doomed])
        if doomed:
            log.info("entity purged", extra={"entity": target.address, "messages": len(doomed)})
        return len(doomed)

    # ----------------------------------------------------------------- store plumbing

    def _submit(self, ops: Sequence[StoreOp]) -> None:
        """Hand ops to the store without waiting for durability (ordering is still preserved)."""
        if ops:
            self._store.submit(ops).add_done_callback(_log_store_failure)

    async def _commit(
        self,
        ops: Sequence[StoreOp],
        on_success: Callable[[], None] | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """Write ``ops`` and wait until durable. The callbacks run even if the caller is cancelled meanwhile,
        so memory and store agree whatever happens to the caller."""
        future = self._store.submit(ops)

        def settle(done: asyncio.Future[None]) -> None:
            failed = done.cancelled() or done.exception() is not None
            callback = on_failure if failed else on_success
            if callback is not None:
                callback()

        if future.done():
            settle(future)
        else:
            future.add_done_callback(settle)
        await asyncio.shield(future)
