"""The interface an emulator implements on top of the core.

An :class:`Application` is asked about connections and links; for every link it accepts it returns a
:class:`LinkHandler` (defined beside the links it handles, in :mod:`amqp_core.link`) that then gets that
link's events. Callbacks run on the connection's reader task,
in frame order, and are awaited before the next frame is read: a callback may await storage, but must
not wait for more input from the same connection (a disposition, a flow), which would never come.

Errors: raise ``LinkError`` (from :mod:`amqp_core.errors`) in a link callback to detach that link with
the error, ``SessionError`` to end its session, ``AmqpConnectionError`` to close the connection. Any
other exception from a link callback detaches the link with ``amqp:internal-error``.
"""

from __future__ import annotations

from amqp_core.connection import Connection
from amqp_core.errors import Condition, LinkError
from amqp_core.link import Link, LinkHandler
from amqp_core.performatives import AmqpError
from amqp_core.sasl import Credentials

__all__ = ["Application", "LinkHandler"]


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
