"""The default store: nothing survives a restart, every change is "durable" at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from servicebus_emulator.store.base import Snapshot, StoreOp


class MemoryStore:
    def load(self) -> Snapshot:
        return Snapshot()

    def submit(self, ops: Sequence[StoreOp]) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def close(self) -> None:
        return None
