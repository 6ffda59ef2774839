"""Provider throughput, in memory and on SQLite: ``python emulators/servicebus/bench/bench_provider.py``.

Prints messages per second for sends (one message per send, several concurrent senders, as the AMQP
layer drives it) and for peek-lock receive + complete. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from servicebus_emulator.model import IncomingMessage, NamespaceSettings, QueueSettings, ReceiveMode
from servicebus_emulator.provider import ServiceBusProvider
from servicebus_emulator.store import MemoryStore, SqliteStore, Store


async def run(store: Store, messages: int, senders: int, body_size: int) -> tuple[float, float]:
    settings = NamespaceSettings("bench", queues=(QueueSettings("q", requires_duplicate_detection=True),))
    provider = ServiceBusProvider(settings, store)
    queue = provider.resolve("q")
    body = b"x" * body_size

    async def sender(start: int) -> None:
        for i in range(start, messages, senders):
            await provider.send(queue, [IncomingMessage(body, message_id=f"m{i}")])

    began = time.perf_counter()
    await asyncio.gather(*(sender(s) for s in range(senders)))
    send_rate = messages / (time.perf_counter() - began)

    began = time.perf_counter()
    done = 0
    while done < messages:
        batch = provider.take(queue, ReceiveMode.PEEK_LOCK, 100)
        await asyncio.gather(*(provider.complete(m.lock_token) for m in batch if m.lock_token))
        done += len(batch)
    settle_rate = messages / (time.perf_counter() - began)
    await provider.close()
    return send_rate, settle_rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--body-size", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        stores: dict[str, Store] = {"memory": MemoryStore(), "sqlite": SqliteStore(Path(directory))}
        for name, store in stores.items():
            send_rate, settle_rate = await run(store, args.messages, args.senders, args.body_size)
            print(
                f"{name:7} {args.messages} msgs x {args.body_size} B, {args.senders} senders: "
                f"send {send_rate:,.0f} msg/s, receive+complete {settle_rate:,.0f} msg/s"
            )


if __name__ == "__main__":
    asyncio.run(main())
