"""One client connection: protocol headers, SASL, open/close, sessions, heartbeats.

The connection runs one reader task that reads a frame, dispatches it (awaiting the application's
callbacks) and reads the next. Writes are buffered on the transport and may come from any task of the
event loop. Anything malformed from the client (a bad header, a garbage or oversize frame, a value that
does not decode) closes this connection, with a close frame carrying the condition where the stream
still allows one, and never touches another connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import heapq
import itertools
import logging
import socket
from collections.abc import Coroutine
from typing import Any, Protocol

from amqp_core.codec import DecodeError
from amqp_core.errors import AmqpConditionError, AmqpConnectionError, Condition
from amqp_core.framing import (
    AMQP_HEADER,
    FRAME_AMQP,
    FRAME_SASL,
    HEADER_SIZE,
    SASL_HEADER,
    Frame,
    FramingError,
    decode_frame_body,
    encode_frame,
    parse_frame_header,
)
from amqp_core.link import Link, LinkHandler
from amqp_core.performatives import (
    SASL_OK,
    AmqpError,
    Begin,
    Close,
    Open,
    Performative,
    SaslInit,
)
from amqp_core.sasl import ANONYMOUS, PLAIN, Credentials, SaslNegotiation
from amqp_core.session import Session

__all__ = ["Connection", "ConnectionApplication", "ConnectionState", "Settings"]

_LOG = logging.getLogger("amqp_core.connection")
_IDS = itertools.count(1)
_WRITE_HIGH_WATER = 1 << 20
_READ_CHUNK = 1 << 16


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the server announces and enforces on every connection."""

    container_id: str = "amqp-core"
    max_frame_size: int = 65_536
    channel_max: int = 0xFFFF
    handle_max: int = 0xFFFF_FFFF
    # Our idle time-out: a client silent for this long is closed (None: never).
    idle_time_out_ms: int | None = 240_000
    session_incoming_window: int = 5_000
    sasl_mechanisms: tuple[str, ...] = (PLAIN, ANONYMOUS)
    handshake_timeout: float = 30.0
    close_timeout: float = 5.0
    properties: dict[str, Any] | None = None


class ConnectionApplication(Protocol):
    """The callbacks a connection makes (subclass :class:`amqp_core.application.Application`)."""

    async def authenticate(self, credentials: Credentials) -> bool: ...

    async def on_connection_open(self, connection: Connection) -> None: ...

    async def on_link_attach(self, link: Link) -> LinkHandler: ...

    async def on_connection_close(self, connection: Connection, error: AmqpError | None) -> None: ...


class ConnectionState(enum.Enum):
    START = "start"
    SASL = "sasl"
    HDR_EXCH = "hdr-exch"
    OPENED = "opened"
    CLOSE_SENT = "close-sent"
    END = "end"


class _DroppedError(Exception):
    """The client went away or stopped talking; nothing more can be sent."""


class Connection:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        application: ConnectionApplication,
        settings: Settings,
    ) -> None:
        self.id = f"c{next(_IDS)}"
        self.application = application
        self.settings = settings
        self.state = ConnectionState.START
        self.remote_open: Open | None = None
        self.credentials: Credentials | None = None
        self.remote_max_frame_size = 512
        self.remote_idle_time_out_ms: int | None = None
        self.sessions_by_remote: dict[int, Session] = {}
        self.sessions_by_local: dict[int, Session] = {}
        # Channels freed by ended sessions (a heap), so a begin never scans the channels in use: a client
        # opening thousands of sessions must not cost the event loop time that grows with their square.
        self._free_channels: list[int] = []
        self._next_channel = 0
        # Free for the application: objects scoped to this connection (request/response nodes ...).
        self.scoped: dict[Any, Any] = {}
        self._reader = reader
        self._inbox = bytearray()
        self._outbox: list[bytes] = []
        self._writer = writer
        self._loop = asyncio.get_running_loop()
        self._last_write = self._loop.time()
        self._open_sent = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._abort_task: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        sock = writer.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ------------------------------------------------------------------------------------ plumbing

    def _set_state(self, state: ConnectionState) -> None:
        _LOG.debug(
            "connection state", extra={"connection": self.id, "from": self.state.value, "to": state.value}
        )
        self.state = state

    def write(self, data: bytes) -> None:
        """Queue ``data``; what is written during one turn of the event loop goes out in one write.

        The frames one read or one group commit gives rise to (transfers, dispositions, flows) share a
        system call, and the peer reads them together, instead of one ``send`` and one wake-up each.
        """
        if self._writer.is_closing():
            return
        if not self._outbox:
            self._loop.call_soon(self._flush_writes)
        self._outbox.append(data)
        self._last_write = self._loop.time()

    def _flush_writes(self) -> None:
        outbox = self._outbox
        if not outbox:
            return
        data = outbox[0] if len(outbox) == 1 else b"".join(outbox)
        outbox.clear()
        if not self._writer.is_closing():
            self._writer.write(data)

    def send_frame(self, channel: int, body: Performative | None, payload: bytes = b"") -> None:
        if self.state in (ConnectionState.OPENED, ConnectionState.CLOSE_SENT) or isinstance(
            body, Open | Close
        ):
            self.write(encode_frame(FRAME_AMQP, channel, body, payload))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run follow-up work (a detach notification ...) outside the current callback."""
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def forget_session(self, session: Session) -> None:
        if self.sessions_by_local.pop(session.local_channel, None) is not None:
            heapq.heappush(self._free_channels, session.local_channel)
        if self.sessions_by_remote.get(session.remote_channel) is session:
            self.sessions_by_remote.pop(session.remote_channel, None)

    @property
    def closed(self) -> asyncio.Event:
        """Set once the connection is fully torn down."""
        return self._closed

    # ---------------------------------------------------------------------------------- lifecycle

    async def run(self) -> None:
        """Serve the connection until it closes; never raises for anything the client does."""
        error: AmqpError | None = None
        heartbeat: asyncio.Task[None] | None = None
        try:
            if await self._handshake():
                heartbeat = self._loop.create_task(self._heartbeat())
                await self._read_frames()
        except AmqpConditionError as exc:
            error = exc.to_error()
            await self._fail(error)
        except FramingError as exc:
            error = AmqpError(condition=Condition.FRAMING_ERROR, description=str(exc))
            await self._fail(error)
        except DecodeError as exc:
            error = AmqpError(condition=Condition.DECODE_ERROR, description=str(exc))
            await self._fail(error)
        except (_DroppedError, asyncio.IncompleteReadError, OSError):
            error = AmqpError(condition=Condition.CONNECTION_FORCED, description="connection lost")
        except Exception:
            _LOG.exception("connection failed", extra={"connection": self.id})
            error = AmqpError(condition=Condition.INTERNAL_ERROR, description="internal error")
            await self._fail(error)
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
            await self._teardown(error)

    async def _read_exactly(self, size: int, wait_s: float | None) -> bytes:
        """The next ``size`` bytes, which must all arrive within ``wait_s`` seconds.

        Reads land in ``_inbox`` in chunks, so the frames that arrived together are cut from it without
        waiting: a timer is armed only when bytes are missing, not twice per frame (header, body).
        """
        inbox = self._inbox
        if len(inbox) < size:
            await self._fill(size, wait_s)
        data = bytes(inbox[:size])
        del inbox[:size]
        return data

    async def _fill(self, size: int, wait_s: float | None) -> None:
        deadline = None if wait_s is None else self._loop.time() + wait_s
        inbox = self._inbox
        try:
            async with asyncio.timeout_at(deadline):
                while len(inbox) < size:
                    chunk = await self._reader.read(max(_READ_CHUNK, size - len(inbox)))
                    if not chunk:
                        raise asyncio.IncompleteReadError(bytes(inbox), size)
                    inbox += chunk
        except TimeoutError:
            if self.state is ConnectionState.OPENED:
                raise AmqpConnectionError(
                    Condition.RESOURCE_LIMIT_EXCEEDED, "local idle time-out expired"
                ) from None
            raise _DroppedError("client silent") from None

    async def _read_frame(self, wait_s: float | None) -> Frame:
        header = await self._read_exactly(HEADER_SIZE, wait_s)
        size, offset, frame_type, channel = parse_frame_header(header, self.settings.max_frame_size)
        body = await self._read_exactly(size - HEADER_SIZE, wait_s) if size > HEADER_SIZE else b""
        return decode_frame_body(frame_type, channel, memoryview(body)[offset - HEADER_SIZE :])

    async def _handshake(self) -> bool:
        """Protocol headers and SASL; True when the AMQP layer may start."""
        timeout = self.settings.handshake_timeout
        header = await self._read_exactly(HEADER_SIZE, timeout)
        if header == SASL_HEADER:
            self._set_state(ConnectionState.SASL)
            if not await self._sasl(timeout):
                return False
            header = await self._read_exactly(HEADER_SIZE, timeout)
        if header != AMQP_HEADER:
            # The specification's answer to an unsupported protocol: our header, then hang up.
            self.write(AMQP_HEADER)
            _LOG.info("unsupported protocol header", extra={"connection": self.id, "peer": self.peer})
            return False
        self.write(AMQP_HEADER)
        self._set_state(ConnectionState.HDR_EXCH)
        return True

    async def _sasl(self, wait_s: float) -> bool:
        negotiation = SaslNegotiation(self.application.authenticate, self.settings.sasl_mechanisms)
        self.write(SASL_HEADER + encode_frame(FRAME_SASL, 0, negotiation.offer()))
        frame = await self._read_frame(wait_s)
        if not isinstance(frame.body, SaslInit) or frame.frame_type != FRAME_SASL:
            raise FramingError("expected sasl-init")
        outcome = await negotiation.handle_init(frame.body)
        self.write(encode_frame(FRAME_SASL, 0, outcome))
        self.credentials = negotiation.credentials
        _LOG.info(
            "sasl outcome",
            extra={"connection": self.id, "mechanism": str(frame.body.mechanism), "code": int(outcome.code)},
        )
        return outcome.code == SASL_OK

    async def _read_frames(self) -> None:
        idle = self.settings.idle_time_out_ms
        while self.state is not ConnectionState.END:
            if self.state is ConnectionState.CLOSE_SENT:
                timeout: float | None = self.settings.close_timeout
            elif self.state is ConnectionState.OPENED:
                timeout = idle / 1000 if idle else None
            else:
                timeout = self.settings.handshake_timeout
            frame = await self._read_frame(timeout)
            if frame.frame_type != FRAME_AMQP:
                raise FramingError("SASL frame after the SASL layer")
            if frame.body is not None:
                await self._dispatch(frame)
            if self._writer.transport.get_write_buffer_size() > _WRITE_HIGH_WATER:
                self._flush_writes()
                await self._writer.drain()

    async def _dispatch(self, frame: Frame) -> None:
        body = frame.body
        if self.state is ConnectionState.HDR_EXCH:
            if not isinstance(body, Open):
                raise AmqpConnectionError(Condition.ILLEGAL_STATE, "the first frame must be open")
            await self._incoming_open(body)
        elif isinstance(body, Close):
            self._incoming_close(body)
        elif isinstance(body, Open):
            raise AmqpConnectionError(Condition.ILLEGAL_STATE, "connection already open")
        elif self.state is ConnectionState.CLOSE_SENT:
            return
        elif isinstance(body, Begin):
            self._incoming_begin(frame.channel, body)
        else:
            session = self.sessions_by_remote.get(frame.channel)
            if session is None:
                # The Python SDK ends a session before detaching its links; frames for a channel that
                # is no longer mapped are dropped rather than fatal.
                _LOG.debug("frame for an unmapped channel ignored", extra={"connection": self.id})
                return
            assert isinstance(body, Performative)
            await session.handle(body, frame.payload)

    async def _incoming_open(self, open_: Open) -> None:
        self.remote_open = open_
        self.remote_max_frame_size = max(512, min(int(open_.max_frame_size), 0xFFFF_FFFF))
        self.remote_idle_time_out_ms = open_.idle_time_out or None
        try:
            await self.application.on_connection_open(self)
        finally:
            self._send_open()
        self._set_state(ConnectionState.OPENED)
        _LOG.info(
            "connection opened",
            extra={"connection": self.id, "peer": self.peer, "container": open_.container_id},
        )

    def _send_open(self) -> None:
        if self._open_sent:
            return
        self._open_sent = True
        self.write(
            encode_frame(
                FRAME_AMQP,
                0,
                Open(
                    container_id=self.settings.container_id,
                    max_frame_size=self.settings.max_frame_size,
                    channel_max=self.settings.channel_max,
                    idle_time_out=self.settings.idle_time_out_ms,
                    properties=self.settings.properties,
                ),
            )
        )

    def _incoming_close(self, close: Close) -> None:
        if self.state is ConnectionState.OPENED:
            self.send_frame(0, Close())
        if close.error is not None:
            _LOG.info(
                "client closed with error", extra={"connection": self.id, "condition": close.error.condition}
            )
        self._set_state(ConnectionState.END)

    def _incoming_begin(self, channel: int, begin: Begin) -> None:
        if channel > self.settings.channel_max:
            raise FramingError(f"channel {channel} exceeds channel-max")
        if begin.remote_channel is not None or channel in self.sessions_by_remote:
            raise AmqpConnectionError(Condition.NOT_ALLOWED, f"channel {channel} is already in use")
        if self._free_channels:
            local = heapq.heappop(self._free_channels)
        else:
            local = self._next_channel
            self._next_channel += 1
        session = Session(self, local, begin, self.settings.session_incoming_window, self.settings.handle_max)
        self.sessions_by_local[local] = session
        self.sessions_by_remote[channel] = session
        self.send_frame(local, session.begin_answer(channel))

    async def _heartbeat(self) -> None:
        """Keep the client's idle time-out from expiring: an empty frame when we have been quiet."""
        while True:
            idle = self.remote_idle_time_out_ms
            if not idle:
                await asyncio.sleep(1.0)
                continue
            interval = idle / 2000
            due = self._last_write + interval
            now = self._loop.time()
            if now >= due:
                self.write(encode_frame(FRAME_AMQP, 0, None))
                due = now + interval
            await asyncio.sleep(max(due - self._loop.time(), 0.01))

    def close(self, error: AmqpError | AmqpConditionError | None = None) -> None:
        """Close the connection (from any task); the client's answering close ends it."""
        record = error.to_error() if isinstance(error, AmqpConditionError) else error
        if self.state is not ConnectionState.OPENED:
            return
        self.send_frame(0, Close(error=record))
        self._set_state(ConnectionState.CLOSE_SENT)
        self._abort_task = self._loop.create_task(self._abort_later())

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (fault injection: a network failure)."""
        self._writer.transport.abort()

    def shutdown(self, error: AmqpError) -> None:
        """Server shutdown: close an open connection politely, hang up on one still handshaking."""
        if self.state is ConnectionState.OPENED:
            self.close(error)
        elif self.state is not ConnectionState.CLOSE_SENT:
            self._writer.transport.abort()

    async def _abort_later(self) -> None:
        await asyncio.sleep(self.settings.close_timeout)
        if self.state is not ConnectionState.END:
            _LOG.info("client did not answer close", extra={"connection": self.id})
            self._writer.transport.abort()

    async def _fail(self, error: AmqpError) -> None:
        """Close after a protocol error: an open first if none went out (the specification asks for it)."""
        _LOG.warning(
            "closing connection on error",
            extra={
                "connection": self.id,
                "peer": self.peer,
                "condition": error.condition,
                "description": error.description,
            },
        )
        if self.state in (ConnectionState.HDR_EXCH, ConnectionState.OPENED):
            self._send_open()
            self.write(encode_frame(FRAME_AMQP, 0, Close(error=error)))
        self._set_state(ConnectionState.END)
        self._flush_writes()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self.settings.close_timeout):
                await self._writer.drain()

    async def _teardown(self, error: AmqpError | None) -> None:
        if self._closed.is_set():
            return
        self._set_state(ConnectionState.END)
        for session in list(self.sessions_by_local.values()):
            await session.release_links(error)
        self.sessions_by_local.clear()
        self.sessions_by_remote.clear()
        if self._abort_task is not None:
            self._abort_task.cancel()
        if self._tasks:
            # Pending detach notifications still reach their handlers before the close does.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.close_timeout):
                    await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self.application.on_connection_close(self, error)
        except Exception:
            _LOG.exception("connection close handler failed", extra={"connection": self.id})
        self._flush_writes()
        self._writer.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self.settings.close_timeout):
                await self._writer.wait_closed()
        self._closed.set()
        _LOG.info("connection closed", extra={"connection": self.id, "peer": self.peer})
