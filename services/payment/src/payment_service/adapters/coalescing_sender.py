"""One topic's sender shared by every message's task: one send in flight at a time, and whatever the
tasks publish meanwhile goes out together in the next send (one batch, one AMQP transfer, one round trip).

The SDK's sender is not coroutine-safe (its README says so, and its link is swapped underneath a task that
reopens it while another one sends), so sends cannot simply run side by side. Taking turns one message per
round trip made outcomes queue behind each other under load, and each send costs the worker and the broker
a transfer and a disposition of its own. Gathered, the busier the worker, the more outcomes a send carries:
at rest a send carries one message (sent as itself, not as a batch of one), so nothing waits longer than
it did. Every publisher learns its own message's fate: the send that carried it succeeded, or its error
is raised to every publisher in it.
"""

from __future__ import annotations

import asyncio

from azure.servicebus import ServiceBusMessage, ServiceBusMessageBatch
from azure.servicebus.aio import ServiceBusSender
from azure.servicebus.exceptions import MessageSizeExceededError

_Waiting = tuple[ServiceBusMessage, "asyncio.Future[None]"]


class CoalescingSender:
    def __init__(self, sender: ServiceBusSender, turn: asyncio.Lock) -> None:
        self._sender = sender
        self._turn = turn
        """Shared with whatever else uses the sender (the readiness ping)."""
        self._waiting: list[_Waiting] = []
        self._flushing: asyncio.Task[None] | None = None
        self.sends = 0
        """How many sends carried the messages so far."""

    async def send(self, message: ServiceBusMessage) -> None:
        """Returns once the send carrying ``message`` is acknowledged; raises what that send raised."""
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, sent))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await sent

    async def _flush(self) -> None:
        while self._waiting:
            taken: list[_Waiting] = []
            try:
                async with self._turn:
                    if len(self._waiting) == 1:
                        # Alone, a message goes as itself: a batch of one would be encoded twice (to
                        # measure it, then inside the batch) and unpacked by the broker.
                        taken = [self._waiting.pop(0)]
                        await self._sender.send_messages(taken[0][0])
                    else:
                        batch = await self._sender.create_message_batch()
                        taken = self._fill(batch)
                        if not taken:
                            continue
                        await self._sender.send_messages(batch)
                    self.sends += 1
            except BaseException as error:
                # Nothing of the batch is known to have arrived: each publisher's message is abandoned
                # and redelivered, as after a failed single send. No batch at all: every waiting one fails.
                if not taken:
                    taken, self._waiting = self._waiting, []
                for _, sent in taken:
                    if not sent.done():
                        sent.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for _, sent in taken:
                    if not sent.done():
                        sent.set_result(None)

    def _fill(self, batch: ServiceBusMessageBatch) -> list[_Waiting]:
        """Moves the waiting messages that fit into ``batch``, first come first. A message too large for
        any batch fails on its own."""
        taken: list[_Waiting] = []
        while self._waiting:
            message, sent = self._waiting[0]
            try:
                batch.add_message(message)
            except MessageSizeExceededError as error:
                if taken:
                    break
                del self._waiting[0]
                if not sent.done():
                    sent.set_exception(error)
                continue
            taken.append(self._waiting.pop(0))
        return taken
