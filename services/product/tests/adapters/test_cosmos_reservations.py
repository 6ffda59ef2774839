"""The Cosmos reservation repository's one-write status change (confirm and release in the usual case)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from product_service.adapters.clients import open_clients
from product_service.adapters.cosmos import CosmosReservationRepository
from product_service.domain.models import Reservation, ReservationLine, ReservationStatus


@pytest.fixture
async def reservations(settings_for):
    clients = await open_clients(settings_for())
    yield CosmosReservationRepository(clients.reservations)
    await clients.close()


def reservation(order_id: str, status: ReservationStatus, expires_at: datetime) -> Reservation:
    now = datetime.now(UTC)
    return Reservation(order_id, status, (ReservationLine("a", 1),), now, now, expires_at, settled=True)


async def test_open_reserved_reservation_moves_in_one_write(reservations):
    await reservations.create(
        reservation("Ord-1", ReservationStatus.RESERVED, datetime.now(UTC) + timedelta(minutes=5))
    )

    moved = await reservations.move_if_reserved("Ord-1", ReservationStatus.CONFIRMED, datetime.now(UTC))
    again = await reservations.move_if_reserved("Ord-1", ReservationStatus.RELEASED, datetime.now(UTC))

    assert moved is not None
    assert (moved.status, moved.settled) == (ReservationStatus.CONFIRMED, False)
    assert again is None
    assert (await reservations.get("Ord-1")).status is ReservationStatus.CONFIRMED


NOW = datetime.now(UTC).replace(microsecond=400_000)


@pytest.mark.parametrize(
    ("status", "expires_at"),
    [
        (ReservationStatus.PENDING, NOW + timedelta(minutes=5)),
        (ReservationStatus.RESERVED, NOW - timedelta(seconds=1)),  # expired, the sweeper not there yet
        # Open for 0.2 s more, but in the same second as now: too close to call in one write.
        (ReservationStatus.RESERVED, NOW + timedelta(milliseconds=200)),
    ],
)
async def test_reservation_that_is_not_open_and_reserved_is_left_to_the_caller(
    reservations, status, expires_at
):
    await reservations.create(reservation("o-1", status, expires_at))

    moved = await reservations.move_if_reserved("o-1", ReservationStatus.CONFIRMED, NOW)

    assert moved is None
    assert (await reservations.get("o-1")).status is status


async def test_missing_reservation_is_left_to_the_caller(reservations):
    assert await reservations.move_if_reserved("o-x", ReservationStatus.CONFIRMED, datetime.now(UTC)) is None
