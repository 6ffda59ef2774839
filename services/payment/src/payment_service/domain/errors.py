"""Typed failures of the payment domain; the API and the worker translate them once, at their edge."""

from __future__ import annotations


class PaymentError(Exception):
    """Base of the domain's errors."""


class PoisonMessageError(PaymentError):
    """A message that can never be processed: dead-letter it with this reason and description."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(f"{reason}: {description}")
        self.reason = reason
        self.description = description


class GatewayUnavailableError(PaymentError):
    """The gateway did not answer (timeout, connection refused); the outcome of that attempt is unknown."""


class GatewayGaveUpError(PaymentError):
    """Every attempt within the retry budget ended in ``GatewayUnavailableError``."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"gateway unavailable after {attempts} attempts")
        self.attempts = attempts


class ConcurrentUpdateError(PaymentError):
    """Another worker changed the ledger row since we read it; re-read and resume."""


class PaymentNotFoundError(PaymentError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no payment for order {order_id}")
        self.order_id = order_id


class RefundNotAllowedError(PaymentError):
    def __init__(self, order_id: str, state: str) -> None:
        super().__init__(
            f"the payment of order {order_id} is {state}; only a published, charged payment refunds"
        )
        self.order_id = order_id
        self.state = state
