"""Email through Azure Communication Services (azure-communication-email, aio), in Azure.

The operation id is the message's idempotency key: ACS treats a repeated operation id as the same send.
"""

from __future__ import annotations

from azure.communication.email.aio import EmailClient
from azure.core.exceptions import AzureError

from notification_service.adapters.identity import async_credential
from notification_service.domain.errors import SendFailedError
from notification_service.domain.models import Email


class AcsEmailSender:
    def __init__(self, client: EmailClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    @classmethod
    def connect(cls, *, endpoint: str | None, connection_string: str | None, sender: str) -> AcsEmailSender:
        if connection_string is not None:
            return cls(EmailClient.from_connection_string(connection_string), sender)
        assert endpoint is not None  # settings require one of the two
        return cls(EmailClient(endpoint, async_credential()), sender)

    async def send(self, email: Email) -> None:
        message = {
            "senderAddress": self._sender,
            "recipients": {"to": [{"address": email.to, "displayName": email.to_name}]},
            "content": {"subject": email.subject, "plainText": email.text, "html": email.html},
        }
        try:
            poller = await self._client.begin_send(message, operation_id=email.idempotency_key)
            result = await poller.result()
        except AzureError as exc:
            raise SendFailedError(f"acs email: {type(exc).__name__}") from exc
        if str(result.get("status", "")).lower() != "succeeded":
            raise SendFailedError(f"acs email ended {result.get('status')}")

    async def close(self) -> None:
        await self._client.close()
