"""Domain records: products, images, reservations and the filters used to list products."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

# Ids become Cosmos document ids, blob names and JSON-patch path segments: kept to a safe alphabet.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


def price_to_minor(price: Decimal) -> int:
    """Whole cents, kept next to the decimal string so that range filters compare integers."""
    return int((price * 100).to_integral_value())


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    size: int
    etag: str


@dataclass(frozen=True)
class ProductFields:
    """What an administrator sets on a product (create and full replace)."""

    name: str
    description: str
    category: str
    price: Decimal
    currency: str
    stock: int


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str
    category: str
    price: Decimal
    currency: str
    stock: int
    reserved: int
    created_at: datetime
    updated_at: datetime
    image: ImageInfo | None = None
    version: str | None = None
    # Incremented by every write to the stored product: orders the answers of this process's writes.
    revision: int = 0


@dataclass(frozen=True)
class ProductFilter:
    category: str | None = None
    text: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None

    def fingerprint(self) -> str:
        """A stable description of the filter, bound into cursors so a cursor only resumes its own query."""
        parts = (self.category, self.text, self.min_price, self.max_price, self.in_stock)
        return "|".join("" if part is None else str(part) for part in parts)


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class CategorySummary:
    name: str
    product_count: int


class HoldOutcome(StrEnum):
    """Result of trying to set aside stock of one product for one order."""

    TAKEN = "taken"
    ALREADY_HELD = "already_held"
    MISSING = "missing"
    SHORT = "short"


class ReservationStatus(StrEnum):
    PENDING = "PENDING"
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


# Statuses whose holds must be handed back to available stock when settled.
RETURNING_STATUSES = frozenset(
    {ReservationStatus.RELEASED, ReservationStatus.EXPIRED, ReservationStatus.REJECTED}
)


@dataclass(frozen=True)
class ReservationLine:
    """One product of a reservation: what the order asked for, and once its hold is taken, the product's
    price and currency at that moment (the order service prices the order from them).

    Lines compare by what was asked for only: a repeated request carries no prices, and must match the
    stored lines that do. A reservation stored before lines carried prices has none.
    """

    product_id: str
    quantity: int
    unit_price: Decimal | None = field(default=None, compare=False)
    currency: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rejection:
    reason: str  # "unknown_product" or "insufficient_stock"
    product_id: str
    requested: int
    available: int | None


@dataclass(frozen=True)
class Reservation:
    """One order's claim on stock, and the idempotency record of every step taken for it.

    ``settled`` is true once the products' holds agree with ``status`` (taken for RESERVED, turned into
    sales for CONFIRMED, handed back otherwise); a crash between the two writes leaves it false and the
    sweeper finishes the job.
    """

    order_id: str
    status: ReservationStatus
    items: tuple[ReservationLine, ...]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    settled: bool = False
    rejection: Rejection | None = None
    version: str | None = field(default=None, compare=False)
