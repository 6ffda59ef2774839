"""SMS through Azure Communication Services (azure-communication-sms, aio), in Azure."""

from __future__ import annotations

from azure.communication.sms.aio import SmsClient
from azure.core.exceptions import AzureError

from notification_service.adapters.identity import async_credential
from notification_service.domain.errors import SendFailedError
from notification_service.domain.models import Sms


class AcsSmsSender:
    def __init__(self, client: SmsClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    @classmethod
    def connect(cls, *, endpoint: str | None, connection_string: str | None, sender: str) -> AcsSmsSender:
        if connection_string is not None:
            return cls(SmsClient.from_connection_string(connection_string), sender)
        assert endpoint is not None  # settings require one of the two
        return cls(SmsClient(endpoint, async_credential()), sender)

    async def send(self, sms: Sms) -> None:
        try:
            [result] = await self._client.send(
                from_=self._sender, to=[sms.to], message=sms.body, tag=sms.idempotency_key
            )
        except AzureError as exc:
            raise SendFailedError(f"acs sms: {type(exc).__name__}") from exc
        if not result.successful:
            raise SendFailedError(f"acs sms refused: {result.error_message}")

    async def close(self) -> None:
        await self._client.close()
