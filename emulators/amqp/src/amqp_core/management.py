"""Request/response nodes (``$cbs``, ``$management``): requests on one link, replies on another.

A client attaches a sender and a receiver to the same address. Each request is a message; the reply is
sent on the client's receiving link with ``correlation-id`` set to the request's ``message-id``. The
reply link is found by the request's ``reply-to``, which the Node SDK sets to the reply link's NAME
(and which may be an address); the Python SDK may send no reply-to, and then the reply goes to the
receiving link attached to the same address, preferring the request's session.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from amqp_core.application import LinkHandler
from amqp_core.codec import DecodeError
from amqp_core.errors import Condition
from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingLink
from amqp_core.message import Message, Properties
from amqp_core.performatives import SND_UNSETTLED, AmqpError

__all__ = ["Request", "RequestResponseNode", "Responder", "node_path"]

_LOG = logging.getLogger("amqp_core.management")


def node_path(address: str | None) -> str:
    """The node name in an address: ``amqps://host:5671/orders/$management`` → ``orders/$management``."""
    if not address:
        return ""
    if "://" in address:
        address = urlsplit(address).path
    return unquote(address).strip("/")


@dataclasses.dataclass
class Request:
    """One request: the decoded message and the link it came on."""

    message: Message
    link: IncomingLink

    @property
    def application_properties(self) -> dict[Any, Any]:
        return self.message.application_properties or {}

    @property
    def operation(self) -> str | None:
        value = self.application_properties.get("operation")
        return str(value) if value is not None else None


Responder = Callable[[Request], Awaitable[Message]]


class RequestResponseNode(LinkHandler):
    """Handler for both links of a request/response node on one connection.

    Use :meth:`attach` from ``Application.on_link_attach`` for both links. Replies wait for credit on
    the reply link when the client has not granted any yet.
    """

    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self._reply_links: list[OutgoingLink] = []
        self._pending: dict[OutgoingLink, list[Message]] = {}
        self._tags = itertools.count(1)

    @classmethod
    def for_link(cls, link: Link, responder: Responder) -> RequestResponseNode:
        """The node for this link's connection and address, created on first use."""
        key = (cls, node_path(link.address))
        scoped = link.session.connection.scoped
        node = scoped.get(key)
        if node is None:
            node = scoped[key] = cls(responder)
        assert isinstance(node, RequestResponseNode)
        return node

    def attach(self, link: Link) -> RequestResponseNode:
        if isinstance(link, OutgoingLink):
            self._reply_links.append(link)
        return self

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        try:
            request = Request(delivery.message, link)
        except DecodeError as exc:
            delivery.settle_rejected(Condition.DECODE_ERROR, str(exc))
            return
        delivery.settle_accepted()
        reply = await self._responder(request)
        properties = request.message.properties or Properties()
        reply_properties = reply.properties or Properties()
        if reply_properties.correlation_id is None:
            reply_properties.correlation_id = properties.message_id
        if reply_properties.to is None:
            reply_properties.to = properties.reply_to
        reply.properties = reply_properties
        target = self._reply_link(link, properties.reply_to)
        if target is None:
            _LOG.info(
                "no reply link for a request", extra={"connection": link.connection_id, "node": link.address}
            )
            return
        self._pending.setdefault(target, []).append(reply)
        self._flush(target)

    def _reply_link(self, request_link: IncomingLink, reply_to: str | None) -> OutgoingLink | None:
        live = [candidate for candidate in self._reply_links if candidate.credit >= 0]
        if reply_to:
            wanted = node_path(reply_to)
            for candidate in live:
                if candidate.name == reply_to or node_path(candidate.address) == wanted:
                    return candidate
        for candidate in live:
            if candidate.session is request_link.session:
                return candidate
        return live[-1] if live else None

    def _flush(self, link: OutgoingLink) -> None:
        queue = self._pending.get(link, [])
        while queue and link.credit > 0:
            link.send(
                queue.pop(0),
                tag=next(self._tags).to_bytes(4, "big"),
                settled=link.snd_settle_mode != SND_UNSETTLED,
            )

    async def on_credit(self, link: OutgoingLink) -> None:
        self._flush(link)

    async def on_detach(self, link: Link, error: AmqpError | None) -> None:
        if isinstance(link, OutgoingLink):
            self._pending.pop(link, None)
            if link in self._reply_links:
                self._reply_links.remove(link)
