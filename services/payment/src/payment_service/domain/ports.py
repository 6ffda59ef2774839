"""What the domain needs from the world; adapters implement these."""

from __future__ import annotations

from typing import Any, Protocol

from payment_service.domain.models import ChargeResult, Money, Payment


class Ledger(Protocol):
    async def get(self, order_id: str) -> Payment | None: ...

    async def create(self, payment: Payment) -> Payment:
        """Inserts the row; when one exists already (a concurrent or earlier delivery) returns that one."""
        ...

    async def update(self, payment: Payment, *, previous: Payment | None = None) -> Payment:
        """Writes ``payment`` over the row if its etag still matches; raises ConcurrentUpdateError
        otherwise. ``previous``: the row as last read or written, so only what changed need be sent."""
        ...


class Gateway(Protocol):
    async def charge(self, idempotency_key: str, amount: Money, card_token: str) -> ChargeResult:
        """Charges at most once per idempotency key: a repeated key returns the first answer.

        Raises GatewayUnavailableError when the gateway does not answer.
        """
        ...

    async def refund(self, idempotency_key: str, payment_id: str, amount: Money) -> str:
        """Refunds a charge at most once per key; returns the refund id."""
        ...


class Publisher(Protocol):
    async def publish(self, message: dict[str, Any], *, traceparent: str | None) -> None:
        """Sends one outcome message (message id = the envelope id, correlation id = the order id)."""
        ...


class StepHook(Protocol):
    def __call__(self, step: str) -> None:
        """Called after each durable step (``charge``, ``record``, ``publish``, ``published``)."""
        ...
