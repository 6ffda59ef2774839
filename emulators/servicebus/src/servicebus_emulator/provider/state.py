"""The state every part of the provider shares, entity lookup, and the hand-off to the store.

The provider is one class assembled from layers, one module each (see `servicebus_emulator.provider`):
each layer subclasses the layer whose methods it calls, and `_State` at the bottom owns every attribute.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence

from emulator_common.clock import Clock, SystemClock

from servicebus_emulator.errors import EntityNotFoundError, InvalidOperationError
from servicebus_emulator.model import EntityKind, NamespaceSettings
from servicebus_emulator.provider.entities import Target, _Entity
from servicebus_emulator.store.base import Store, StoreOp

# Every part logs under the package's name, so log filters and levels set for the provider cover all.
log = logging.getLogger(__package__)


def _log_store_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("store write failed", exc_info=future.exception())


class _State:
    """Attributes shared by all layers; entity lookup; store plumbing."""

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
