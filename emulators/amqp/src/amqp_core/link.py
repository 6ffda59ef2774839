"""Links and deliveries, seen from the server, and the handler an application gives each link.

An :class:`IncomingLink` is one the client sends on (the server is its receiver); an
:class:`OutgoingLink` is one the server sends on. Link state changes go through ``_set_state``, which
logs them. Credit follows AMQP 1.0 section 2.6.7: the sender's credit is
``delivery-count(receiver) + link-credit - delivery-count(sender)``.

A link knows its session only as :class:`LinkSession`, the few calls it makes on it, so this module
imports nothing of the session or connection above it (the core's modules import one way:
connection -> session -> link).
"""

from __future__ import annotations

import enum
import logging
from functools import cached_property
from typing import Any, Protocol

from amqp_core.errors import AmqpConditionError, Condition, LinkError
from amqp_core.framing import TransferAssembler
from amqp_core.message import Message, decode_message, encode_message
from amqp_core.performatives import (
    RCV_FIRST,
    RCV_SECOND,
    ROLE_RECEIVER,
    SND_SETTLED,
    SND_UNSETTLED,
    Accepted,
    AmqpError,
    Attach,
    DeliveryState,
    Disposition,
    Flow,
    Modified,
    Performative,
    Rejected,
    Released,
    Source,
    Target,
    Transfer,
)

__all__ = [
    "IncomingDelivery",
    "IncomingLink",
    "Link",
    "LinkConnection",
    "LinkHandler",
    "LinkSession",
    "LinkState",
    "OutgoingDelivery",
    "OutgoingLink",
]

_LOG = logging.getLogger("amqp_core.link")

DEFAULT_CREDIT_WINDOW = 1000


class LinkConnection(Protocol):
    """What links and applications read of the connection a link belongs to."""

    @property
    def id(self) -> str: ...

    @property
    def scoped(self) -> dict[Any, Any]:
        """Free for the application: objects scoped to this connection (request/response nodes ...)."""
        ...

    def close(self, error: AmqpError | AmqpConditionError | None = None) -> None:
        """Close the connection with a close frame (the client sees the error)."""

    def abort(self) -> None:
        """Drop the connection without a close frame, as a network failure would."""


class LinkSession(Protocol):
    """What a link asks of its session: framing, windows and dispositions live there."""

    @property
    def connection(self) -> LinkConnection: ...

    def send(self, performative: Performative) -> None: ...

    def flow_state(self, **link_fields: Any) -> Flow: ...

    def send_transfer(self, transfer: Transfer, payload: bytes, delivery: OutgoingDelivery) -> int: ...

    def settle_incoming(self, delivery: IncomingDelivery, state: DeliveryState) -> None: ...

    def detach_link(self, link: Link, error: AmqpError | None) -> None: ...


class LinkState(enum.Enum):
    ATTACHING = "attaching"
    ATTACHED = "attached"
    DETACH_SENT = "detach-sent"
    DETACHED = "detached"


class Link:
    """State shared by both directions; the application reads the client's attach and sets the answer."""

    def __init__(self, session: LinkSession, attach: Attach, local_handle: int) -> None:
        self.session = session
        self.remote_attach = attach
        self.name = attach.name
        self.remote_handle = attach.handle
        self.local_handle = local_handle
        self.source: Source | None = attach.source
        self.target: Target | None = attach.target
        self.snd_settle_mode = attach.snd_settle_mode
        self.rcv_settle_mode = attach.rcv_settle_mode
        self.remote_max_message_size = attach.max_message_size or None
        self.max_message_size: int | None = None
        self.properties: dict[Any, Any] | None = None
        self.offered_capabilities: tuple[str, ...] | None = None
        self.handler: LinkHandler = LinkHandler()
        # Free for the application: whatever it wants to remember about this link.
        self.context: Any = None
        self.state = LinkState.ATTACHING

    @property
    def address(self) -> str | None:
        """The node the link talks to: the target for links the client sends on, else the source."""
        raise NotImplementedError

    @property
    def attached(self) -> bool:
        return self.state is LinkState.ATTACHED

    @property
    def remote_properties(self) -> dict[Any, Any]:
        return self.remote_attach.properties or {}

    @property
    def connection_id(self) -> str:
        return self.session.connection.id

    def _set_state(self, state: LinkState) -> None:
        _LOG.debug(
            "link state",
            extra={
                "connection": self.connection_id,
                "link": self.name,
                "from": self.state.value,
                "to": state.value,
            },
        )
        self.state = state

    def detach(self, error: LinkError | AmqpError | None = None) -> None:
        """Detach (close) the link now, with an optional error; the handler's on_detach follows."""
        self.session.detach_link(self, error.to_error() if isinstance(error, LinkError) else error)

    def answer(self) -> Attach:
        raise NotImplementedError


class IncomingLink(Link):
    """A link the client sends messages on. The core grants credit in windows of ``credit_window``."""

    def __init__(self, session: LinkSession, attach: Attach, local_handle: int) -> None:
        super().__init__(session, attach, local_handle)
        # The receiver's attach decides its settle mode. Settling at once (first) is what the SDKs'
        # senders handle: the Python SDK ignores unsettled dispositions even when it asked for second.
        self.rcv_settle_mode = RCV_FIRST
        self.delivery_count = attach.initial_delivery_count or 0
        self.credit = 0
        self.credit_window = DEFAULT_CREDIT_WINDOW
        # The AMQP spec detaches a link that carries a delivery over max-message-size; Azure instead
        # settles that delivery Rejected (amqp:link:message-size-exceeded) and keeps the link.
        self.reject_oversize = False
        self.assembler = TransferAssembler()

    @property
    def address(self) -> str | None:
        return self.target.address if self.target is not None else None

    def answer(self) -> Attach:
        return Attach(
            name=self.name,
            handle=self.local_handle,
            role=ROLE_RECEIVER,
            snd_settle_mode=self.snd_settle_mode,
            rcv_settle_mode=self.rcv_settle_mode,
            source=self.source,
            target=self.target,
            max_message_size=self.max_message_size,
            offered_capabilities=self.offered_capabilities,
            properties=self.properties,
        )

    def flow_state(self, *, echo: bool = False) -> Flow:
        return self.session.flow_state(
            handle=self.local_handle, delivery_count=self.delivery_count, link_credit=self.credit, echo=echo
        )

    def grant(self, credit: int) -> None:
        """Set the credit the client may use and tell it."""
        self.credit = credit
        self.session.send(self.flow_state())

    def _delivery_arrived(self) -> None:
        self.delivery_count = (self.delivery_count + 1) & 0xFFFF_FFFF
        self.credit = max(self.credit - 1, 0)
        if self.credit_window and self.credit <= self.credit_window // 2:
            self.grant(self.credit_window)


class OutgoingLink(Link):
    """A link the server sends messages on, as the client's credit allows."""

    def __init__(self, session: LinkSession, attach: Attach, local_handle: int) -> None:
        super().__init__(session, attach, local_handle)
        self.delivery_count = 0
        self.credit = 0
        self.drain = False
        self.available: int | None = None
        self.unsettled: dict[bytes, OutgoingDelivery] = {}

    @property
    def address(self) -> str | None:
        return self.source.address if self.source is not None else None

    def answer(self) -> Attach:
        return Attach(
            name=self.name,
            handle=self.local_handle,
            role=not ROLE_RECEIVER,
            snd_settle_mode=self.snd_settle_mode,
            rcv_settle_mode=self.rcv_settle_mode,
            source=self.source,
            target=self.target,
            initial_delivery_count=self.delivery_count,
            max_message_size=self.max_message_size,
            offered_capabilities=self.offered_capabilities,
            properties=self.properties,
        )

    def flow_state(self, *, echo: bool = False) -> Flow:
        return self.session.flow_state(
            handle=self.local_handle,
            delivery_count=self.delivery_count,
            link_credit=self.credit,
            available=self.available,
            drain=self.drain,
            echo=echo,
        )

    def _credit_from(self, flow: Flow) -> None:
        remote_count = flow.delivery_count if flow.delivery_count is not None else 0
        self.credit = max((remote_count + (flow.link_credit or 0) - self.delivery_count) & 0xFFFF_FFFF, 0)
        if self.credit > 0x7FFF_FFFF:
            # A receiver that lags our delivery-count computes "negative" credit: it has none.
            self.credit = 0
        self.drain = flow.drain

    def _finish_drain(self) -> None:
        """Spend the remaining credit and report it: the answer to a drain request."""
        self.delivery_count = (self.delivery_count + self.credit) & 0xFFFF_FFFF
        self.credit = 0
        self.session.send(self.flow_state())

    def send(
        self,
        message: Message | bytes,
        *,
        tag: bytes,
        message_format: int = 0,
        settled: bool | None = None,
    ) -> OutgoingDelivery:
        """Send one message (a Message or its encoded bytes); needs ``credit > 0``.

        ``settled`` defaults from the link's sender settle mode (unsettled for mixed). Unsettled
        deliveries stay in ``unsettled`` until the client settles them.
        """
        if self.state is not LinkState.ATTACHED:
            raise LinkError(Condition.ILLEGAL_STATE, f"link {self.name} is not attached")
        if self.credit <= 0:
            raise LinkError(Condition.TRANSFER_LIMIT_EXCEEDED, f"link {self.name} has no credit")
        if settled is None:
            settled = self.snd_settle_mode == SND_SETTLED
        elif self.snd_settle_mode == SND_UNSETTLED:
            settled = False
        payload = message if isinstance(message, bytes) else encode_message(message)
        if self.remote_max_message_size and len(payload) > self.remote_max_message_size:
            raise LinkError(
                Condition.MESSAGE_SIZE_EXCEEDED,
                f"{len(payload)} bytes exceed the receiver's max-message-size {self.remote_max_message_size}",
            )
        self.credit -= 1
        self.delivery_count = (self.delivery_count + 1) & 0xFFFF_FFFF
        delivery = OutgoingDelivery(self, tag, message_format, settled)
        transfer = Transfer(
            handle=self.local_handle,
            delivery_tag=tag,
            message_format=message_format,
            settled=settled,
        )
        delivery.delivery_id = self.session.send_transfer(transfer, payload, delivery)
        if not settled:
            self.unsettled[tag] = delivery
        return delivery


class IncomingDelivery:
    """A whole message the client sent; settle it once with an outcome."""

    def __init__(self, link: IncomingLink, transfer: Transfer, payload: bytes) -> None:
        self.link = link
        self.delivery_id = transfer.delivery_id or 0
        self.tag = transfer.delivery_tag or b""
        self.message_format = transfer.message_format or 0
        self.remote_settled = bool(transfer.settled)
        self.payload = payload
        self.state: DeliveryState | None = None
        self.settled = False

    @cached_property
    def message(self) -> Message:
        """The decoded message; raises DecodeError if the payload is malformed."""
        return decode_message(self.payload)

    def settle(self, state: DeliveryState) -> None:
        """Apply an outcome; sends the disposition unless the client settled the delivery already."""
        if self.settled:
            return
        self.state = state
        self.settled = True
        self.link.session.settle_incoming(self, state)

    def settle_accepted(self) -> None:
        self.settle(Accepted())

    def settle_rejected(
        self, condition: str, description: str | None = None, info: dict[str, Any] | None = None
    ) -> None:
        self.settle(Rejected(error=AmqpError(condition=condition, description=description, info=info)))

    def settle_released(self) -> None:
        self.settle(Released())

    def settle_modified(self, *, delivery_failed: bool = True, undeliverable_here: bool = False) -> None:
        self.settle(Modified(delivery_failed=delivery_failed, undeliverable_here=undeliverable_here))

    @property
    def needs_echo(self) -> bool:
        """True when the client must settle after our outcome (receiver settle mode second)."""
        return self.link.rcv_settle_mode == RCV_SECOND and not self.remote_settled


class OutgoingDelivery:
    """A message the server sent; ``remote_state`` is the client's last reported state."""

    def __init__(self, link: OutgoingLink, tag: bytes, message_format: int, settled: bool) -> None:
        self.link = link
        self.tag = tag
        self.message_format = message_format
        self.settled = settled
        self.delivery_id = 0
        self.remote_state: DeliveryState | None = None

    def disposition(self, state: DeliveryState | None, *, settled: bool = True) -> Disposition:
        return Disposition(
            role=not ROLE_RECEIVER,
            first=self.delivery_id,
            last=self.delivery_id,
            settled=settled,
            state=state,
        )


class LinkHandler:
    """Receives the events of one link (or, for a request/response node, of a pair of links).

    Every method has a harmless default, so a handler overrides only what its links use.
    """

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        """A whole delivery arrived on a link the client sends on.

        Settle it with ``delivery.settle(outcome)`` now or later (after persisting, say); a delivery the
        client sent pre-settled needs no outcome. Raising ``LinkError`` detaches the link.
        """
        del link
        delivery.settle_accepted()

    async def on_credit(self, link: OutgoingLink) -> None:
        """The client granted credit (``link.credit``) on a link we send on, or asked to drain.

        Send what is available now with ``link.send``; when this returns and the client asked to drain
        (``link.drain``), the core spends the rest of the credit and reports the link drained. Messages
        that become available later may be sent at any time while ``link.credit`` is positive.
        """
        del link

    async def on_disposition(
        self, link: OutgoingLink, delivery: OutgoingDelivery, state: DeliveryState | None, settled: bool
    ) -> DeliveryState | None:
        """The client reported an outcome for a delivery we sent.

        Apply it (complete, abandon ...). If the client left the delivery unsettled (receiver settle
        mode second), the core then settles it with a disposition carrying the returned state, or the
        client's own state when this returns None.
        """
        del link, delivery, settled
        return state

    async def on_detach(self, link: Link, error: AmqpError | None) -> None:
        """The link is gone: detached by the client, ended with its session, or the connection dropped.

        ``link.unsettled`` still lists the deliveries we sent that were never settled.
        """
        del link, error
