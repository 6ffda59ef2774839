"""Typed failures raised by the domain and the adapters; the API layer turns each into one problem+json."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every expected failure. ``detail`` is safe to show to the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    pass


class AlreadyExistsError(DomainError):
    pass


class PreconditionFailedError(DomainError):
    """The caller's (or our own read's) version of a document is stale."""


class InvalidCursorError(DomainError):
    pass


class ProductInUseError(DomainError):
    """The product still holds stock for reservations that are neither confirmed nor released."""


@dataclass(frozen=True)
class StockProblem:
    product_id: str
    requested: int
    available: int | None


class ItemRejectedError(DomainError):
    """An item of a reservation that cannot be held. ``index`` is the item's position in the request, when
    the caller knows it (the API does), so that the refusal can name the field at fault."""

    def __init__(self, detail: str, problem: StockProblem) -> None:
        super().__init__(detail)
        self.problem = problem
        self.index: int | None = None


class UnknownProductError(ItemRejectedError):
    def __init__(self, problem: StockProblem) -> None:
        super().__init__(f"product '{problem.product_id}' does not exist", problem)


class InsufficientStockError(ItemRejectedError):
    def __init__(self, problem: StockProblem) -> None:
        super().__init__(
            f"product '{problem.product_id}' has {problem.available} in stock, {problem.requested} requested",
            problem,
        )


class ReservationConflictError(DomainError):
    """The reservation exists but its state (or its items) forbid the requested step."""


class ImageRejectedError(DomainError):
    pass


class ImageTooLargeError(DomainError):
    pass


class DependencyUnavailableError(DomainError):
    """A backing store did not answer; the request may be retried."""
