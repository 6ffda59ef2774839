"""The in-memory inbox: bounded, newest first, and awaitable so tests need not poll."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from mailbox_emulator.model import Mail, Sms

T = TypeVar("T", Mail, Sms)


class Inbox:
    """Keeps the last `capacity` emails and texts; older ones are dropped first."""

    def __init__(self, capacity: int = 1000) -> None:
        self._mails: deque[Mail] = deque(maxlen=capacity)
        self._texts: deque[Sms] = deque(maxlen=capacity)
        self._changed = asyncio.Condition()

    async def add_mail(self, mail: Mail) -> None:
        async with self._changed:
            self._mails.appendleft(mail)
            self._changed.notify_all()

    async def add_sms(self, sms: Sms) -> None:
        async with self._changed:
            self._texts.appendleft(sms)
            self._changed.notify_all()

    def mails(self, match: Callable[[Mail], bool] = lambda mail: True) -> list[Mail]:
        return [mail for mail in self._mails if match(mail)]

    def texts(self, match: Callable[[Sms], bool] = lambda sms: True) -> list[Sms]:
        return [sms for sms in self._texts if match(sms)]

    def mail(self, mail_id: str) -> Mail | None:
        return next((mail for mail in self._mails if mail.id == mail_id), None)

    async def wait_for(self, select: Callable[[], list[T]], seconds: float) -> list[T]:
        """`select()` as soon as it finds something, or its empty answer after `seconds`."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(select), seconds)
            return select()

    def clear_mails(self) -> int:
        removed = len(self._mails)
        self._mails.clear()
        return removed

    def clear_texts(self) -> int:
        removed = len(self._texts)
        self._texts.clear()
        return removed
