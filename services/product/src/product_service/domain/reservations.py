"""Stock reservations for the order saga: reserve, confirm, release, expire.

The store offers no multi-document transaction (the local Cosmos server has no transactional batch, and the
products live in separate partitions anyway), so all-or-nothing is built from three pieces:

* the reservation document, created first, is the idempotency record: one per order id;
* each product records the quantity it holds per order (a "hold"), taken and returned with one conditional
  write each, so every per-product step can be repeated safely;
* a failure part-way compensates by returning the holds already taken.

Each hold's write answers the product as it left it, so the reservation records every line's price and
currency at the moment its stock was held, in the same write that marks it RESERVED (no extra read): an
order is priced from the reservation's answer, and a replay answers the same prices.

A status change is always written to the reservation document before the products are touched
(``settled`` is false in between); whoever finds an unsettled reservation (a retried call or the sweeper)
finishes it.

The one exception is RESERVED itself: once every hold is taken, the order service has its answer while
that write is still on its way (one Cosmos DB round trip fewer on ``POST /orders``). In this process every
later step for the order (get, replay, confirm, release) waits for the write first. A reservation left
PENDING after its answer (the write failed, or the process stopped before it) still has all its holds: a
confirm finishes recording it, a release or the sweeper returns them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar, cast

from product_service.domain.catalog import Clock, utc_now
from product_service.domain.catalog_cache import CatalogCache
from product_service.domain.errors import (
    AlreadyExistsError,
    InsufficientStockError,
    NotFoundError,
    PreconditionFailedError,
    ReservationConflictError,
    StockProblem,
    UnknownProductError,
)
from product_service.domain.models import (
    RETURNING_STATUSES,
    HoldOutcome,
    Product,
    Rejection,
    Reservation,
    ReservationLine,
    ReservationStatus,
)
from product_service.domain.ports import ProductRepository, ReservationRepository

log = logging.getLogger(__name__)
T = TypeVar("T")

# A state change lost to a concurrent writer is re-read and retried at most this often.
_MAX_ATTEMPTS = 5

# The answer goes out before the RESERVED write only while at least this share of the TTL is left, so that
# the write lands long before the sweeper could expire the reservation under it.
_EARLY_ANSWER_TTL_SHARE = 0.5


def rejection_error(rejection: Rejection) -> UnknownProductError | InsufficientStockError:
    problem = StockProblem(rejection.product_id, rejection.requested, rejection.available)
    if rejection.reason == "unknown_product":
        return UnknownProductError(problem)
    return InsufficientStockError(problem)


_HELD = (HoldOutcome.TAKEN, HoldOutcome.ALREADY_HELD)
# Statuses a confirm or a release can still move on from (a PENDING one is finished first, see _move).
_OPEN = (ReservationStatus.PENDING, ReservationStatus.RESERVED)


async def _every(steps: Iterable[Awaitable[T]]) -> list[T]:
    """Runs per-product steps concurrently (each product is its own document, so they never contend) and
    waits for all of them, even when one fails, so that nothing is still writing when the caller
    compensates or retries; then raises the first failure, in line order."""
    pending = list(steps)
    if len(pending) == 1:  # most orders have one line: no task to make
        return [await pending[0]]
    results = await asyncio.gather(*pending, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return cast(list[T], results)


def _priced(line: ReservationLine, product: Product | None) -> ReservationLine:
    """The line with the price and currency of the product its hold was taken on."""
    if product is None:
        return line
    return replace(line, unit_price=product.price, currency=product.currency)


class ReservationService:
    def __init__(
        self,
        products: ProductRepository,
        reservations: ReservationRepository,
        *,
        ttl: timedelta,
        cache: CatalogCache | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._products = products
        self._reservations = reservations
        self._ttl = ttl
        # Told about every hold change, so that the catalog shows this process's reservations at once.
        self._cache = cache or CatalogCache(0)
        self._clock = clock
        # RESERVED writes still on their way after the answer, by order id.
        self._recording: dict[str, asyncio.Task[None]] = {}

    async def get(self, order_id: str) -> Reservation:
        await self._recorded(order_id)
        reservation = await self._reservations.get(order_id)
        if reservation is None:
            raise NotFoundError(f"no reservation for order '{order_id}'")
        return reservation

    async def reserve(self, order_id: str, items: Sequence[ReservationLine]) -> tuple[Reservation, bool]:
        """Holds every line or none. Returns the reservation and whether this call was a repeat.

        A repeat with the same items gives the first call's outcome (including its rejection); a repeat
        with different items is a conflict.
        """
        lines = tuple(sorted(items, key=lambda line: line.product_id))
        now = self._clock()
        draft = Reservation(
            order_id=order_id,
            status=ReservationStatus.PENDING,
            items=lines,
            created_at=now,
            updated_at=now,
            expires_at=now + self._ttl,
        )
        try:
            reservation = await self._reservations.create(draft)
        except AlreadyExistsError:
            return await self._replay(order_id, lines), True

        rejection: Rejection | None = None
        try:
            # All lines at once, since the order service waits for this answer. Lines after a refused
            # one may be taken meanwhile; the rejection returns the holds of every line, as it always did.
            holds = await _every(self._take_hold(order_id, line) for line in lines)
            refused = [(line, o) for line, (o, _) in zip(lines, holds, strict=True) if o not in _HELD]
            if refused:
                rejection = await self._rejection(*refused[0])
        except Exception:
            await self._abandon(reservation)
            raise
        if rejection is not None:
            try:
                await self._finish(reservation, ReservationStatus.REJECTED, rejection=rejection)
            except PreconditionFailedError:
                await self._return_holds(reservation)  # the sweeper expired it meanwhile
            raise rejection_error(rejection)

        reserved = replace(
            reservation,
            items=tuple(_priced(line, held) for line, (_, held) in zip(lines, holds, strict=True)),
            status=ReservationStatus.RESERVED,
            settled=True,
            updated_at=self._clock(),
        )
        if reserved.updated_at <= reservation.expires_at - self._ttl * _EARLY_ANSWER_TTL_SHARE:
            self._record_after_answer(reservation, reserved)
        else:
            reserved = await self._record_reserved(reservation, reserved)
        log.info("reservation.reserved", extra={"order_id": order_id, "lines": len(lines)})
        return reserved, False

    async def drain(self) -> None:
        """Waits for the RESERVED writes still on their way (at shutdown, before the clients close)."""
        await asyncio.gather(*self._recording.values(), return_exceptions=True)

    async def confirm(self, order_id: str) -> Reservation:
        return await self._move(order_id, ReservationStatus.CONFIRMED)

    async def release(self, order_id: str) -> Reservation:
        return await self._move(order_id, ReservationStatus.RELEASED)

    async def sweep(self) -> int:
        """Expires open reservations past their TTL and settles any left half-done. Returns how many it
        changed. Safe to run in several processes at once."""
        now = self._clock()
        count = 0
        async for reservation in self._reservations.due(now, unsettled_before=now - self._ttl):
            try:
                if reservation.status in _OPEN:
                    await self._finish(reservation, ReservationStatus.EXPIRED)
                    log.info("reservation.expired", extra={"order_id": reservation.order_id})
                elif not reservation.settled:
                    await self._settle(reservation)
                else:
                    continue
            except PreconditionFailedError:
                continue  # someone else moved it first; it is theirs to finish
            count += 1
        return count

    async def _move(self, order_id: str, target: ReservationStatus) -> Reservation:
        await self._recorded(order_id)
        # The usual case (RESERVED and open) in one write; anything else is read and decided below.
        moved = await self._reservations.move_if_reserved(order_id, target, self._clock())
        if moved is not None:
            return await self._settle(moved)
        for _ in range(_MAX_ATTEMPTS):
            current = await self.get(order_id)
            if current.status in _OPEN and current.expires_at <= self._clock():
                # Past its TTL the reservation is expired whether or not the sweeper got to it yet.
                try:
                    current = await self._finish(current, ReservationStatus.EXPIRED)
                except PreconditionFailedError:
                    continue
            if current.status is ReservationStatus.PENDING and target is ReservationStatus.CONFIRMED:
                try:
                    current = await self._complete(current)
                except PreconditionFailedError:
                    continue
            if current.status is target or (
                target is ReservationStatus.RELEASED and current.status is ReservationStatus.EXPIRED
            ):
                return current if current.settled else await self._settle(current)
            if current.status not in _OPEN:
                raise ReservationConflictError(
                    f"reservation for order '{order_id}' is {current.status.value}; "
                    f"it cannot become {target.value}"
                )
            try:
                return await self._finish(current, target)
            except PreconditionFailedError:
                continue
        raise ReservationConflictError(f"reservation for order '{order_id}' is changing; retry")

    async def _replay(self, order_id: str, lines: tuple[ReservationLine, ...]) -> Reservation:
        existing = await self.get(order_id)
        if existing.items != lines:
            raise ReservationConflictError(
                f"order '{order_id}' already has a reservation with different items"
            )
        if existing.status is ReservationStatus.PENDING:
            raise ReservationConflictError(f"reservation for order '{order_id}' is in progress; retry")
        if existing.rejection is not None:
            raise rejection_error(existing.rejection)
        return existing

    def _record_after_answer(self, pending: Reservation, reserved: Reservation) -> None:
        order_id = pending.order_id
        task = asyncio.create_task(self._record_quietly(pending, reserved), name=f"reserve-{order_id}")
        self._recording[order_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._recording.get(order_id) is done:
                del self._recording[order_id]

        task.add_done_callback(forget)

    async def _record_quietly(self, pending: Reservation, reserved: Reservation) -> None:
        try:
            await self._record_reserved(pending, reserved)
        except Exception:
            # The caller has its answer already. The reservation stays as it was: a PENDING one with all its
            # holds is finished by a confirm (_complete), or handed back by a release or the sweeper.
            log.warning("reservation.record_failed", extra={"order_id": pending.order_id}, exc_info=True)

    async def _recorded(self, order_id: str) -> None:
        """Waits for this process's RESERVED write of the order, if one is on its way."""
        task = self._recording.get(order_id)
        if task is not None:
            await asyncio.shield(task)  # a caller that goes away must not cancel the write

    async def _record_reserved(self, pending: Reservation, reserved: Reservation) -> Reservation:
        """Writes RESERVED over the PENDING record, unless another writer moved it first. A reservation that
        writer completed (a confirm that found it PENDING) stands. One the sweeper expired or a release
        released gets its holds back after that writer's pass, which may have run before they were taken."""
        try:
            return await self._reservations.replace(reserved)
        except PreconditionFailedError as exc:
            current = await self._reservations.get(pending.order_id)
            if current is not None and current.status in (
                ReservationStatus.RESERVED,
                ReservationStatus.CONFIRMED,
            ):
                return current
            await self._return_holds(pending)
            raise ReservationConflictError(
                f"reservation for order '{pending.order_id}' expired or was released while reserving"
            ) from exc

    async def _complete(self, pending: Reservation) -> Reservation:
        """Records RESERVED for a reservation left PENDING after its answer, when every line's hold is in
        place; its lines are priced from the products as they are now. Raises ReservationConflictError
        when a hold is missing: its reserve call never succeeded, or is still running elsewhere."""
        found = await _every(
            self._products.hold_of(line.product_id, pending.order_id) for line in pending.items
        )
        if any(held != line.quantity for line, (held, _) in zip(pending.items, found, strict=True)):
            raise ReservationConflictError(
                f"reservation for order '{pending.order_id}' is PENDING; it cannot become CONFIRMED"
            )
        return await self._reservations.replace(
            replace(
                pending,
                items=tuple(_priced(line, p) for line, (_, p) in zip(pending.items, found, strict=True)),
                status=ReservationStatus.RESERVED,
                settled=True,
                updated_at=self._clock(),
            )
        )

    async def _take_hold(self, order_id: str, line: ReservationLine) -> tuple[HoldOutcome, Product | None]:
        """The hold's outcome and the product as the attempt found or left it (None when it is missing)."""
        outcome, product = await self._guarded(
            self._products.take_hold(line.product_id, order_id, line.quantity)
        )
        if outcome is HoldOutcome.TAKEN and product is not None:
            self._cache.stock_changed(product, -line.quantity)
        return outcome, product

    async def _abandon(self, reservation: Reservation) -> None:
        """After a failure part-way (the store stopped answering): hand back every hold, even one whose
        outcome is unknown, and forget the attempt so that a retry starts afresh. If the store is still
        failing, the reservation stays PENDING and the sweeper expires it after the TTL."""
        try:
            await self._return_holds(reservation)
            await self._reservations.delete(reservation)
        except Exception:  # the original failure is what the caller must see
            log.warning("reservation.abandon_failed", extra={"order_id": reservation.order_id}, exc_info=True)

    async def _rejection(self, line: ReservationLine, outcome: HoldOutcome) -> Rejection:
        if outcome is HoldOutcome.MISSING:
            return Rejection("unknown_product", line.product_id, line.quantity, None)
        product = await self._products.get(line.product_id)
        available = product.stock if product is not None else None
        return Rejection("insufficient_stock", line.product_id, line.quantity, available)

    async def _finish(
        self, reservation: Reservation, status: ReservationStatus, rejection: Rejection | None = None
    ) -> Reservation:
        """Records the new status (conditional on the version read), then applies it to the products."""
        moved = await self._reservations.replace(
            replace(reservation, status=status, settled=False, rejection=rejection, updated_at=self._clock())
        )
        return await self._settle(moved)

    async def _settle(self, reservation: Reservation) -> Reservation:
        if reservation.status is ReservationStatus.CONFIRMED:
            await _every(
                self._stock_change(
                    self._products.commit_hold(line.product_id, reservation.order_id, line.quantity), 0
                )
                for line in reservation.items
            )
        elif reservation.status in RETURNING_STATUSES:
            await self._return_holds(reservation)
        try:
            return await self._reservations.replace(
                replace(reservation, settled=True, updated_at=self._clock())
            )
        except PreconditionFailedError:
            # A concurrent settler of the same state won the write; the holds are settled either way.
            return await self.get(reservation.order_id)

    async def _return_holds(self, reservation: Reservation) -> None:
        await _every(
            self._stock_change(
                self._products.release_hold(line.product_id, reservation.order_id, line.quantity),
                line.quantity,
            )
            for line in reservation.items
        )

    async def _stock_change(self, change: Awaitable[Product | None], stock_delta: int) -> None:
        """Awaits a hold's end and writes the product it left through to the catalog's cache."""
        product = await self._guarded(change)
        if product is not None:
            self._cache.stock_changed(product, stock_delta)

    async def _guarded(self, change: Awaitable[T]) -> T:
        """Awaits a hold change; when it fails, the cache forgets everything, since the change may have
        reached the store."""
        try:
            return await change
        except BaseException:
            self._cache.forget_all()
            raise
