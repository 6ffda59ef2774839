"""aiosmtpd's SMTP session with ESMTP PIPELINING (RFC 2920): replies to a group of commands go out as one.

aiosmtpd reads commands a line at a time from its stream, so a client may already write MAIL, RCPT and
DATA together; what it lacks is the EHLO keyword that tells clients they may, and it writes every reply
line (each line of the EHLO answer too) on its own. Each write on a socket costs a system call here and a
wake-up in the client, and this sink's cost is mostly those. RFC 2920 asks a server to keep the replies to
a group and send them as a unit: a reply is held while the client's next command line is already in the
stream's buffer (it will be answered next, in this same pass) or while it is a continuation line, and
written with the reply that ends the group.
"""

from __future__ import annotations

from typing import Any, AnyStr

from aiosmtpd.smtp import SMTP

PIPELINING = "250-PIPELINING"
# Never held: replies after which aiosmtpd may close the connection at once, and STARTTLS's go-ahead
# (the handshake follows it).
_SENT_AT_ONCE = (b"220", b"221", b"421", b"502")


class PipeliningSMTP(SMTP):
    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._held = bytearray()

    async def push(self, status: AnyStr) -> None:
        encoding = "utf-8" if self.enable_SMTPUTF8 else "ascii"
        line = status if isinstance(status, bytes) else status.encode(encoding)
        self._held += line + b"\r\n"
        if self._may_hold(line):
            return
        replies = bytes(self._held)
        self._held.clear()
        self._writer.write(replies)
        await self._writer.drain()

    def _may_hold(self, line: bytes) -> bool:
        if line[3:4] == b"-":
            return True  # the rest of a multi-line reply follows at once
        if line[:1] not in b"23" or line[:3] in _SENT_AT_ONCE:
            return False
        # StreamReader keeps what it read ahead in ``_buffer`` (no public way to peek): a complete line in
        # it is the next command of the client's group.
        buffered: bytearray = getattr(self._reader, "_buffer", bytearray())
        return b"\n" in buffered
