"""The interface an emulator implements on top of the core.

An :class:`Application` is asked about connections and links; for every link it accepts it returns a
:class:`LinkHandler` that then gets that link's events. Callbacks run on the connection's reader task,
in frame order, and are awaited before the next frame is read: a callback may await storage, but must
not wait for more input from the same connection (a disposition, a flow), which would never come.

Errors: raise ``LinkError`` (from :mod:`amqp_core.errors`) in a link callback to detach that link with
the error, ``SessionError`` to end its session, ``AmqpConnectionError`` to close the connection. Any
other exception from a link callback detaches the link with ``amqp:internal-error``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amqp_core.errors import Condition, LinkError
from amqp_core.sasl import Credentials

if TYPE_CHECKING:
    from amqp_core.connection import Connection
    from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingDelivery, OutgoingLink
    from amqp_core.performatives import AmqpError, DeliveryState

__all__ = ["Application", "LinkHandler"]


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


class Application:
    """Decides on connections and links. Subclass and override what the emulator needs."""

    async def authenticate(self, credentials: Credentials) -> bool:
        """SASL: accept or refuse the client's credentials (ANONYMOUS or PLAIN). Default: accept."""
        del credentials
        return True

    async def on_connection_open(self, connection: Connection) -> None:
        """The client's open arrived (``connection.remote_open``); raise AmqpConnectionError to refuse."""
        del connection

    async def on_link_attach(self, link: Link) -> LinkHandler:
        """A client attaches a link; return its handler, or raise LinkError to refuse it.

        Before returning, the application may set what the core answers with: ``link.source`` /
        ``link.target`` (default: the client's), ``link.max_message_size``, ``link.properties``,
        ``link.offered_capabilities``, and for links the client sends on, ``link.credit_window`` and
        ``link.reject_oversize`` (settle a delivery over max-message-size Rejected with
        ``amqp:link:message-size-exceeded`` and keep the link, as Azure does, instead of detaching it).
        """
        raise LinkError(Condition.NOT_FOUND, f"no node at {link.address}")

    async def on_connection_close(self, connection: Connection, error: AmqpError | None) -> None:
        """The connection is gone (closed by either side or dropped); its links were detached first."""
        del connection, error
