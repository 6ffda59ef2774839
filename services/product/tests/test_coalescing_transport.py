"""The server's write coalescing over a real socket pair and the event loop's own socket transport: what
is written within one turn of the loop leaves together once the turn ends, closing sends what is held,
aborting drops it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from product_service.server import CoalescingTransport


@pytest.fixture
async def ends() -> AsyncIterator[tuple[CoalescingTransport, socket.socket]]:
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    try:
        yield CoalescingTransport(transport, loop), peer
    finally:
        transport.abort()
        peer.close()


def _pending(peer: socket.socket) -> bytes:
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


async def test_writes_of_one_turn_leave_together_after_it(ends: tuple[CoalescingTransport, socket.socket]):
    transport, peer = ends
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(memoryview(b"ok"))
    during_the_turn = _pending(peer)
    await asyncio.sleep(0)
    await asyncio.sleep(0)

    assert during_the_turn == b""
    assert _pending(peer) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


async def test_close_sends_what_is_held_first(ends: tuple[CoalescingTransport, socket.socket]):
    transport, peer = ends
    transport.write(b"HTTP/1.1 413 Payload Too Large\r\n\r\n")
    transport.close()
    await asyncio.sleep(0.05)

    assert _pending(peer) == b"HTTP/1.1 413 Payload Too Large\r\n\r\n"
    assert _pending(peer) == b""  # then the end of the stream
    assert transport.is_closing()


async def test_abort_drops_what_is_held(ends: tuple[CoalescingTransport, socket.socket]):
    transport, peer = ends
    transport.write(b"never sent")
    transport.abort()
    await asyncio.sleep(0.05)

    assert _pending(peer) == b""
