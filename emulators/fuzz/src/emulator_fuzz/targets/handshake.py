"""A real `amqp_core` Connection fed fuzzed bytes: protocol header, SASL, open, then any frames.

The first input byte picks what precedes the fuzzed bytes, so the fuzzer reaches every layer:

- 0: nothing (the fuzzed bytes are the protocol header too)
- 1: the SASL header
- 2: the AMQP header
- 3: SASL header, ANONYMOUS sasl-init, AMQP header
- 4: AMQP header, open, begin (the fuzzed bytes are session and link traffic)

Documented behaviour: the connection closes the stream on bad input (a close frame with a condition
where the stream allows one) and never raises, logs an internal failure, or takes longer than
`TIME_LIMIT_S` on input that is already all there.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from amqp_core.application import Application, LinkHandler
from amqp_core.codec import DecodeError
from amqp_core.connection import Connection, Settings
from amqp_core.errors import Condition, LinkError
from amqp_core.framing import AMQP_HEADER, FRAME_AMQP, FRAME_SASL, SASL_HEADER, encode_frame
from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingLink
from amqp_core.message import decode_message
from amqp_core.performatives import Begin, Open, SaslInit
from amqp_core.sasl import Credentials
from amqp_core.types import Symbol

from emulator_fuzz.errors import FuzzFindingError
from emulator_fuzz.memory_stream import memory_stream

TIME_LIMIT_S = 2.0
SETTINGS = Settings(
    container_id="fuzz",
    max_frame_size=65_536,
    idle_time_out_ms=None,
    handshake_timeout=0.5,
    close_timeout=0.05,
)
_SASL_INIT = encode_frame(FRAME_SASL, 0, SaslInit(mechanism=Symbol("ANONYMOUS")))
_OPEN = encode_frame(FRAME_AMQP, 0, Open(container_id="client", max_frame_size=65_536))
_BEGIN = encode_frame(FRAME_AMQP, 0, Begin(next_outgoing_id=0, incoming_window=5000, outgoing_window=5000))
PREFIXES: tuple[bytes, ...] = (
    b"",
    SASL_HEADER,
    AMQP_HEADER,
    SASL_HEADER + _SASL_INIT + AMQP_HEADER,
    AMQP_HEADER + _OPEN + _BEGIN,
)


class _Node(LinkHandler):
    """Accepts what is sent to it when it decodes as a message, and sends one message per credit."""

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        try:
            decode_message(delivery.payload)
        except DecodeError as exc:
            raise LinkError(Condition.DECODE_ERROR, str(exc)) from exc
        delivery.settle_accepted()

    async def on_credit(self, link: OutgoingLink) -> None:
        if link.credit > 0:
            link.send(b"\x00\x53\x75\xa0\x01x", tag=uuid.uuid4().bytes)


class _Application(Application):
    async def authenticate(self, credentials: Credentials) -> bool:
        # pragma: allowlist nextline secret (the one password this test server refuses)
        return credentials.password != "refused"

    async def on_link_attach(self, link: Link) -> LinkHandler:
        if link.address and "missing" in link.address:
            raise LinkError(Condition.NOT_FOUND, link.address)
        return _Node()


class _FailureLog(logging.Handler):
    """Keeps the exceptions the core logged as failures (it catches them to keep serving)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.failures.append(record.exc_info[1])


@contextmanager
def _failures_logged() -> Iterator[_FailureLog]:
    handler = _FailureLog()
    core = logging.getLogger("amqp_core")
    core.addHandler(handler)
    try:
        yield handler
    finally:
        core.removeHandler(handler)


async def _serve(data: bytes) -> bytes:
    reader, writer, transport = memory_stream(data)
    connection = Connection(reader, writer, _Application(), SETTINGS)
    try:
        async with asyncio.timeout(TIME_LIMIT_S):
            await connection.run()
    except TimeoutError:
        raise FuzzFindingError(f"connection still running after {TIME_LIMIT_S} s of complete input") from None
    return bytes(transport.written)


_LOOP: asyncio.AbstractEventLoop | None = None


def _loop() -> asyncio.AbstractEventLoop:
    # One loop for every input: a new loop per input would cost more than most inputs.
    global _LOOP
    if _LOOP is None or _LOOP.is_closed():
        _LOOP = asyncio.new_event_loop()
    return _LOOP


def handshake_target(data: bytes) -> None:
    if not data:
        return
    stream = PREFIXES[data[0] % len(PREFIXES)] + data[1:]
    loop = _loop()
    with _failures_logged() as log:
        written = loop.run_until_complete(_serve(stream))
    if log.failures:
        raise log.failures[0]
    if written and not written.startswith((AMQP_HEADER, SASL_HEADER)):
        raise FuzzFindingError(f"the server answered without a protocol header: {written[:16].hex()}")
