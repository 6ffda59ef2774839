"""SMS into the local mailbox emulator (``POST /api/sms``), where texts go when the platform runs locally."""

from __future__ import annotations

import aiohttp

from notification_service.domain.errors import SendFailedError, SendRejectedError
from notification_service.domain.models import Sms


class MailboxSmsSender:
    def __init__(self, base_url: str, sender: str, *, timeout: float = 15.0) -> None:
        self._url = base_url.rstrip("/") + "/api/sms"
        self._sender = sender
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))

    async def send(self, sms: Sms) -> None:
        payload = {"to": sms.to, "from": self._sender, "body": sms.body}
        try:
            async with self._session.post(self._url, json=payload) as response:
                if 400 <= response.status < 500:
                    raise SendRejectedError(f"mailbox refused the text ({response.status})")
                if response.status != 201:
                    raise SendFailedError(f"mailbox answered {response.status}")
        except aiohttp.ClientError as exc:
            raise SendFailedError(f"mailbox unreachable: {type(exc).__name__}") from exc

    async def close(self) -> None:
        await self._session.close()
