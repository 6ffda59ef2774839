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
- rules added at run time are not persisted; session locks are not persisted (session state is);
- a message received on a session takes the session's lock time, and renewing the session renews the
  locks of its messages too; a session receiver that goes away gives its unsettled messages back at once
  (one more delivery attempt each) instead of letting their locks run out;
- a forwarded message keeps its enqueued time and TTL; forwarding happens when the message arrives
  (a scheduled message when it comes due), not in a background mover;
- a SQL filter that fails to evaluate dead-letters the subscription's copy with reason
  ``FilterEvaluationException`` (our wording; Azure's text is not documented);
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
from typing import Any

from emulator_common.clock import Clock, SystemClock

from servicebus_emulator.errors import (
    EntityAlreadyExistsError,
    EntityNotFoundError,
    InvalidOperationError,
    MessageLockLostError,
    MessageNotFoundError,
    MessageSizeExceededError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)
from servicebus_emulator.filters import Rule
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
from servicebus_emulator.routing import RuleCopy, route
from servicebus_emulator.store.base import (
    DeleteDuplicate,
    DeleteMessage,
    PutDuplicate,
    PutMessage,
    PutSessionState,
    SetSequence,
    Store,
    StoreOp,
    UpdateMessage,
)

log = logging.getLogger(__name__)

DEAD_LETTER_SUFFIX = "/$deadletterqueue"
MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"
TTL_EXPIRED = "TTLExpiredException"
FILTER_EVALUATION_FAILED = "FilterEvaluationException"
SESSION_ID_IS_NULL = "Session ID is null"
MAX_HOPS_EXCEEDED = "MaxTransferHopCountExceeded"
MAX_HOPS = 4
"""Azure stops a message forwarded more than four times and dead-letters it."""
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
class _SessionLock:
    """Who holds a session of a session-enabled entity, and until when."""

    owner: object
    locked_until: float


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session as the admin API shows it."""

    session_id: str
    messages: int
    locked_until: float | None
    has_state: bool


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
    dead_letter_on_filter_errors: bool = True
    requires_session: bool = False
    forward_to: str | None = None
    forward_dead_letters_to: str | None = None
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
    session_locks: dict[str, _SessionLock] = field(default_factory=dict)
    session_states: dict[str, bytes] = field(default_factory=dict)

    def target(self, sub_queue: SubQueue = SubQueue.MAIN) -> Target:
        return Target(self.key, self.path, self.kind, sub_queue)


def _sub_queue_of(message: BrokerMessage) -> SubQueue:
    return SubQueue.DEAD_LETTER if message.state is MessageState.DEAD_LETTERED else SubQueue.MAIN


def _key(name: str | None) -> str | None:
    return name.casefold() if name else None


def _snapshot(message: BrokerMessage) -> BrokerMessage:
    return dataclasses.replace(message)


def _session_lost(session_id: str) -> str:
    return f"The session lock for session '{session_id}' has expired or was released."


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
        self._session_timers: list[tuple[float, str, str]] = []
        self._sequenced: set[str] = set()
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
                    requires_session=queue.requires_session,
                    forward_to=_key(queue.forward_to),
                    forward_dead_letters_to=_key(queue.forward_dead_lettered_messages_to),
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
                    dead_letter_on_filter_errors=sub.dead_lettering_on_filter_evaluation_exceptions,
                    requires_session=sub.requires_session,
                    forward_to=_key(sub.forward_to),
                    forward_dead_letters_to=_key(sub.forward_dead_lettered_messages_to),
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
            if message.lock_token is not None and entity.requires_session:
                # Session locks are not persisted, so the message locks they covered end with them.
                message.lock_token = None
                message.locked_until = None
            if message.lock_token is not None:
                self._locks[message.lock_token] = (entity, message.sequence_number)
            else:
                self._make_ready(entity, message)
            self._arm(entity, message)
        for key, last in snapshot.sequences.items():
            if key in self._entities:
                entity = self._entities[key]
                entity.last_sequence = max(entity.last_sequence, last)
        for session_state in snapshot.session_states:
            if session_state.entity in self._entities and session_state.state is not None:
                self._entities[session_state.entity].session_states[session_state.session_id] = (
                    session_state.state
                )
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
            due = min(
                self._timers[0][0] if self._timers else math.inf,
                self._session_timers[0][0] if self._session_timers else math.inf,
            )
            delay = due - self._clock.now() if not math.isinf(due) else _IDLE_TIMER
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
        if entity.requires_session and any(m.session_id is None for m in messages):
            raise InvalidOperationError(
                "The SessionId was not set on a message, and it cannot be sent to the entity. Entities "
                f"that have session support enabled ('{entity.path}') can only receive messages that "
                "have the SessionId set to a valid value."
            )
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
                accepted.extend(self._arrive(entity, message))
        if not accepted and not ops:
            return results
        ops.extend(PutMessage(message) for _, message in accepted)
        self._sequenced.add(entity.key)
        ops.extend(self._sequence_ops())

        def publish() -> None:
            self._place(accepted)

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

    def _next_sequence(self, entity: _Entity) -> int:
        entity.last_sequence += 1
        self._sequenced.add(entity.key)
        return entity.last_sequence

    def _sequence_ops(self) -> list[StoreOp]:
        ops: list[StoreOp] = [SetSequence(key, self._entities[key].last_sequence) for key in self._sequenced]
        self._sequenced.clear()
        return ops

    def _place(self, arrived: Iterable[tuple[_Entity, BrokerMessage]]) -> list[StoreOp]:
        """Put messages into their entities now; returns the store ops that record them."""
        ops: list[StoreOp] = []
        for holder, message in arrived:
            holder.messages[message.sequence_number] = message
            self._make_ready(holder, message)
            self._arm(holder, message)
            ops.append(PutMessage(message))
        return ops

    def _fan_out(
        self, topic: _Entity, message: BrokerMessage, hops: int = 0
    ) -> list[tuple[_Entity, BrokerMessage]]:
        """The copies each subscription gets (see `servicebus_emulator.routing`), forwarded as configured.

        The first copy in a subscription keeps the topic's sequence number; further copies (one per
        matching rule with an action) take new numbers from the topic, so each is unique.
        """
        arrived = []
        for subscription in topic.subscriptions:
            routing = route(subscription.rules, message)
            numbers = 0
            for rule_copy in routing.copies:
                seq = message.sequence_number if numbers == 0 else self._next_sequence(topic)
                numbers += 1
                arrived.extend(
                    self._arrive(subscription, self._copy(subscription, message, seq, rule_copy), hops)
                )
            if routing.failure is None:
                continue
            log.info(
                "subscription rule failed on a message",
                extra={
                    "entity": subscription.path,
                    "sequence_number": message.sequence_number,
                    "error": routing.failure,
                },
            )
            if subscription.dead_letter_on_filter_errors:
                seq = message.sequence_number if numbers == 0 else self._next_sequence(topic)
                copy = self._copy(subscription, message, seq, RuleCopy())
                arrived.extend(self._refuse(subscription, copy, FILTER_EVALUATION_FAILED, routing.failure))
        return arrived

    @staticmethod
    def _copy(subscription: _Entity, message: BrokerMessage, seq: int, rule_copy: RuleCopy) -> BrokerMessage:
        changes: dict[str, Any] = {"application_properties": dict(message.application_properties)}
        if rule_copy.action is not None:
            changes = {
                **rule_copy.action.system,
                "application_properties": dict(rule_copy.action.application_properties),
                "properties_rewritten": True,
            }
        return dataclasses.replace(
            message,
            entity=subscription.key,
            sequence_number=seq,
            state=MessageState.ACTIVE,
            time_to_live=min(message.time_to_live, subscription.default_ttl),
            **changes,
        )

    def _arrive(
        self, entity: _Entity, message: BrokerMessage, hops: int = 0
    ) -> list[tuple[_Entity, BrokerMessage]]:
        """Where a message arriving at a queue or subscription ends up: there, or forwarded on."""
        if message.state is not MessageState.ACTIVE:
            return [(entity, message)]
        if entity.requires_session and message.session_id is None:
            description = "Session enabled entity doesn't allow a message whose session identifier is null."
            return self._refuse(entity, message, SESSION_ID_IS_NULL, description)
        if entity.forward_to is None:
            return [(entity, message)]
        if hops >= MAX_HOPS:
            description = f"The message was forwarded more than {MAX_HOPS} times."
            return self._refuse(entity, message, MAX_HOPS_EXCEEDED, description)
        destination = self._entities[entity.forward_to]
        forwarded = dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self._next_sequence(destination),
            time_to_live=min(message.time_to_live, destination.default_ttl),
        )
        if destination.kind is EntityKind.TOPIC:
            return self._fan_out(destination, forwarded, hops + 1)
        return self._arrive(destination, forwarded, hops + 1)

    def _refuse(
        self, entity: _Entity, message: BrokerMessage, reason: str, description: str
    ) -> list[tuple[_Entity, BrokerMessage]]:
        """A message that arrives dead: into the entity's dead-letter queue, or where those are forwarded."""
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        message.dead_letter_source = entity.path
        if entity.forward_dead_letters_to is not None:
            destination = self._entities[entity.forward_dead_letters_to]
            return self._arrive(destination, self._moved(destination, message))
        message.state = MessageState.DEAD_LETTERED
        return [(entity, message)]

    def _moved(self, destination: _Entity, message: BrokerMessage) -> BrokerMessage:
        """A dead-lettered message as ForwardDeadLetteredMessagesTo delivers it: active, reason kept."""
        return dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self._next_sequence(destination),
            state=MessageState.ACTIVE,
            delivery_count=0,
            lock_token=None,
            locked_until=None,
            enqueued_time=self._clock.now(),
            time_to_live=destination.default_ttl,
            scheduled_enqueue_time=None,
            application_properties=dict(message.application_properties),
        )

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

    # ----------------------------------------------------------------- rules

    def _subscription(self, target: Target) -> _Entity:
        entity = self._entity(target)
        if entity.kind is not EntityKind.SUBSCRIPTION:
            raise InvalidOperationError(
                f"'{entity.path}' is not a subscription; only subscriptions have rules"
            )
        return entity

    def rules(self, target: Target) -> tuple[Rule, ...]:
        return self._subscription(target).rules

    def add_rule(self, target: Target, rule: Rule) -> None:
        """Add a rule at run time (kept in memory: a restart goes back to the config's rules)."""
        entity = self._subscription(target)
        if any(existing.name.casefold() == rule.name.casefold() for existing in entity.rules):
            raise EntityAlreadyExistsError(f"The rule '{rule.name}' already exists on '{entity.path}'.")
        entity.rules = (*entity.rules, rule)
        log.info("rule added", extra={"entity": entity.path, "rule": rule.name})

    def remove_rule(self, target: Target, name: str) -> None:
        entity = self._subscription(target)
        kept = tuple(rule for rule in entity.rules if rule.name.casefold() != name.casefold())
        if len(kept) == len(entity.rules):
            raise EntityNotFoundError(f"{entity.path}/Rules/{name}")
        entity.rules = kept
        log.info("rule removed", extra={"entity": entity.path, "rule": name})

    # ----------------------------------------------------------------- receiving

    def take(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """Up to ``max_count`` messages available now, in sequence order; never waits.

        Peek-lock: each returned message is locked (``lock_token``, ``locked_until``). Receive-and-delete:
        each is removed. The returned records are copies, safe to keep.
        """
        entity = self._receivable(target)
        if entity.requires_session and target.sub_queue is SubQueue.MAIN:
            raise InvalidOperationError(
                f"'{entity.path}' requires sessions: it is not possible to receive from it without "
                "accepting a session"
            )
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
        # A session receiver finds its messages by session (`take_session`), not through the heap.
        if not (entity.requires_session and sub_queue is SubQueue.MAIN):
            heapq.heappush(entity.ready[sub_queue], message.sequence_number)
        self._wake(entity, sub_queue)

    @staticmethod
    def _wake(entity: _Entity, sub_queue: SubQueue) -> None:
        for waiter in entity.waiters[sub_queue]:
            if not waiter.done():
                waiter.set_result(None)

    def _lock(self, entity: _Entity, message: BrokerMessage, now: float, until: float | None = None) -> None:
        message.lock_token = uuid.uuid4()
        message.locked_until = now + entity.lock_duration if until is None else until
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

    def peek(
        self, target: Target, from_sequence_number: int, count: int, session_id: str | None = None
    ) -> list[BrokerMessage]:
        """Messages from a sequence number on, without locking (locked, deferred and scheduled included),
        only those of ``session_id`` when given (a session receiver peeks its session)."""
        entity = self._entity(target)
        self.process_due()
        found = sorted(
            (
                m
                for seq, m in entity.messages.items()
                if seq >= from_sequence_number
                and _sub_queue_of(m) is target.sub_queue
                and (session_id is None or m.session_id == session_id)
            ),
            key=lambda m: m.sequence_number,
        )
        return [_snapshot(m) for m in found[: max(count, 0)]]

    # ----------------------------------------------------------------- sessions

    def requires_session(self, target: Target) -> bool:
        """Whether receiving from ``target`` needs a session (the main queue of a session-enabled entity)."""
        entity = self._entity(target)
        return entity.requires_session and target.sub_queue is SubQueue.MAIN

    def _session_entity(self, target: Target) -> _Entity:
        entity = self._receivable(target)
        if not (entity.requires_session and target.sub_queue is SubQueue.MAIN):
            raise InvalidOperationError(
                f"'{target.address}' does not require sessions; it cannot be received from with a session"
            )
        return entity

    def accept_session(
        self, target: Target, session_id: str | None, owner: object
    ) -> tuple[str, float] | None:
        """Lock a session for ``owner``; returns its id and locked-until time.

        A named session can be accepted whether or not it holds messages (as in Azure); another owner's
        unexpired lock raises SessionCannotBeLockedError. With ``session_id`` None, the session of the
        oldest available message whose session nobody holds is taken, or None is returned when there is
        none (wait with `wait_session_change` and ask again).
        """
        entity = self._session_entity(target)
        now = self._clock.now()
        self.process_due(now)
        if session_id is None:
            session_id = self._next_session(entity)
            if session_id is None:
                return None
        else:
            held = entity.session_locks.get(session_id)
            if held is not None and held.owner is not owner:
                raise SessionCannotBeLockedError(
                    f"The requested session '{session_id}' cannot be accepted. "
                    "It may be locked by another receiver."
                )
        lock = _SessionLock(owner, now + entity.lock_duration)
        entity.session_locks[session_id] = lock
        self._arm_session(entity, session_id, lock.locked_until)
        log.info("session accepted", extra={"entity": entity.path, "session_id": session_id})
        return session_id, lock.locked_until

    def _next_session(self, entity: _Entity) -> str | None:
        for seq in sorted(entity.messages):
            message = entity.messages[seq]
            if (
                message.session_id is not None
                and message.session_id not in entity.session_locks
                and self._is_ready(message, SubQueue.MAIN)
            ):
                return message.session_id
        return None

    def _session_lock(self, entity: _Entity, session_id: str, owner: object | None = None) -> _SessionLock:
        lock = entity.session_locks.get(session_id)
        if lock is not None and lock.locked_until <= self._clock.now():
            self._submit(self._end_session(entity, session_id))
            lock = None
        if lock is None or (owner is not None and lock.owner is not owner):
            raise SessionLockLostError(_session_lost(session_id))
        return lock

    def take_session(
        self, target: Target, session_id: str, owner: object, mode: ReceiveMode, max_count: int
    ) -> list[BrokerMessage]:
        """Like `take`, for the holder of a session: its available messages in sequence order (FIFO).

        In peek-lock mode each message's lock lasts as long as the session lock. SessionLockLostError
        when ``owner`` no longer holds the session.
        """
        entity = self._session_entity(target)
        now = self._clock.now()
        self.process_due(now)
        lock = self._session_lock(entity, session_id, owner)
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        for seq in sorted(entity.messages):
            if len(taken) >= max_count:
                break
            message = entity.messages.get(seq)
            if (
                message is None
                or message.session_id != session_id
                or not self._is_ready(message, SubQueue.MAIN)
            ):
                continue
            if message.expires_at <= now:
                ops.extend(self._expire(entity, message))
                continue
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now, until=lock.locked_until)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        self._submit(ops)
        return taken

    async def wait_session_change(self, target: Target) -> None:
        """Return at the next change that may give a session receiver something: a message becoming
        available or a session lock ending (bound it with `asyncio.timeout`)."""
        entity = self._session_entity(target)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = entity.waiters[SubQueue.MAIN]
        waiters.add(waiter)
        try:
            await waiter
        finally:
            waiters.discard(waiter)

    async def renew_session_lock(self, target: Target, session_id: str) -> float:
        """Extend the session lock (and the locks of its received messages) by LockDuration from now."""
        entity = self._session_entity(target)
        lock = self._session_lock(entity, session_id)
        lock.locked_until = self._clock.now() + entity.lock_duration
        self._arm_session(entity, session_id, lock.locked_until)
        ops: list[StoreOp] = []
        for message in entity.messages.values():
            if message.session_id == session_id and message.lock_token is not None:
                message.locked_until = lock.locked_until
                self._arm(entity, message)
                ops.append(UpdateMessage(_snapshot(message)))
        await self._commit(ops)
        return lock.locked_until

    def session_state(self, target: Target, session_id: str) -> bytes | None:
        """The state of a session the caller holds (None when never set)."""
        entity = self._session_entity(target)
        self._session_lock(entity, session_id)
        return entity.session_states.get(session_id)

    async def set_session_state(self, target: Target, session_id: str, state: bytes | None) -> None:
        """Set (None: clear) the state of a session the caller holds; durable with a data directory."""
        entity = self._session_entity(target)
        self._session_lock(entity, session_id)
        if state is None:
            entity.session_states.pop(session_id, None)
        else:
            entity.session_states[session_id] = state
        await self._commit([PutSessionState(entity.key, session_id, state)])

    async def release_session(self, target: Target, session_id: str, owner: object) -> None:
        """The holder went away: free the session and give back its unsettled messages."""
        entity = self._entities.get(target.key)
        if entity is None:
            return
        lock = entity.session_locks.get(session_id)
        if lock is None or lock.owner is not owner:
            return
        log.info("session released", extra={"entity": entity.path, "session_id": session_id})
        await self._commit(self._end_session(entity, session_id))

    def _end_session(self, entity: _Entity, session_id: str) -> list[StoreOp]:
        entity.session_locks.pop(session_id, None)
        ops: list[StoreOp] = []
        for message in list(entity.messages.values()):
            if (
                message.session_id == session_id
                and message.lock_token is not None
                and _sub_queue_of(message) is SubQueue.MAIN
            ):
                ops.extend(self._lock_lost(entity, message))
        self._wake(entity, SubQueue.MAIN)
        return ops

    def _arm_session(self, entity: _Entity, session_id: str, due: float) -> None:
        earliest = self._session_timers[0][0] if self._session_timers else math.inf
        heapq.heappush(self._session_timers, (due, entity.key, session_id))
        if due < earliest:
            self._wakeup.set()

    def sessions(self, target: Target) -> list[SessionInfo]:
        """The sessions of a session-enabled entity that hold messages, a lock or state."""
        entity = self._entity(target)
        if not entity.requires_session:
            return []
        self.process_due()
        counts: dict[str, int] = {}
        for message in entity.messages.values():
            if message.session_id is not None and _sub_queue_of(message) is SubQueue.MAIN:
                counts[message.session_id] = counts.get(message.session_id, 0) + 1
        names = sorted({*counts, *entity.session_locks, *entity.session_states})
        return [
            SessionInfo(
                session_id=name,
                messages=counts.get(name, 0),
                locked_until=lock.locked_until if (lock := entity.session_locks.get(name)) else None,
                has_state=name in entity.session_states,
            )
            for name in names
        ]

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
            if entity.requires_session and message.session_id is not None:
                raise SessionLockLostError(_session_lost(message.session_id))
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
        log.info(
            "message dead-lettered",
            extra={"entity": entity.path, "sequence_number": message.sequence_number, "reason": reason},
        )
        if entity.forward_dead_letters_to is None:
            self._make_ready(entity, message)
            return [UpdateMessage(_snapshot(message))]
        del entity.messages[message.sequence_number]
        destination = self._entities[entity.forward_dead_letters_to]
        moved = self._moved(destination, message)
        arrived = (
            self._fan_out(destination, moved)
            if destination.kind is EntityKind.TOPIC
            else self._arrive(destination, moved)
        )
        return [
            DeleteMessage(entity.key, message.sequence_number),
            *self._place(arrived),
            *self._sequence_ops(),
        ]

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
        while self._session_timers and self._session_timers[0][0] <= now:
            _, key, session_id = heapq.heappop(self._session_timers)
            entity = self._entities[key]
            lock = entity.session_locks.get(session_id)
            if lock is not None and lock.locked_until <= now:
                log.info("session lock expired", extra={"entity": entity.path, "session_id": session_id})
                ops.extend(self._end_session(entity, session_id))
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
        message.state = MessageState.ACTIVE
        if entity.kind is EntityKind.TOPIC:
            del entity.messages[message.sequence_number]
            arrived = self._fan_out(entity, message)
        elif entity.forward_to is not None:
            del entity.messages[message.sequence_number]
            arrived = self._arrive(entity, message)
        else:
            self._make_ready(entity, message)
            self._arm(entity, message)
            return [UpdateMessage(_snapshot(message))]
        ops: list[StoreOp] = [DeleteMessage(entity.key, message.sequence_number)]
        return [*ops, *self._place(arrived), *self._sequence_ops()]

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
