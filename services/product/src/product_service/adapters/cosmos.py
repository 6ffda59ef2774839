"""Cosmos DB (NoSQL) repositories for products and reservations.

Both containers are partitioned by ``/id``. Documents use camelCase field names. Deviations forced by the
local Cosmos server (``@vercel/cosmosdb-server``), harmless on Cosmos DB:

* no OFFSET/LIMIT, DISTINCT or GROUP BY: lists page with continuation tokens and categories are counted
  here;
* no transactional batch: stock holds are single-document conditional patches (filter predicates), and
  all-or-nothing across products is done by the domain with compensation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from product_service.domain.errors import (
    AlreadyExistsError,
    DependencyUnavailableError,
    InvalidCursorError,
    NotFoundError,
    PreconditionFailedError,
)
from product_service.domain.models import (
    HoldOutcome,
    ImageInfo,
    Product,
    ProductFields,
    ProductFilter,
    Rejection,
    Reservation,
    ReservationLine,
    ReservationStatus,
    price_to_minor,
)

P = ParamSpec("P")
R = TypeVar("R")

# An empty page with a continuation is legal in Cosmos DB (a partition with no match); skip a few.
_MAX_EMPTY_PAGES = 5


def _unavailable(func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turns "the store did not answer" into DependencyUnavailableError (503 at the edge)."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(*args, **kwargs)
        except CosmosHttpResponseError as exc:
            if exc.status_code in (429, 503, 408):
                raise DependencyUnavailableError("the catalog store is busy; retry") from exc
            raise
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise DependencyUnavailableError("the catalog store is unreachable") from exc

    return wrapper


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _create_item(container: ContainerProxy, doc: dict[str, Any], conflict: str) -> dict[str, Any]:
    """Creates ``doc``; a document with its id already there is AlreadyExistsError(``conflict``)."""
    try:
        return await container.create_item(doc)
    except CosmosHttpResponseError as exc:
        if exc.status_code == 409:
            raise AlreadyExistsError(conflict) from exc
        raise


def _hold_path(order_id: str) -> str:
    return f"/holds/{order_id}"


# Every write to a product increments it, so that answers of concurrent writes can be told apart by age.
_NEXT_REVISION: dict[str, Any] = {"op": "incr", "path": "/revision", "value": 1}


def _hold_ref(order_id: str) -> str:
    # order ids are restricted to [A-Za-z0-9_-] (see domain.models.ID_PATTERN), so quoting is safe.
    return f'c.holds["{order_id}"]'


def product_to_doc(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": str(product.price),
        "priceMinor": price_to_minor(product.price),
        "currency": product.currency,
        "stock": product.stock,
        "reserved": product.reserved,
        "holds": {},
        "revision": product.revision,
        "image": _image_to_doc(product.image),
        "createdAt": _iso(product.created_at),
        "updatedAt": _iso(product.updated_at),
    }


def _image_to_doc(image: ImageInfo | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {"contentType": image.content_type, "size": image.size, "etag": image.etag}


def doc_to_product(doc: dict[str, Any]) -> Product:
    image = doc.get("image")
    return Product(
        id=doc["id"],
        name=doc["name"],
        description=doc["description"],
        category=doc["category"],
        price=Decimal(doc["price"]),
        currency=doc["currency"],
        stock=int(doc["stock"]),
        reserved=int(doc.get("reserved", 0)),
        created_at=_parse_time(doc["createdAt"]),
        updated_at=_parse_time(doc["updatedAt"]),
        image=ImageInfo(image["contentType"], int(image["size"]), image["etag"]) if image else None,
        version=doc["_etag"],
        revision=int(doc.get("revision", 0)),
    )


class CosmosProductRepository:
    def __init__(self, container: ContainerProxy) -> None:
        self._container = container

    @_unavailable
    async def get(self, product_id: str) -> Product | None:
        doc = await self._read(product_id)
        return doc_to_product(doc) if doc is not None else None

    @_unavailable
    async def query(
        self, product_filter: ProductFilter, limit: int, continuation: str | None
    ) -> tuple[list[Product], str | None]:
        where, parameters = _where(product_filter)
        # Values go in as @parameters (B608).
        sql = f"SELECT * FROM c{where} ORDER BY c.name"  # nosec B608
        items: list[Product] = []
        token = continuation
        try:
            for _ in range(_MAX_EMPTY_PAGES):
                # The page iterator's declared type omits continuation_token, which it has.
                pages: Any = self._container.query_items(
                    sql, parameters=parameters, max_item_count=limit
                ).by_page(token)
                try:
                    page = await anext(pages)
                except StopAsyncIteration:
                    return items, None
                items.extend([doc_to_product(doc) async for doc in page])
                token = pages.continuation_token
                if items or not token:
                    break
        except CosmosHttpResponseError as exc:
            if exc.status_code == 400 and continuation is not None:
                raise InvalidCursorError("cursor is no longer valid") from exc
            raise
        except (ValueError, KeyError, TypeError) as exc:
            # The SDK parses the continuation token itself before sending it.
            raise InvalidCursorError("cursor is no longer valid") from exc
        return items, token or None

    @_unavailable
    async def category_names(self) -> list[str]:
        query = self._container.query_items("SELECT VALUE c.category FROM c")
        return [str(name) async for name in query]

    @_unavailable
    async def create(self, product: Product) -> Product:
        doc = await _create_item(
            self._container, product_to_doc(product), f"product '{product.id}' already exists"
        )
        return doc_to_product(doc)

    @_unavailable
    async def update(
        self, product_id: str, fields: ProductFields, updated_at: datetime, version: str
    ) -> Product:
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/name", "value": fields.name},
            {"op": "set", "path": "/description", "value": fields.description},
            {"op": "set", "path": "/category", "value": fields.category},
            {"op": "set", "path": "/price", "value": str(fields.price)},
            {"op": "set", "path": "/priceMinor", "value": price_to_minor(fields.price)},
            {"op": "set", "path": "/currency", "value": fields.currency},
            {"op": "set", "path": "/stock", "value": fields.stock},
            {"op": "set", "path": "/updatedAt", "value": _iso(updated_at)},
            _NEXT_REVISION,
        ]
        return doc_to_product(await self._patch(product_id, operations, version=version))

    @_unavailable
    async def delete(self, product_id: str, version: str) -> None:
        try:
            await self._container.delete_item(
                product_id, product_id, etag=version, match_condition=MatchConditions.IfNotModified
            )
        except CosmosHttpResponseError as exc:
            raise _write_error(exc, product_id) from exc

    @_unavailable
    async def set_image(self, product_id: str, image: ImageInfo | None, updated_at: datetime) -> Product:
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/image", "value": _image_to_doc(image)},
            {"op": "set", "path": "/updatedAt", "value": _iso(updated_at)},
            _NEXT_REVISION,
        ]
        return doc_to_product(await self._patch(product_id, operations))

    @_unavailable
    async def take_hold(
        self, product_id: str, order_id: str, quantity: int
    ) -> tuple[HoldOutcome, Product | None]:
        operations = [
            {"op": "incr", "path": "/stock", "value": -quantity},
            {"op": "incr", "path": "/reserved", "value": quantity},
            {"op": "set", "path": _hold_path(order_id), "value": quantity},
            _NEXT_REVISION,
        ]
        # One conditional write: stock can never go below zero and an order can hold a product only once.
        condition = f"from c where c.stock >= {int(quantity)} AND NOT IS_DEFINED({_hold_ref(order_id)})"
        try:
            doc = await self._container.patch_item(
                product_id, product_id, operations, filter_predicate=condition
            )
        except CosmosHttpResponseError as exc:
            if exc.status_code == 404:
                return HoldOutcome.MISSING, None
            if exc.status_code != 412:
                raise
            current = await self._read(product_id)
            if current is None:
                return HoldOutcome.MISSING, None
            held = order_id in current.get("holds", {})
            return (HoldOutcome.ALREADY_HELD if held else HoldOutcome.SHORT), doc_to_product(current)
        return HoldOutcome.TAKEN, doc_to_product(doc)

    @_unavailable
    async def hold_of(self, product_id: str, order_id: str) -> tuple[int | None, Product | None]:
        doc = await self._read(product_id)
        if doc is None:
            return None, None
        held = doc.get("holds", {}).get(order_id)
        return (None if held is None else int(held)), doc_to_product(doc)

    @_unavailable
    async def release_hold(self, product_id: str, order_id: str, quantity: int) -> Product | None:
        return await self._end_hold(
            product_id,
            order_id,
            quantity,
            [
                {"op": "incr", "path": "/stock", "value": quantity},
                {"op": "incr", "path": "/reserved", "value": -quantity},
            ],
        )

    @_unavailable
    async def commit_hold(self, product_id: str, order_id: str, quantity: int) -> Product | None:
        return await self._end_hold(
            product_id, order_id, quantity, [{"op": "incr", "path": "/reserved", "value": -quantity}]
        )

    async def _end_hold(
        self, product_id: str, order_id: str, quantity: int, operations: list[dict[str, Any]]
    ) -> Product | None:
        operations = [*operations, {"op": "remove", "path": _hold_path(order_id)}, _NEXT_REVISION]
        condition = f"from c where {_hold_ref(order_id)} = {int(quantity)}"
        try:
            doc = await self._container.patch_item(
                product_id, product_id, operations, filter_predicate=condition
            )
        except CosmosHttpResponseError as exc:
            if exc.status_code in (404, 412):
                return None
            raise
        return doc_to_product(doc)

    async def _read(self, product_id: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = await self._container.read_item(product_id, partition_key=product_id)
        except CosmosHttpResponseError as exc:
            if exc.status_code == 404:
                return None
            raise
        return doc

    async def _patch(
        self, product_id: str, operations: list[dict[str, Any]], version: str | None = None
    ) -> dict[str, Any]:
        match_condition = MatchConditions.IfNotModified if version else None
        try:
            doc: dict[str, Any] = await self._container.patch_item(
                product_id, product_id, operations, etag=version, match_condition=match_condition
            )
        except CosmosHttpResponseError as exc:
            raise _write_error(exc, product_id) from exc
        return doc


def _write_error(exc: CosmosHttpResponseError, product_id: str) -> Exception:
    return _mapped_write_error(
        exc,
        missing=f"product '{product_id}' does not exist",
        changed=f"product '{product_id}' has changed since it was read",
    )


def _mapped_write_error(exc: CosmosHttpResponseError, *, missing: str, changed: str) -> Exception:
    """A failed write as the domain's error: 404 -> NotFoundError, 412 -> PreconditionFailedError."""
    if exc.status_code == 404:
        return NotFoundError(missing)
    if exc.status_code == 412:
        return PreconditionFailedError(changed)
    return exc


def _where(product_filter: ProductFilter) -> tuple[str, list[dict[str, Any]]]:
    clauses: list[str] = []
    parameters: list[dict[str, Any]] = []
    if product_filter.category is not None:
        clauses.append("c.category = @category")
        parameters.append({"name": "@category", "value": product_filter.category})
    if product_filter.text:
        # LOWER on both sides: the 3-argument (case-insensitive) CONTAINS does not parse locally.
        clauses.append("(CONTAINS(LOWER(c.name), @text) OR CONTAINS(LOWER(c.description), @text))")
        parameters.append({"name": "@text", "value": product_filter.text.lower()})
    if product_filter.min_price is not None:
        clauses.append("c.priceMinor >= @minPrice")
        parameters.append({"name": "@minPrice", "value": price_to_minor(product_filter.min_price)})
    if product_filter.max_price is not None:
        clauses.append("c.priceMinor <= @maxPrice")
        parameters.append({"name": "@maxPrice", "value": price_to_minor(product_filter.max_price)})
    if product_filter.in_stock is True:
        clauses.append("c.stock > 0")
    elif product_filter.in_stock is False:
        clauses.append("c.stock <= 0")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), parameters


def _reservation_write_error(exc: CosmosHttpResponseError, order_id: str) -> Exception:
    return _mapped_write_error(
        exc,
        missing=f"no reservation for order '{order_id}'",
        changed=f"reservation for order '{order_id}' has changed",
    )


def reservation_to_doc(reservation: Reservation) -> dict[str, Any]:
    rejection = reservation.rejection
    return {
        "id": reservation.order_id,
        "status": reservation.status.value,
        "items": [_line_to_doc(line) for line in reservation.items],
        "createdAt": _iso(reservation.created_at),
        "updatedAt": _iso(reservation.updated_at),
        "updatedAtMs": _millis(reservation.updated_at),
        "expiresAt": _iso(reservation.expires_at),
        "expiresAtMs": _millis(reservation.expires_at),
        "settled": reservation.settled,
        "rejection": None
        if rejection is None
        else {
            "reason": rejection.reason,
            "productId": rejection.product_id,
            "requested": rejection.requested,
            "available": rejection.available,
        },
    }


def _line_to_doc(line: ReservationLine) -> dict[str, Any]:
    doc: dict[str, Any] = {"productId": line.product_id, "quantity": line.quantity}
    if line.unit_price is not None:
        doc["unitPrice"] = str(line.unit_price)
        doc["currency"] = line.currency
    return doc


def _doc_to_line(doc: dict[str, Any]) -> ReservationLine:
    # Lines written before reservations recorded prices have neither field.
    unit_price = doc.get("unitPrice")
    return ReservationLine(
        doc["productId"],
        int(doc["quantity"]),
        unit_price=Decimal(unit_price) if unit_price is not None else None,
        currency=doc.get("currency"),
    )


def doc_to_reservation(doc: dict[str, Any]) -> Reservation:
    rejection = doc.get("rejection")
    return Reservation(
        order_id=doc["id"],
        status=ReservationStatus(doc["status"]),
        items=tuple(_doc_to_line(item) for item in doc["items"]),
        created_at=_parse_time(doc["createdAt"]),
        updated_at=_parse_time(doc["updatedAt"]),
        expires_at=_parse_time(doc["expiresAt"]),
        settled=bool(doc["settled"]),
        rejection=Rejection(
            rejection["reason"], rejection["productId"], rejection["requested"], rejection["available"]
        )
        if rejection
        else None,
        version=doc["_etag"],
    )


class CosmosReservationRepository:
    def __init__(self, container: ContainerProxy) -> None:
        self._container = container

    @_unavailable
    async def create(self, reservation: Reservation) -> Reservation:
        doc = await _create_item(
            self._container,
            reservation_to_doc(reservation),
            f"order '{reservation.order_id}' already has a reservation",
        )
        return doc_to_reservation(doc)

    @_unavailable
    async def get(self, order_id: str) -> Reservation | None:
        try:
            doc = await self._container.read_item(order_id, partition_key=order_id)
        except CosmosHttpResponseError as exc:
            if exc.status_code == 404:
                return None
            raise
        return doc_to_reservation(doc)

    @_unavailable
    async def replace(self, reservation: Reservation) -> Reservation:
        try:
            doc = await self._container.replace_item(
                reservation.order_id,
                reservation_to_doc(reservation),
                etag=reservation.version,
                match_condition=MatchConditions.IfNotModified,
            )
        except CosmosHttpResponseError as exc:
            raise _reservation_write_error(exc, reservation.order_id) from exc
        return doc_to_reservation(doc)

    @_unavailable
    async def move_if_reserved(
        self, order_id: str, status: ReservationStatus, now: datetime
    ) -> Reservation | None:
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/status", "value": status.value},
            {"op": "set", "path": "/settled", "value": False},
            {"op": "set", "path": "/updatedAt", "value": _iso(now)},
            {"op": "set", "path": "/updatedAtMs", "value": _millis(now)},
        ]
        # Now rounded up to a whole second: never lenient, and one predicate text per second (the local
        # server compiles every new one).
        open_after = math.ceil(_millis(now) / 1000) * 1000
        condition = f"from c where c.status = 'RESERVED' AND c.expiresAtMs > {open_after}"
        try:
            doc = await self._container.patch_item(order_id, order_id, operations, filter_predicate=condition)
        except CosmosHttpResponseError as exc:
            if exc.status_code in (404, 412):
                return None
            raise
        return doc_to_reservation(doc)

    @_unavailable
    async def delete(self, reservation: Reservation) -> None:
        try:
            await self._container.delete_item(
                reservation.order_id,
                reservation.order_id,
                etag=reservation.version,
                match_condition=MatchConditions.IfNotModified,
            )
        except CosmosHttpResponseError as exc:
            raise _reservation_write_error(exc, reservation.order_id) from exc

    async def due(self, now: datetime, unsettled_before: datetime) -> AsyncIterator[Reservation]:
        query = self._container.query_items(
            "SELECT * FROM c WHERE"
            " ((c.status = 'PENDING' OR c.status = 'RESERVED') AND c.expiresAtMs <= @now)"
            " OR (c.settled = false AND c.updatedAtMs <= @cutoff)",
            parameters=[
                {"name": "@now", "value": _millis(now)},
                {"name": "@cutoff", "value": _millis(unsettled_before)},
            ],
        )
        async for doc in query:
            yield doc_to_reservation(doc)
