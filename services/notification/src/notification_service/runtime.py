"""Builds the process's clients from the settings and runs the consumer and the HTTP app on one loop."""

from __future__ import annotations

import asyncio
import signal
from contextlib import AsyncExitStack
from typing import Any, TypeVar

from servicekit.contracts import Contracts

from notification_service.adapters.acs_email import AcsEmailSender
from notification_service.adapters.acs_sms import AcsSmsSender
from notification_service.adapters.eventhub import EventHubSource
from notification_service.adapters.mailbox_sms import MailboxSmsSender
from notification_service.adapters.smtp import SmtpEmailSender
from notification_service.adapters.tables import TableNotificationLog
from notification_service.api.http import HttpDeps, build_app, start_server
from notification_service.consumer import OrderEventHandler
from notification_service.domain.notifier import Notifier
from notification_service.domain.ports import EmailSender, SmsSender
from notification_service.metrics import Metrics
from notification_service.rendering import TemplateRenderer
from notification_service.settings import EmailTransport, Settings, SmsTransport

_AcsSender = TypeVar("_AcsSender", AcsEmailSender, AcsSmsSender)


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


def email_sender(settings: Settings, stack: AsyncExitStack) -> EmailSender:
    """The one place the transport is chosen: SMTP (the local mailbox) or Azure Communication Services."""
    if settings.email_transport is EmailTransport.SMTP:
        smtp = SmtpEmailSender(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.email_from,
            sender_name=settings.email_from_name,
            start_tls=settings.smtp_start_tls,
            username=settings.smtp_username,
            password=_secret(settings.smtp_password),
        )
        stack.push_async_callback(smtp.close)
        return smtp
    return _acs_sender(AcsEmailSender, settings, settings.email_from, stack)


def sms_sender(settings: Settings, stack: AsyncExitStack) -> SmsSender:
    if settings.sms_transport is SmsTransport.MAILBOX:
        sender = MailboxSmsSender(settings.mailbox_url, settings.sms_from)
        stack.push_async_callback(sender.close)
        return sender
    return _acs_sender(AcsSmsSender, settings, settings.sms_from, stack)


def _acs_sender(kind: type[_AcsSender], settings: Settings, sender: str, stack: AsyncExitStack) -> _AcsSender:
    """An Azure Communication Services sender on the settings' endpoint or connection string, closed with
    ``stack``."""
    connected = kind.connect(
        endpoint=settings.acs_endpoint,
        connection_string=_secret(settings.acs_connection_string),
        sender=sender,
    )
    stack.push_async_callback(connected.close)
    return connected


async def serve(settings: Settings) -> None:
    stop, consuming, metrics = asyncio.Event(), asyncio.Event(), Metrics()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        notification_log = TableNotificationLog.connect(
            settings.log_table,
            connection_string=_secret(settings.tables_connection_string),
            endpoint=settings.tables_endpoint,
        )
        stack.push_async_callback(notification_log.close)
        source = EventHubSource.connect(
            eventhub_connection_string=_secret(settings.eventhub_connection_string),
            eventhub_namespace=settings.eventhub_namespace,
            eventhub_name=settings.eventhub_name,
            consumer_group=settings.consumer_group,
            checkpoint_connection_string=_secret(settings.checkpoint_connection_string),
            checkpoint_account_url=settings.checkpoint_account_url,
            checkpoint_container=settings.checkpoint_container,
            checkpoint_every_events=settings.checkpoint_every_events,
            checkpoint_every_seconds=settings.checkpoint_every_seconds,
            receive_batch_size=settings.receive_batch_size,
            load_balancing_seconds=settings.load_balancing_seconds,
            ownership_expiration_seconds=settings.ownership_expiration_seconds,
        )
        stack.push_async_callback(source.close)
        notifier = Notifier(
            TemplateRenderer(settings.shop_name, settings.shop_url),
            email_sender(settings, stack),
            sms_sender(settings, stack),
            notification_log,
            retry_base_seconds=settings.send_retry_base_seconds,
            retry_max_seconds=settings.send_retry_max_seconds,
        )
        handler = OrderEventHandler(
            Contracts(settings.contracts_dir), notifier, metrics, hub=settings.eventhub_name
        )
        deps = HttpDeps(
            metrics,
            notification_log.for_order,
            {"tableStorage": notification_log.ping, "blobStorage": source.ping},
            consuming,
        )
        runner = await start_server(build_app(deps), settings.host, settings.port)
        stack.push_async_callback(runner.cleanup)
        await notification_log.ensure_table()
        await source.ensure_container()
        await source.run(handler, stop, grace_seconds=settings.shutdown_grace_seconds, on_ready=consuming.set)
