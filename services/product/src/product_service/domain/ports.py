"""What the domain needs from storage. The adapters implement these; tests use the real adapters."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from product_service.domain.models import (
    HoldOutcome,
    ImageInfo,
    Product,
    ProductFields,
    ProductFilter,
    Reservation,
    ReservationStatus,
)


class ProductRepository(Protocol):
    async def get(self, product_id: str) -> Product | None: ...

    async def query(
        self, product_filter: ProductFilter, limit: int, continuation: str | None
    ) -> tuple[list[Product], str | None]:
        """One page in name order; raises InvalidCursorError when the store rejects ``continuation``."""
        ...

    async def category_names(self) -> list[str]:
        """The category of every product (with repeats)."""
        ...

    async def create(self, product: Product) -> Product:
        """Raises AlreadyExistsError."""
        ...

    async def update(
        self, product_id: str, fields: ProductFields, updated_at: datetime, version: str
    ) -> Product:
        """Writes the administrator's fields only if the stored version is ``version``.

        Raises PreconditionFailedError or NotFoundError. Stock held for orders is left as it is.
        """
        ...

    async def delete(self, product_id: str, version: str) -> None:
        """Raises PreconditionFailedError or NotFoundError."""
        ...

    async def set_image(self, product_id: str, image: ImageInfo | None, updated_at: datetime) -> Product:
        """Raises NotFoundError."""
        ...

    async def take_hold(
        self, product_id: str, order_id: str, quantity: int
    ) -> tuple[HoldOutcome, Product | None]:
        """Atomically moves ``quantity`` from available to reserved and records the hold for the order,
        unless the order already holds this product or available stock is short. Also returns the product
        as stored after the attempt (None when it does not exist)."""
        ...

    async def hold_of(self, product_id: str, order_id: str) -> tuple[int | None, Product | None]:
        """The quantity the order holds of the product (None when it holds none), and the product as read
        (None when it does not exist). Reads only."""
        ...

    async def release_hold(self, product_id: str, order_id: str, quantity: int) -> Product | None:
        """Returns the order's hold to available stock: the product as that write left it, or None when
        there was no such hold."""
        ...

    async def commit_hold(self, product_id: str, order_id: str, quantity: int) -> Product | None:
        """Turns the order's hold into a sale (reserved stock leaves): the product as that write left it,
        or None when there was no such hold."""
        ...


class ReservationRepository(Protocol):
    async def create(self, reservation: Reservation) -> Reservation:
        """Raises AlreadyExistsError."""
        ...

    async def get(self, order_id: str) -> Reservation | None: ...

    async def replace(self, reservation: Reservation) -> Reservation:
        """Conditional on ``reservation.version``; raises PreconditionFailedError when it is stale."""
        ...

    async def move_if_reserved(
        self, order_id: str, status: ReservationStatus, now: datetime
    ) -> Reservation | None:
        """In one conditional write, moves a reservation that is RESERVED and open at ``now`` to ``status``
        (not yet settled). None when it is not, or might not be (a reservation about to expire may be
        refused), or does not exist: the caller reads it and decides."""
        ...

    async def delete(self, reservation: Reservation) -> None:
        """Conditional on ``reservation.version``; raises PreconditionFailedError or NotFoundError."""
        ...

    def due(self, now: datetime, unsettled_before: datetime) -> AsyncIterator[Reservation]:
        """Open reservations past their expiry, and finished ones left unsettled since before the cut-off."""
        ...


@dataclass(frozen=True)
class StoredImage:
    content_type: str
    size: int
    etag: str
    chunks: AsyncGenerator[bytes, None]
    # The whole image, when it is in memory already: answered as one body, with no stream to run.
    data: bytes | None = None


class ImageStore(Protocol):
    async def put(self, product_id: str, data: bytes, content_type: str) -> ImageInfo: ...

    async def open(self, product_id: str) -> StoredImage | None: ...

    async def delete(self, product_id: str) -> None: ...
