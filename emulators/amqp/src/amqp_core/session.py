"""Sessions: link handles, transfer ids, session windows, dispositions.

Transfer ids advance once per delivery (as Qpid Proton and the Azure SDKs count), while the peer's
incoming window is spent once per transfer frame, the more cautious reading. Our own incoming window is
replenished before it runs out, and a peer that overruns it is tolerated rather than cut off: the SDKs
disagree on how to count multi-frame deliveries.
"""

from __future__ import annotations

import collections
import enum
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from amqp_core.errors import AmqpConditionError, Condition, LinkError, SessionError
from amqp_core.framing import MessageTooLargeError, split_transfer
from amqp_core.link import (
    IncomingDelivery,
    IncomingLink,
    Link,
    LinkConnection,
    LinkHandler,
    LinkState,
    OutgoingDelivery,
    OutgoingLink,
)
from amqp_core.performatives import (
    ROLE_RECEIVER,
    AmqpError,
    Attach,
    Begin,
    DeliveryState,
    Detach,
    Disposition,
    End,
    Flow,
    Performative,
    Transfer,
)

__all__ = ["LinkAttacher", "Session", "SessionConnection", "SessionState"]

_LOG = logging.getLogger("amqp_core.session")

_OUTGOING_WINDOW = 0x7FFF_FFFF
_SEQUENCE = 0xFFFF_FFFF


class LinkAttacher(Protocol):
    """Who decides on a link the client attaches: the application."""

    async def on_link_attach(self, link: Link) -> LinkHandler: ...


class SessionConnection(LinkConnection, Protocol):
    """What a session asks of its connection; the connection imports sessions, never the reverse."""

    @property
    def application(self) -> LinkAttacher: ...

    @property
    def remote_max_frame_size(self) -> int: ...

    def write(self, data: bytes) -> None: ...

    def send_frame(self, channel: int, body: Performative | None, payload: bytes = b"") -> None: ...

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None: ...

    def forget_session(self, session: Session) -> None: ...


class SessionState(enum.Enum):
    MAPPED = "mapped"
    END_SENT = "end-sent"
    ENDED = "ended"


class Session:
    def __init__(
        self,
        connection: SessionConnection,
        local_channel: int,
        begin: Begin,
        incoming_window: int,
        handle_max: int,
    ) -> None:
        self.connection = connection
        self.local_channel = local_channel
        self.remote_channel = 0
        self.state = SessionState.MAPPED
        self.next_outgoing_id = 0
        self.next_incoming_id = begin.next_outgoing_id
        self.incoming_window_size = incoming_window
        self.incoming_window = incoming_window
        self.remote_incoming_window = begin.incoming_window
        self.remote_outgoing_window = begin.outgoing_window
        self.handle_max = handle_max
        self.links_by_remote: dict[int, Link] = {}
        self.links_by_local: dict[int, Link] = {}
        self.outgoing_unsettled: dict[int, OutgoingDelivery] = {}
        self.incoming_unsettled: dict[int, IncomingDelivery] = {}
        self._waiting: collections.deque[bytes] = collections.deque()

    # ------------------------------------------------------------------------------------ plumbing

    def _set_state(self, state: SessionState) -> None:
        _LOG.debug(
            "session state",
            extra={
                "connection": self.connection.id,
                "channel": self.local_channel,
                "from": self.state.value,
                "to": state.value,
            },
        )
        self.state = state

    def send(self, performative: Performative) -> None:
        if self.state is SessionState.MAPPED:
            self.connection.send_frame(self.local_channel, performative)

    def begin_answer(self, remote_channel: int) -> Begin:
        self.remote_channel = remote_channel
        return Begin(
            remote_channel=remote_channel,
            next_outgoing_id=self.next_outgoing_id,
            incoming_window=self.incoming_window,
            outgoing_window=_OUTGOING_WINDOW,
            handle_max=self.handle_max,
        )

    def flow_state(self, **link_fields: Any) -> Flow:
        return Flow(
            next_incoming_id=self.next_incoming_id,
            incoming_window=self.incoming_window,
            next_outgoing_id=self.next_outgoing_id,
            outgoing_window=_OUTGOING_WINDOW,
            **link_fields,
        )

    def send_transfer(self, transfer: Transfer, payload: bytes, delivery: OutgoingDelivery) -> int:
        """Frame a delivery and send it now or when the peer's window opens; return its delivery-id."""
        delivery_id = self.next_outgoing_id
        self.next_outgoing_id = (self.next_outgoing_id + 1) & _SEQUENCE
        transfer.delivery_id = delivery_id
        frames = split_transfer(self.local_channel, transfer, payload, self.connection.remote_max_frame_size)
        if not delivery.settled:
            self.outgoing_unsettled[delivery_id] = delivery
        self._waiting.extend(frames)
        self._flush()
        return delivery_id

    def _flush(self) -> None:
        while self._waiting and self.remote_incoming_window > 0 and self.state is SessionState.MAPPED:
            self.connection.write(self._waiting.popleft())
            self.remote_incoming_window -= 1

    def settle_incoming(self, delivery: IncomingDelivery, state: DeliveryState) -> None:
        if delivery.remote_settled:
            return
        echo = delivery.needs_echo
        if echo:
            self.incoming_unsettled[delivery.delivery_id] = delivery
        self.send(
            Disposition(
                role=ROLE_RECEIVER,
                first=delivery.delivery_id,
                last=delivery.delivery_id,
                settled=not echo,
                state=state,
            )
        )

    # ------------------------------------------------------------------------------- performatives

    async def handle(self, performative: Performative, payload: bytes) -> None:
        """Dispatch one frame addressed to this session."""
        if self.state is SessionState.ENDED:
            return
        if isinstance(performative, End):
            await self._incoming_end(performative)
            return
        if self.state is SessionState.END_SENT:
            return  # frames in flight before the peer saw our end
        try:
            if isinstance(performative, Attach):
                await self._incoming_attach(performative)
            elif isinstance(performative, Flow):
                await self._incoming_flow(performative)
            elif isinstance(performative, Transfer):
                await self._incoming_transfer(performative, payload)
            elif isinstance(performative, Disposition):
                await self._incoming_disposition(performative)
            elif isinstance(performative, Detach):
                await self._incoming_detach(performative)
            else:
                raise SessionError(Condition.NOT_ALLOWED, f"unexpected {performative.NAME} on a session")
        except SessionError as exc:
            await self.end(exc.to_error())

    async def _incoming_attach(self, attach: Attach) -> None:
        if attach.handle in self.links_by_remote:
            raise SessionError(Condition.HANDLE_IN_USE, f"handle {attach.handle} is already attached")
        if attach.handle > self.handle_max:
            raise SessionError(
                Condition.RESOURCE_LIMIT_EXCEEDED, f"handle {attach.handle} exceeds handle-max"
            )
        local_handle = next(
            handle for handle in range(len(self.links_by_local) + 1) if handle not in self.links_by_local
        )
        # The attach's role is the client's: a client receiver means the server sends.
        link: Link = (
            OutgoingLink(self, attach, local_handle)
            if attach.role == ROLE_RECEIVER
            else IncomingLink(self, attach, local_handle)
        )
        self.links_by_remote[attach.handle] = link
        self.links_by_local[local_handle] = link
        try:
            link.handler = await self.connection.application.on_link_attach(link)
        except LinkError as exc:
            await self._refuse(link, exc.to_error())
            return
        link._set_state(LinkState.ATTACHED)
        self.send(link.answer())
        if isinstance(link, IncomingLink) and link.credit_window:
            link.grant(link.credit_window)

    async def _refuse(self, link: Link, error: AmqpError) -> None:
        """Answer an attach we will not serve: an attach without the terminus, then a closing detach."""
        if isinstance(link, IncomingLink):
            link.target = None
        else:
            link.source = None
        self.send(link.answer())
        link._set_state(LinkState.DETACH_SENT)
        self.send(Detach(handle=link.local_handle, closed=True, error=error))
        _LOG.info(
            "link refused",
            extra={"connection": self.connection.id, "link": link.name, "condition": error.condition},
        )

    def _link(self, handle: int | None) -> Link:
        link = self.links_by_remote.get(handle) if handle is not None else None
        if link is None:
            raise SessionError(Condition.UNATTACHED_HANDLE, f"handle {handle} is not attached")
        return link

    async def _incoming_flow(self, flow: Flow) -> None:
        self.remote_outgoing_window = flow.outgoing_window
        their_next_incoming = flow.next_incoming_id if flow.next_incoming_id is not None else 0
        self.remote_incoming_window = (
            their_next_incoming + flow.incoming_window - self.next_outgoing_id
        ) & _SEQUENCE
        if self.remote_incoming_window > 0x7FFF_FFFF:
            self.remote_incoming_window = 0
        self._flush()
        if flow.handle is None:
            if flow.echo:
                self.send(self.flow_state())
            return
        link = self._link(flow.handle)
        if link.state is not LinkState.ATTACHED:
            return
        if isinstance(link, OutgoingLink):
            link._credit_from(flow)
            if link.credit > 0:
                await self._call(link, link.handler.on_credit(link))
            if not link.attached:
                return
            if link.drain:
                link._finish_drain()
            elif flow.echo:
                self.send(link.flow_state())
        elif isinstance(link, IncomingLink) and flow.echo:
            self.send(link.flow_state())

    async def _incoming_transfer(self, transfer: Transfer, payload: bytes) -> None:
        link = self._link(transfer.handle)
        self._spend_incoming_window()
        if not isinstance(link, IncomingLink):
            raise SessionError(
                Condition.NOT_ALLOWED, f"transfer on link {link.name}, which the server sends on"
            )
        if link.state is not LinkState.ATTACHED:
            return
        link.assembler._max_size = link.max_message_size
        link.assembler.skip_oversize = link.reject_oversize
        try:
            whole = link.assembler.add(transfer, payload)
        except MessageTooLargeError as exc:
            if exc.first is not None:
                self._reject_oversize(link, exc.first, exc)
                return
            link.assembler.reset()
            self.detach_link(link, AmqpError(condition=Condition.MESSAGE_SIZE_EXCEEDED, description=str(exc)))
            return
        if whole is None:
            return
        first, data = whole
        delivery = IncomingDelivery(link, first, data)
        link._delivery_arrived()
        await self._call(link, link.handler.on_message(link, delivery))

    @staticmethod
    def _reject_oversize(link: IncomingLink, first: Transfer, error: MessageTooLargeError) -> None:
        delivery = IncomingDelivery(link, first, b"")
        link._delivery_arrived()
        delivery.settle_rejected(
            Condition.MESSAGE_SIZE_EXCEEDED,
            f"The received message (delivery-id:{delivery.delivery_id}, size:{error.size} bytes) exceeds "
            f"the limit ({error.limit} bytes) currently allowed on the link.",
        )

    def _spend_incoming_window(self) -> None:
        self.next_incoming_id = (self.next_incoming_id + 1) & _SEQUENCE
        self.incoming_window -= 1
        if self.incoming_window <= self.incoming_window_size // 2:
            self.incoming_window = self.incoming_window_size
            self.send(self.flow_state())

    async def _incoming_disposition(self, disposition: Disposition) -> None:
        last = disposition.last if disposition.last is not None else disposition.first
        if disposition.role == ROLE_RECEIVER:
            await self._dispositions_for_sent(disposition, last)
        else:
            # The client settles deliveries we received in receiver settle mode second.
            for delivery_id in self._ids_in(self.incoming_unsettled, disposition.first, last):
                if disposition.settled:
                    self.incoming_unsettled.pop(delivery_id, None)

    @staticmethod
    def _ids_in(deliveries: dict[int, Any], first: int, last: int) -> list[int]:
        span = (last - first) & _SEQUENCE
        if span < len(deliveries):
            return [
                (first + step) & _SEQUENCE
                for step in range(span + 1)
                if (first + step) & _SEQUENCE in deliveries
            ]
        return [delivery_id for delivery_id in deliveries if ((delivery_id - first) & _SEQUENCE) <= span]

    async def _dispositions_for_sent(self, disposition: Disposition, last: int) -> None:
        for delivery_id in self._ids_in(self.outgoing_unsettled, disposition.first, last):
            delivery = self.outgoing_unsettled[delivery_id]
            delivery.remote_state = disposition.state
            link = delivery.link
            if disposition.settled:
                self.outgoing_unsettled.pop(delivery_id, None)
                link.unsettled.pop(delivery.tag, None)
            if link.state is not LinkState.ATTACHED:
                continue
            final = await self._call(
                link, link.handler.on_disposition(link, delivery, disposition.state, disposition.settled)
            )
            if not disposition.settled and disposition.state is not None and link.state is LinkState.ATTACHED:
                # Receiver settle mode second: the client waits for us to settle with the outcome.
                self.outgoing_unsettled.pop(delivery_id, None)
                link.unsettled.pop(delivery.tag, None)
                delivery.settled = True
                self.send(delivery.disposition(final if final is not None else disposition.state))

    async def _incoming_detach(self, detach: Detach) -> None:
        link = self.links_by_remote.get(detach.handle)
        if link is None:
            _LOG.info("detach for an unknown handle ignored", extra={"connection": self.connection.id})
            return
        was_live = link.state is LinkState.ATTACHED
        self._forget(link)
        link._set_state(LinkState.DETACHED)
        if was_live:
            self.send(Detach(handle=link.local_handle, closed=detach.closed))
            await self._notify_detached(link, detach.error)

    def _forget(self, link: Link) -> None:
        self.links_by_remote.pop(link.remote_handle, None)
        self.links_by_local.pop(link.local_handle, None)
        if isinstance(link, OutgoingLink):
            for delivery in link.unsettled.values():
                self.outgoing_unsettled.pop(delivery.delivery_id, None)

    async def _notify_detached(self, link: Link, error: AmqpError | None) -> None:
        try:
            await link.handler.on_detach(link, error)
        except Exception:
            _LOG.exception(
                "link detach handler failed", extra={"connection": self.connection.id, "link": link.name}
            )

    def detach_link(self, link: Link, error: AmqpError | None) -> None:
        """Server-initiated detach (closed=true); the handler learns of it on the next loop turn."""
        if link.state is not LinkState.ATTACHED:
            return
        link._set_state(LinkState.DETACH_SENT)
        self.send(Detach(handle=link.local_handle, closed=True, error=error))
        self.connection.spawn(self._notify_detached(link, error))

    async def _call(self, link: Link, callback: Any) -> Any:
        try:
            return await callback
        except LinkError as exc:
            self.detach_link(link, exc.to_error())
            return None
        except AmqpConditionError:
            raise
        except Exception:
            _LOG.exception("link handler failed", extra={"connection": self.connection.id, "link": link.name})
            self.detach_link(
                link, AmqpError(condition=Condition.INTERNAL_ERROR, description="handler failed")
            )
            return None

    # ------------------------------------------------------------------------------------ ending

    async def _incoming_end(self, end: End) -> None:
        if self.state is SessionState.MAPPED:
            self.connection.send_frame(self.local_channel, End())
        self._set_state(SessionState.ENDED)
        await self.release_links(end.error)
        self.connection.forget_session(self)

    async def end(self, error: AmqpError | None = None) -> None:
        """Server-initiated end; the session is gone once the client answers (or the connection closes)."""
        if self.state is not SessionState.MAPPED:
            return
        self.connection.send_frame(self.local_channel, End(error=error))
        self._set_state(SessionState.END_SENT)
        await self.release_links(error)

    async def release_links(self, error: AmqpError | None) -> None:
        """Tell every live link's handler that the link is gone."""
        links = list(self.links_by_local.values())
        self.links_by_local.clear()
        self.links_by_remote.clear()
        self._waiting.clear()
        for link in links:
            was_live = link.state is LinkState.ATTACHED
            link._set_state(LinkState.DETACHED)
            if was_live:
                await self._notify_detached(link, error)
