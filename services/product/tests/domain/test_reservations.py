"""Stateful property test of the reservation rules, through the real app, Cosmos DB server and Azurite:
stock never goes negative, available + reserved + sold always equals what each product started with,
and every outcome is the one a sequential model predicts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from product_service.adapters.clients import open_clients
from product_service.adapters.cosmos import CosmosProductRepository, CosmosReservationRepository
from product_service.domain.errors import DependencyUnavailableError, InsufficientStockError
from product_service.domain.models import Product, ReservationLine
from product_service.domain.reservations import ReservationService

INITIAL = (4, 2, 6)


def test_reservations_conserve_stock_and_never_go_negative(api_on_own_loop):
    api, run = api_on_own_loop

    class Reservations(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            prefix = uuid.uuid4().hex[:8]
            self.ids = [f"{prefix}-p{n}" for n in range(len(INITIAL))]
            for product_id, stock in zip(self.ids, INITIAL, strict=True):
                run(api.create_product(id=product_id, stock=stock))
            self.available = dict(zip(self.ids, INITIAL, strict=True))
            self.reserved = dict.fromkeys(self.ids, 0)
            self.sold = dict.fromkeys(self.ids, 0)
            self.open: dict[str, dict[str, int]] = {}
            self.bodies: dict[str, dict[str, object]] = {}
            self.outcomes: dict[str, int] = {}

        @rule(
            lines=st.lists(
                st.tuples(st.integers(0, len(INITIAL) - 1), st.integers(1, 3)),
                min_size=1,
                max_size=3,
                unique_by=lambda line: line[0],
            )
        )
        def reserve(self, lines: list[tuple[int, int]]) -> None:
            order_id = f"o-{uuid.uuid4().hex[:12]}"
            items = {self.ids[index]: quantity for index, quantity in lines}
            body = {"orderId": order_id, "items": [{"productId": p, "quantity": q} for p, q in items.items()]}
            response = run(api.http.post("/reservations", json=body))
            fits = all(quantity <= self.available[p] for p, quantity in items.items())
            assert response.status_code == (201 if fits else 409), response.text
            self.bodies[order_id] = body
            self.outcomes[order_id] = response.status_code
            if fits:
                self.open[order_id] = items
                for product_id, quantity in items.items():
                    self.available[product_id] -= quantity
                    self.reserved[product_id] += quantity

        @precondition(lambda self: bool(self.bodies))
        @rule(data=st.data())
        def repeat_reserve(self, data: st.DataObject) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.bodies)))
            response = run(api.http.post("/reservations", json=self.bodies[order_id]))
            # Same answer as the first time, even after a confirm or release; nothing changes.
            assert response.status_code == self.outcomes[order_id], response.text

        @precondition(lambda self: bool(self.open))
        @rule(data=st.data(), confirm=st.booleans())
        def settle(self, data: st.DataObject, confirm: bool) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.open)))
            action = "confirm" if confirm else "release"
            response = run(api.http.post(f"/reservations/{order_id}/{action}"))
            assert response.status_code == 200, response.text
            for product_id, quantity in self.open.pop(order_id).items():
                self.reserved[product_id] -= quantity
                if confirm:
                    self.sold[product_id] += quantity
                else:
                    self.available[product_id] += quantity

        @invariant()
        def stock_is_conserved_and_never_negative(self) -> None:
            for product_id, initial in zip(self.ids, INITIAL, strict=True):
                stock, reserved = run(api.stock_of(product_id))
                assert stock >= 0
                assert reserved >= 0
                assert stock + reserved + self.sold[product_id] == initial
                assert (stock, reserved) == (self.available[product_id], self.reserved[product_id])

    run_state_machine_as_test(
        Reservations,
        settings=settings(
            max_examples=8,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


class _StoreFailsOnSecondHold(CosmosProductRepository):
    """The real repository, except that the store stops answering at the second hold of a reservation."""

    holds = 0

    async def take_hold(self, product_id: str, order_id: str, quantity: int):
        self.holds += 1
        if self.holds == 2:
            raise DependencyUnavailableError("the catalog store is unreachable")
        return await super().take_hold(product_id, order_id, quantity)


async def test_reserve_hands_back_holds_and_forgets_attempt_when_store_fails_midway(settings_for):
    clients = await open_clients(settings_for())
    try:
        products = _StoreFailsOnSecondHold(clients.products)
        reservations = ReservationService(
            products, CosmosReservationRepository(clients.reservations), ttl=timedelta(minutes=5)
        )
        now = datetime.now(UTC)
        for product_id in ("a", "b"):
            await products.create(
                Product(product_id, "N", "", "kitchen", Decimal("1.00"), "USD", 5, 0, now, now)
            )
        lines = [ReservationLine("a", 2), ReservationLine("b", 1)]

        with pytest.raises(DependencyUnavailableError):
            await reservations.reserve("o-1", lines)
        after_failure = [(p.stock, p.reserved) for p in [await products.get("a"), await products.get("b")]]
        retried, replayed = await reservations.reserve("o-1", lines)

        assert after_failure == [(5, 0), (5, 0)]
        assert (retried.status.value, replayed) == ("RESERVED", False)
        assert (await products.get("a")).stock == 3
        await reservations.drain()
    finally:
        await clients.close()


class _CountsHoldsInFlight(CosmosProductRepository):
    """The real repository, counting how many hold writes are in flight at once."""

    in_flight = 0
    most_at_once = 0

    async def take_hold(self, product_id: str, order_id: str, quantity: int):
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            return await super().take_hold(product_id, order_id, quantity)
        finally:
            self.in_flight -= 1


async def test_the_lines_of_an_order_are_held_at_once_and_a_short_one_returns_them_all(settings_for):
    clients = await open_clients(settings_for())
    try:
        products = _CountsHoldsInFlight(clients.products)
        reservations = ReservationService(
            products, CosmosReservationRepository(clients.reservations), ttl=timedelta(minutes=5)
        )
        now = datetime.now(UTC)
        for product_id in ("a", "b", "c"):
            await products.create(
                Product(product_id, "N", "", "kitchen", Decimal("1.00"), "USD", 5, 0, now, now)
            )

        reserved, _ = await reservations.reserve("o-1", [ReservationLine(p, 1) for p in ("a", "b", "c")])
        with pytest.raises(InsufficientStockError) as refused:
            await reservations.reserve(
                "o-2", [ReservationLine("a", 2), ReservationLine("b", 9), ReservationLine("c", 1)]
            )
        after = {p: await products.get(p) for p in ("a", "b", "c")}

        assert reserved.status.value == "RESERVED"
        assert products.most_at_once == 3
        assert refused.value.problem.product_id == "b"
        assert {p: (product.stock, product.reserved) for p, product in after.items()} == {
            "a": (4, 1),
            "b": (4, 1),
            "c": (4, 1),
        }
        await reservations.drain()
    finally:
        await clients.close()
