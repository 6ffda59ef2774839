"""The readers against real Azurite, mailbox and Service Bus emulator processes, fed through the same SDKs
and protocols the services use."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

import httpx
from azure.data.tables import TableClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from shop_invariants import sources
from shop_invariants.endpoints import Endpoints
from shop_invariants.model import Email, LedgerRow
from shopctl.testing import launched


def test_readers_see_ledger_rows_emails_and_dead_letters() -> None:
    with launched("azurite", "mailbox", "servicebus") as platform:
        ports = {name: {"http": 1} for name in ("product", "order")}
        ports["azurite"] = {"table": platform.port("azurite", "table")}
        ports["mailbox"] = {"http": platform.port("mailbox", "http")}
        ports["servicebus"] = {"http": platform.port("servicebus", "http")}
        endpoints = Endpoints.local(ports)

        assert asyncio.run(sources.ledger(endpoints.ledger_connection_string, "payments")) == []
        with TableClient.from_connection_string(endpoints.ledger_connection_string, "payments") as table:
            table.create_table()
            table.create_entity(
                {
                    "PartitionKey": "ord-1",
                    "RowKey": "payment",
                    "OrderId": "ord-1",
                    "PaymentId": "pay-1",
                    "State": "published",
                    "Amount": "12.50",
                    "Currency": "EUR",
                    "Succeeded": True,
                }
            )

        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = (
            "shop@example.com",
            "a@example.com",
            "Payment received for order ord-1",
        )
        mail.set_content("thanks")
        with smtplib.SMTP("127.0.0.1", platform.port("mailbox", "smtp")) as smtp:
            smtp.send_message(mail)

        amqp = platform.port("servicebus", "amqp")
        connection = (
            f"Endpoint=sb://127.0.0.1:{amqp};SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
        )
        with ServiceBusClient.from_connection_string(connection) as bus:
            with bus.get_queue_sender("payment-requests") as sender:
                sender.send_messages(ServiceBusMessage("poison", message_id="m-1"))
            with bus.get_queue_receiver("payment-requests", max_wait_time=5) as receiver:
                for message in receiver.receive_messages(max_message_count=1, max_wait_time=5):
                    receiver.dead_letter_message(message, reason="test")

        async def read() -> tuple[list[LedgerRow], list[Email], dict[str, int]]:
            async with httpx.AsyncClient() as http:
                return (
                    await sources.ledger(endpoints.ledger_connection_string, "payments"),
                    await sources.emails(http, endpoints.mailbox),
                    await sources.dead_letters(http, endpoints.servicebus_admin),
                )

        ledger, emails, dead = asyncio.run(read())
    assert [(row.order_id, row.payment_id, row.succeeded, str(row.amount)) for row in ledger] == [
        ("ord-1", "pay-1", True, "12.50")
    ]
    assert [email.subject for email in emails] == ["Payment received for order ord-1"]
    assert dead["payment-requests/$DeadLetterQueue"] == 1
    assert dead["payment-events/Subscriptions/order-service/$DeadLetterQueue"] == 0
