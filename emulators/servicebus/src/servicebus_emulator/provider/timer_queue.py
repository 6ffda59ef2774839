"""`TimerQueue`: the instants at which a message or a session lock may change by itself, earliest first."""

from __future__ import annotations

import asyncio
import heapq
import math

from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.provider.records import Entity


class TimerQueue:
    """Timer heaps for messages (scheduled, locked, expiring) and session locks. Whoever waits on it (the
    timer task) is woken when an instant earlier than all the others is added."""

    def __init__(self) -> None:
        self._messages: list[tuple[float, str, int]] = []
        self._sessions: list[tuple[float, str, str]] = []
        self._earlier = asyncio.Event()

    def arm(self, entity: Entity, message: BrokerMessage) -> None:
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
        earliest = self._messages[0][0] if self._messages else math.inf
        heapq.heappush(self._messages, (due, entity.key, message.sequence_number))
        if due < earliest:
            self._earlier.set()

    def arm_session(self, entity: Entity, session_id: str, due: float) -> None:
        earliest = self._sessions[0][0] if self._sessions else math.inf
        heapq.heappush(self._sessions, (due, entity.key, session_id))
        if due < earliest:
            self._earlier.set()

    def pop_due_session(self, now: float) -> tuple[str, str] | None:
        """(entity key, session id) of the earliest session timer due by ``now``, removed; None if none."""
        if self._sessions and self._sessions[0][0] <= now:
            _, key, session_id = heapq.heappop(self._sessions)
            return key, session_id
        return None

    def pop_due_message(self, now: float) -> tuple[str, int] | None:
        """(entity key, sequence number) of the earliest message timer due by ``now``, removed; None if
        none."""
        if self._messages and self._messages[0][0] <= now:
            _, key, seq = heapq.heappop(self._messages)
            return key, seq
        return None

    def next_due(self) -> float:
        return min(
            self._messages[0][0] if self._messages else math.inf,
            self._sessions[0][0] if self._sessions else math.inf,
        )

    async def earlier_armed(self) -> None:
        """Return once an instant earlier than all others is armed after this call (bound it with
        `asyncio.timeout`)."""
        self._earlier.clear()
        await self._earlier.wait()
