"""Hostile raw-socket clients: random, truncated, oversized and slow (one byte a second) frames.

Each abuser loops until its deadline: it connects, misbehaves, and connects again once the emulator
hangs up. What they send is built from the real protocol so it gets past the first checks: a valid
protocol header, then frames that are garbage, cut short, larger than any frame may be, or dribbled.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from amqp_core.framing import AMQP_HEADER, FRAME_AMQP, SASL_HEADER, encode_frame
from amqp_core.performatives import Begin, Open

_OPEN = encode_frame(FRAME_AMQP, 0, Open(container_id="abuser", max_frame_size=65_536))
_BEGIN = encode_frame(FRAME_AMQP, 0, Begin(next_outgoing_id=0, incoming_window=100, outgoing_window=100))
OVERSIZED_BYTES = 4 << 20


class AbuseStats:
    """Connections made per kind of abuse, and how many the emulator refused outright."""

    def __init__(self) -> None:
        self.connections: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()


async def _session(port: int, kind: str, stats: AbuseStats, act: Callable[..., Awaitable[None]]) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        stats.refused[kind] += 1
        await asyncio.sleep(0.05)
        return
    stats.connections[kind] += 1
    drain = asyncio.create_task(_discard(reader))
    try:
        with contextlib.suppress(OSError):
            await act(writer, drain)
    finally:
        drain.cancel()
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _discard(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(OSError):
        while await reader.read(65_536):
            pass


def _random_frames(rng: random.Random) -> bytes:
    """A protocol header (or not), then frames with sane sizes and random bodies."""
    out = bytearray(rng.choice((AMQP_HEADER, SASL_HEADER, AMQP_HEADER + _OPEN, b"")))
    for _ in range(rng.randint(1, 8)):
        body = rng.randbytes(rng.randint(0, 300))
        out += struct.pack(">IBBH", 8 + len(body), 2, rng.choice((0, 1)), rng.randint(0, 3)) + body
    return bytes(out)


async def random_abuser(port: int, stats: AbuseStats, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()

    async def act(writer: asyncio.StreamWriter, drain: asyncio.Task[None]) -> None:
        writer.write(_random_frames(rng) if rng.random() < 0.8 else rng.randbytes(rng.randint(1, 2000)))
        await writer.drain()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(drain), 0.5)

    while loop.time() < deadline:
        await _session(port, "random", stats, act)


async def truncated_abuser(port: int, stats: AbuseStats, deadline: float, seed: int) -> None:
    """A valid stream (header, open, begin) cut at a random byte, then hang up."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    whole = AMQP_HEADER + _OPEN + _BEGIN

    async def act(writer: asyncio.StreamWriter, _drain: asyncio.Task[None]) -> None:
        writer.write(whole[: rng.randint(1, len(whole) - 1)])
        await writer.drain()
        await asyncio.sleep(0.05)

    while loop.time() < deadline:
        await _session(port, "truncated", stats, act)


async def oversized_abuser(port: int, stats: AbuseStats, deadline: float, seed: int) -> None:
    """Frame headers announcing up to 4 GiB, followed by megabytes of body; and huge open frames."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    junk = rng.randbytes(OVERSIZED_BYTES)

    async def act(writer: asyncio.StreamWriter, drain: asyncio.Task[None]) -> None:
        size = rng.choice((0xFFFF_FFFF, 65_537, 1 << 24, 1 << 20))
        prefix = rng.choice((AMQP_HEADER, AMQP_HEADER + _OPEN, SASL_HEADER))
        writer.write(prefix + struct.pack(">IBBH", size, 2, 0, 0) + junk)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(writer.drain(), 1.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(drain), 0.5)

    while loop.time() < deadline:
        await _session(port, "oversized", stats, act)


async def slow_abuser(port: int, stats: AbuseStats, deadline: float, seed: int) -> None:
    """Slow loris: a valid header and open, one byte a second, for as long as the emulator listens."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    stream = AMQP_HEADER + _OPEN + _BEGIN

    async def act(writer: asyncio.StreamWriter, drain: asyncio.Task[None]) -> None:
        await asyncio.sleep(rng.random())
        for byte in stream:
            if loop.time() >= deadline or drain.done():
                return
            writer.write(bytes((byte,)))
            await writer.drain()
            await asyncio.sleep(1.0)

    while loop.time() < deadline:
        await _session(port, "slow", stats, act)


ABUSERS: dict[str, Callable[[int, AbuseStats, float, int], Coroutine[Any, Any, None]]] = {
    "random": random_abuser,
    "truncated": truncated_abuser,
    "oversized": oversized_abuser,
    "slow": slow_abuser,
}


async def _abuse_all(ports: tuple[int, ...], seconds: float, abusers: dict[str, int]) -> AbuseStats:
    stats = AbuseStats()
    deadline = asyncio.get_running_loop().time() + seconds
    tasks = [
        asyncio.create_task(ABUSERS[kind](port, stats, deadline, index))
        for port in ports
        for kind, count in abusers.items()
        for index in range(count)
    ]
    await asyncio.gather(*tasks)
    return stats


def run_abusers(ports: tuple[int, ...], seconds: float, abusers: dict[str, int]) -> AbuseStats:
    """Every abuser against every port for ``seconds`` (run in a process of its own by `abuse`)."""
    return asyncio.run(_abuse_all(ports, seconds, abusers))
