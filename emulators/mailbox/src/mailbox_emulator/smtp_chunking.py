"""aiosmtpd's SMTP session with ESMTP CHUNKING (RFC 3030): the message as ``BDAT <size> [LAST]`` chunks.

With DATA a mail takes two round trips at best: the client must wait for the 354 before the message.
A BDAT chunk carries its size, so it needs no go-ahead, no end marker and no dot-stuffing: with
PIPELINING, MAIL, RCPT, ``BDAT <size> LAST`` and the message are one write, and their three replies one
more. The last chunk hands the joined chunks to the handler's ``handle_DATA``, as DATA would.
"""

from __future__ import annotations

import re
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, syntax

CHUNKING = "250-CHUNKING"
_ARGUMENT = re.compile(r"(?P<size>[0-9]{1,10})(?: +(?P<last>LAST))? *\Z", re.IGNORECASE)


class ChunkingSMTP(SMTP):
    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._chunks: list[bytes] = []
        self._chunked_bytes = 0

    @syntax("BDAT <size> [LAST]")
    async def smtp_BDAT(self, arg: str) -> None:  # noqa: N802
        argument = _ARGUMENT.match(arg or "")
        if argument is None:
            # Without a size the chunk cannot be told from the commands after it: the session ends.
            await self.push("501 Syntax: BDAT <size> [LAST]")
            self._close()
            return
        size = int(argument["size"])
        if self.data_size_limit and self._chunked_bytes + size > self.data_size_limit:
            # Reading a chunk this large to stay in step would hold it all in memory: the mail is refused
            # and the session ends, before a byte of it is read.
            self._discard_chunks()
            await self.push("552 Error: Too much mail data")
            self._close()
            return
        # The chunk follows its command whatever the answer; read it first so the stream stays in step.
        chunk = await self._reader.readexactly(size)
        if await self.check_helo_needed() or await self.check_auth_needed("BDAT"):
            self._discard_chunks()
            return
        envelope = self.envelope
        assert envelope is not None  # set when the session starts
        if not envelope.rcpt_tos:
            self._discard_chunks()
            await self.push("503 Error: need RCPT command")
            return
        self._chunked_bytes += len(chunk)
        self._chunks.append(chunk)
        if argument["last"] is None:
            await self.push(f"250 {len(chunk)} octets received")
            return
        content = b"".join(self._chunks)
        self._discard_chunks()
        envelope.original_content = content
        envelope.content = content.decode("utf-8", "surrogateescape") if self._decode_data else content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def smtp_RSET(self, arg: str) -> None:  # noqa: N802
        self._discard_chunks()
        await super().smtp_RSET(arg)

    def _discard_chunks(self) -> None:
        self._chunks = []
        self._chunked_bytes = 0

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()
