"""`Journal`: the provider's one way to its store, for reading what was kept and for writing changes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from servicebus_emulator.store.base import Snapshot, Store, StoreOp

log = logging.getLogger(__package__)


def _log_store_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("store write failed", exc_info=future.exception())


@dataclass(frozen=True, slots=True, eq=False)
class Journal:
    """Hands changes to the store, either without waiting (`submit`) or until durable (`commit`)."""

    store: Store

    def load(self) -> Snapshot:
        return self.store.load()

    def submit(self, ops: Sequence[StoreOp]) -> None:
        """Hand ops to the store without waiting for durability (ordering is still preserved)."""
        if ops:
            self.store.submit(ops).add_done_callback(_log_store_failure)

    async def commit(
        self,
        ops: Sequence[StoreOp],
        on_success: Callable[[], None] | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """Write ``ops`` and wait until durable. The callbacks run even if the caller is cancelled meanwhile,
        so memory and store agree whatever happens to the caller."""
        future = self.store.submit(ops)

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

    async def close(self) -> None:
        await self.store.close()
