"""The reservation answers once its holds are taken and records RESERVED after the answer: every later step
waits for that write in this process, and a reservation left PENDING by it (a failed write, a process
stopped before it, a write lost to another writer) ends with its stock exactly where it should be.

Real Cosmos DB server; the repositories are the real adapters, some with a gate or a fault in one write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from product_service.adapters.clients import Clients, open_clients
from product_service.adapters.cosmos import CosmosProductRepository, CosmosReservationRepository
from product_service.domain.catalog import Clock
from product_service.domain.errors import DependencyUnavailableError, ReservationConflictError
from product_service.domain.models import Product, Reservation, ReservationLine, ReservationStatus
from product_service.domain.reservations import ReservationService
from product_service.settings import Settings

TTL = timedelta(minutes=5)


class Gate:
    """Holds the calls that reach it until it is opened; ``reached`` is set once one has arrived."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self._opened = asyncio.Event()

    async def pass_through(self) -> None:
        self.reached.set()
        await self._opened.wait()

    def open(self) -> None:
        self._opened.set()


class GatedWrites(CosmosReservationRepository):
    """The real repository, except that a write of ``status`` waits at ``gate``, then fails if told to."""

    def __init__(self, clients: Clients, status: ReservationStatus) -> None:
        super().__init__(clients.reservations)
        self.status = status
        self.gate = Gate()
        self.fail = False

    async def replace(self, reservation: Reservation) -> Reservation:
        if reservation.status is self.status:
            await self.gate.pass_through()
            if self.fail:
                raise DependencyUnavailableError("the reservation store stopped answering")
        return await super().replace(reservation)


class GatedHolds(CosmosProductRepository):
    """The real repository, except that a hold on ``product_id`` waits at ``gate``."""

    def __init__(self, clients: Clients, product_id: str) -> None:
        super().__init__(clients.products)
        self.product_id = product_id
        self.gate = Gate()

    async def take_hold(self, product_id: str, order_id: str, quantity: int):
        if product_id == self.product_id:
            await self.gate.pass_through()
        return await super().take_hold(product_id, order_id, quantity)


@dataclass
class Store:
    clients: Clients
    products: CosmosProductRepository
    reservations: CosmosReservationRepository

    def service(
        self,
        reservations: CosmosReservationRepository | None = None,
        products: CosmosProductRepository | None = None,
        clock: Clock | None = None,
    ) -> ReservationService:
        """A reservation service over this store: one per process it stands for."""
        extra = {"clock": clock} if clock is not None else {}
        return ReservationService(
            products or self.products, reservations or self.reservations, ttl=TTL, **extra
        )

    def gated(self) -> tuple[GatedWrites, ReservationService]:
        """A service whose RESERVED writes wait at a gate, and that gate's repository."""
        writes = GatedWrites(self.clients, ReservationStatus.RESERVED)
        return writes, self.service(writes)

    async def stock_of(self, product_id: str) -> tuple[int, int]:
        product = await self.products.get(product_id)
        assert product is not None
        return product.stock, product.reserved

    async def stored_status(self, order_id: str) -> ReservationStatus:
        """What the store holds, without waiting for any write on its way."""
        stored = await self.reservations.get(order_id)
        assert stored is not None
        return stored.status


@pytest.fixture
async def store(settings_for: Callable[..., Settings]) -> AsyncIterator[Store]:
    clients = await open_clients(settings_for())
    products = CosmosProductRepository(clients.products)
    now = datetime.now(UTC)
    for product_id, price in (("a", "2.50"), ("b", "4.00")):
        await products.create(Product(product_id, "N", "", "kitchen", Decimal(price), "USD", 5, 0, now, now))
    try:
        yield Store(clients, products, CosmosReservationRepository(clients.reservations))
    finally:
        await clients.close()


@asynccontextmanager
async def draining(*services: ReservationService) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for service in services:
            await service.drain()


async def test_the_answer_comes_before_the_reserved_write_and_a_confirm_waits_for_it(store):
    writes, service = store.gated()
    async with draining(service):
        answer, _ = await service.reserve("o-1", [ReservationLine("a", 2)])
        stored_at_answer = await store.stored_status("o-1")
        confirming = asyncio.create_task(service.confirm("o-1"))
        await asyncio.sleep(0.2)
        waited = not confirming.done()
        writes.gate.open()
        confirmed = await confirming

    assert answer.status is ReservationStatus.RESERVED
    assert stored_at_answer is ReservationStatus.PENDING
    assert waited
    assert confirmed.status is ReservationStatus.CONFIRMED
    assert await store.stock_of("a") == (3, 0)


async def test_get_release_and_a_repeat_in_the_same_process_wait_for_the_write(store):
    writes, service = store.gated()
    async with draining(service):
        await service.reserve("o-1", [ReservationLine("a", 2)])
        steps = [
            asyncio.create_task(service.get("o-1")),
            asyncio.create_task(service.reserve("o-1", [ReservationLine("a", 2)])),
        ]
        await asyncio.sleep(0.2)
        waiting = [not step.done() for step in steps]
        writes.gate.open()
        got, (repeat, replayed) = await steps[0], await steps[1]
        released = await service.release("o-1")

    assert waiting == [True, True]
    assert got.status is repeat.status is ReservationStatus.RESERVED
    assert replayed
    assert released.status is ReservationStatus.RELEASED
    assert await store.stock_of("a") == (5, 0)


async def test_the_write_goes_first_when_little_of_the_ttl_is_left(store):
    # The clock jumps past half the TTL between the reservation's creation and its answer.
    start = datetime.now(UTC)
    readings = iter([start])
    writes = GatedWrites(store.clients, ReservationStatus.RESERVED)
    service = store.service(writes, clock=lambda: next(readings, start + TTL * 0.6))

    reserving = asyncio.create_task(service.reserve("o-1", [ReservationLine("a", 1)]))
    await writes.gate.reached.wait()
    await asyncio.sleep(0.1)
    answered_before_the_write = reserving.done()
    writes.gate.open()
    answer, _ = await reserving

    assert not answered_before_the_write
    assert answer.status is ReservationStatus.RESERVED
    assert await store.stored_status("o-1") is ReservationStatus.RESERVED


async def test_a_reservation_whose_write_failed_is_confirmed_by_a_restarted_process(store):
    writes = GatedWrites(store.clients, ReservationStatus.RESERVED)
    writes.fail = True
    writes.gate.open()
    first = store.service(writes)
    await first.reserve("o-1", [ReservationLine("a", 2), ReservationLine("b", 1)])
    await first.drain()
    left = (await store.stored_status("o-1"), await store.stock_of("a"), await store.stock_of("b"))

    confirmed = await store.service().confirm("o-1")

    assert left == (ReservationStatus.PENDING, (3, 2), (4, 1))
    assert confirmed.status is ReservationStatus.CONFIRMED
    assert [(line.unit_price, line.currency) for line in confirmed.items] == [
        (Decimal("2.50"), "USD"),
        (Decimal("4.00"), "USD"),
    ]
    assert (await store.stock_of("a"), await store.stock_of("b")) == ((3, 0), (4, 0))


async def test_a_reservation_whose_write_failed_is_released_by_a_restarted_process(store):
    writes = GatedWrites(store.clients, ReservationStatus.RESERVED)
    writes.fail = True
    writes.gate.open()
    first = store.service(writes)
    await first.reserve("o-1", [ReservationLine("a", 2)])
    await first.drain()

    released = await store.service().release("o-1")

    assert released.status is ReservationStatus.RELEASED
    assert await store.stock_of("a") == (5, 0)


async def test_a_write_that_loses_to_the_sweeper_leaves_the_stock_returned(store):
    writes, service = store.gated()
    later = datetime.now(UTC) + TTL + timedelta(seconds=1)
    sweeper = store.service(clock=lambda: later)
    async with draining(service):
        answer, _ = await service.reserve("o-1", [ReservationLine("a", 2)])
        await writes.gate.reached.wait()
        swept = await sweeper.sweep()
        writes.gate.open()

    assert answer.status is ReservationStatus.RESERVED
    assert swept == 1
    assert await store.stored_status("o-1") is ReservationStatus.EXPIRED
    assert await store.stock_of("a") == (5, 0)


async def test_a_write_that_loses_to_a_release_elsewhere_leaves_the_stock_returned(store):
    writes, service = store.gated()
    async with draining(service):
        await service.reserve("o-1", [ReservationLine("a", 2)])
        released = await store.service().release("o-1")
        writes.gate.open()

    assert released.status is ReservationStatus.RELEASED
    assert await store.stored_status("o-1") is ReservationStatus.RELEASED
    assert await store.stock_of("a") == (5, 0)


async def test_a_hold_taken_after_a_release_elsewhere_is_handed_back(store):
    # A caller that gave up on its reservation releases it while the hold is still being taken: the
    # release finds nothing to return, so the reserve call returns the hold when its write loses.
    holds = GatedHolds(store.clients, "a")
    service = store.service(products=holds)
    async with draining(service):
        reserving = asyncio.create_task(service.reserve("o-1", [ReservationLine("a", 2)]))
        await holds.gate.reached.wait()
        released = await store.service().release("o-1")
        holds.gate.open()
        await reserving

    assert released.status is ReservationStatus.RELEASED
    assert await store.stored_status("o-1") is ReservationStatus.RELEASED
    assert await store.stock_of("a") == (5, 0)


async def test_a_write_that_loses_to_a_confirm_elsewhere_leaves_its_holds_to_be_sold(store):
    # The other process has recorded RESERVED (it found every hold) but not yet CONFIRMED when this
    # process's write loses: the holds must still be there for its sale.
    writes, service = store.gated()
    elsewhere = GatedWrites(store.clients, ReservationStatus.CONFIRMED)
    async with draining(service):
        await service.reserve("o-1", [ReservationLine("a", 2)])
        confirming = asyncio.create_task(store.service(elsewhere).confirm("o-1"))
        await elsewhere.gate.reached.wait()
        writes.gate.open()
        await service.drain()
        elsewhere.gate.open()
        confirmed = await confirming

    assert confirmed.status is ReservationStatus.CONFIRMED
    assert await store.stock_of("a") == (3, 0)


async def test_a_confirm_refuses_a_pending_reservation_whose_holds_are_not_all_taken(store):
    holds = GatedHolds(store.clients, "b")
    service = store.service(products=holds)
    async with draining(service):
        reserving = asyncio.create_task(
            service.reserve("o-1", [ReservationLine("a", 1), ReservationLine("b", 1)])
        )
        await holds.gate.reached.wait()
        with pytest.raises(ReservationConflictError):
            await store.service().confirm("o-1")
        holds.gate.open()
        answer, _ = await reserving

    assert answer.status is ReservationStatus.RESERVED
    assert await store.stored_status("o-1") is ReservationStatus.RESERVED
    assert (await store.stock_of("a"), await store.stock_of("b")) == ((4, 1), (4, 1))


async def test_drain_waits_for_the_writes_on_their_way(store):
    writes, service = store.gated()
    await service.reserve("o-1", [ReservationLine("a", 1)])
    draining_task = asyncio.create_task(service.drain())
    await asyncio.sleep(0.2)
    waited = not draining_task.done()
    writes.gate.open()
    await draining_task

    assert waited
    assert await store.stored_status("o-1") is ReservationStatus.RESERVED
