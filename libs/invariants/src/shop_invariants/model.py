"""What the checker is told (the orders an experiment placed, the stock before) and what it answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

TERMINAL_STATUSES = frozenset({"PAID", "PAYMENT_FAILED", "CANCELLED", "FULFILLED"})
# Statuses whose money the shop keeps; a CANCELLED order whose payment landed late is "refund due".
PAID_STATUSES = frozenset({"PAID", "FULFILLED"})
REFUND_DUE = "refund due"


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class AcceptedOrder:
    """An order the order API answered 201 for: the shop now owes it an outcome."""

    id: str
    lines: tuple[OrderLine, ...]

    @classmethod
    def from_api(cls, order: Mapping[str, Any]) -> AcceptedOrder:
        lines = tuple(OrderLine(str(i["productId"]), int(i["quantity"])) for i in order["items"])
        return cls(str(order["id"]), lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "items": [{"productId": x.product_id, "quantity": x.quantity} for x in self.lines],
        }


@dataclass(frozen=True)
class StockLevel:
    stock: int
    reserved: int


@dataclass(frozen=True)
class Expectations:
    """What an experiment knows: the orders it got accepted, the stock of their products before it started,
    the messages it meant to poison (dead-letter entity path → count), and the bound on reaching a
    terminal status."""

    accepted: tuple[AcceptedOrder, ...]
    stock_before: Mapping[str, StockLevel]
    dead_letters_allowed: Mapping[str, int] = field(default_factory=dict)
    terminal_within_seconds: float = 120.0

    def product_ids(self) -> list[str]:
        return sorted({line.product_id for order in self.accepted for line in order.lines})


@dataclass(frozen=True)
class ObservedOrder:
    id: str
    status: str
    status_reason: str | None
    total: Decimal

    @property
    def refund_due(self) -> bool:
        return self.status == "CANCELLED" and (self.status_reason or "").startswith(REFUND_DUE)


@dataclass(frozen=True)
class LedgerRow:
    order_id: str
    payment_id: str
    state: str
    succeeded: bool | None
    amount: Decimal
    refunded: bool


@dataclass(frozen=True)
class GatewayCharge:
    payment_id: str
    approved: bool


@dataclass(frozen=True)
class Email:
    subject: str


@dataclass
class Observation:
    """One reading of the platform: every source read once, as close together as the APIs allow."""

    orders: dict[str, ObservedOrder | None]  # None: the order API answered 404
    ledger: list[LedgerRow]
    gateway: list[GatewayCharge] | None  # None: the gateway simulator's state is not readable here
    stock: dict[str, StockLevel]
    emails: list[Email]
    outbox_pending: int | None
    dead_letters: dict[str, int]  # entity path → dead-lettered messages
    elapsed: float = 0.0  # seconds since the checker started waiting


@dataclass(frozen=True)
class InvariantResult:
    """One invariant: whether it holds, the counts behind the verdict, and each offending object."""

    name: str
    holds: bool
    counts: Mapping[str, int | float | str]
    problems: tuple[str, ...] = ()

    def render(self, max_problems: int = 5) -> str:
        counts = " ".join(f"{key}={value}" for key, value in self.counts.items())
        lines = [f"{'PASS' if self.holds else 'FAIL'}  {self.name:<26} {counts}"]
        lines += [f"      - {problem}" for problem in self.problems[:max_problems]]
        if len(self.problems) > max_problems:
            lines.append(f"      ... and {len(self.problems) - max_problems} more")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "holds": self.holds,
            "counts": dict(self.counts),
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class InvariantReport:
    results: tuple[InvariantResult, ...]
    settled_after: float | None  # seconds until every invariant held; None when they never all did
    waited: float

    @property
    def holds(self) -> bool:
        return all(result.holds for result in self.results)

    def failed(self) -> list[str]:
        return [result.name for result in self.results if not result.holds]

    def render(self) -> str:
        verdict = (
            f"all {len(self.results)} invariants hold (settled after {self.settled_after:.1f} s)"
            if self.holds and self.settled_after is not None
            else f"{len(self.failed())} invariant(s) broken after waiting {self.waited:.1f} s: "
            + ", ".join(self.failed())
        )
        return "\n".join([*(result.render() for result in self.results), verdict])

    def as_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "settledAfter": self.settled_after,
            "waited": round(self.waited, 2),
            "results": [result.as_json() for result in self.results],
        }
