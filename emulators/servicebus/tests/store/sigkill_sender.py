"""Sends through a SQLite-backed provider until killed, printing each acknowledged operation.

Run as ``python sigkill_sender.py DATA_DIR``. Lines: ``S <index> <sequence number>`` once a send is
acknowledged, ``C <sequence number>`` once a complete is acknowledged. Bodies are derived from the index
so the reader can check them after a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from pathlib import Path

from servicebus_emulator.model import IncomingMessage, NamespaceSettings, QueueSettings, ReceiveMode
from servicebus_emulator.provider import ServiceBusProvider
from servicebus_emulator.store import SqliteStore

SENDERS = 4


def body(index: int) -> bytes:
    return hashlib.sha256(str(index).encode()).digest() * 32


def settings() -> NamespaceSettings:
    orders = QueueSettings("orders", requires_duplicate_detection=True, duplicate_detection_window=600)
    return NamespaceSettings("sbemulatorns", queues=(orders,))


async def sender(provider: ServiceBusProvider, start: int) -> None:
    orders = provider.resolve("orders")
    index = start
    while True:
        message = IncomingMessage(body(index), message_id=f"m{index}", application_properties={"i": index})
        [result] = await provider.send(orders, [message])
        print(f"S {index} {result.sequence_number}", flush=True)
        if index % 5 == 0:
            for taken in provider.take(orders, ReceiveMode.PEEK_LOCK, 1):
                assert taken.lock_token is not None
                await provider.complete(taken.lock_token)
                print(f"C {taken.sequence_number}", flush=True)
        index += SENDERS


async def main(data_dir: Path) -> None:
    provider = ServiceBusProvider(settings(), SqliteStore(data_dir))
    await asyncio.gather(*(sender(provider, start) for start in range(SENDERS)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
