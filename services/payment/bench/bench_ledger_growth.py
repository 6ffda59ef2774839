"""What a payment's ledger writes cost Azurite as the ledger grows, by RowKey scheme.

    .venv/bin/python services/payment/bench/bench_ledger_growth.py [--rows 1000,5000,10000] [--payments 1000]

For each number of rows already in the table and each scheme, starts Azurite on a free port with an empty
data directory (``shopctl.testing.launched``), fills the ledger with that many rows (which also warms
Azurite up: the first thousand writes of a fresh process cost it about twice as much), then writes
``--payments`` more the way the worker does (the row inserted with the gateway's answer, then merged to
``published``, conditional on its ETag), 16 at a time, and prints Azurite's CPU milliseconds per payment
(from /proc, user + system) and the payments per second:

* ``order id``: the ledger as it is (``TableLedger``: the order id is the RowKey);
* ``shared``: the same rows under one RowKey for all (``payment``, the ledger's key before), written
  with the same SDK calls.

Azurite looks an entity up by its RowKey first and then compares the PartitionKey of every row sharing
it, so under a shared RowKey each write costs more with every payment ever recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from time import perf_counter

from azure.core import MatchConditions
from azure.data.tables import UpdateMode
from bench_worker import cpu_seconds, listening, platform_env
from payment_service.adapters.ledger import TableLedger, to_entity
from payment_service.domain.models import ChargeResult, Money, Payment, PaymentState
from shopctl.testing import launched

IN_FLIGHT = 16  # the worker's PAYMENT_WORKER_CONCURRENCY
SHARED_ROW_KEY = "payment"


def charged() -> Payment:
    now = datetime.now(UTC)
    return Payment(
        order_id=f"ord_{uuid.uuid4().hex[:20]}",
        payment_id=str(uuid.uuid4()),
        state=PaymentState.CHARGING,
        amount=Money(Decimal("42.00"), "EUR"),
        card_last4="4242",
        created_at=now,
    ).decided(ChargeResult(True, "A1B2C3"), now)


async def record_as_the_ledger(ledger: TableLedger) -> None:
    decided = await ledger.create(charged())
    await ledger.update(decided.with_state(PaymentState.PUBLISHED), previous=decided)


async def record_under_shared_key(ledger: TableLedger) -> None:
    payment = charged()
    metadata = await ledger._client.create_entity(
        to_entity(payment, row_key=SHARED_ROW_KEY), response_preference="return-no-content"
    )
    await ledger._client.update_entity(
        {"PartitionKey": payment.order_id, "RowKey": SHARED_ROW_KEY, "State": PaymentState.PUBLISHED.value},
        mode=UpdateMode.MERGE,
        etag=metadata["etag"],
        match_condition=MatchConditions.IfNotModified,
    )


SCHEMES = {"order id": record_as_the_ledger, "shared": record_under_shared_key}


async def write(ledger: TableLedger, scheme: str, payments: int) -> None:
    record = SCHEMES[scheme]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> None:
        async with gate:
            await record(ledger)

    await asyncio.gather(*(one() for _ in range(payments)))


async def measure(connection_string: str, azurite_pid: int, scheme: str, rows: int, payments: int) -> None:
    ledger = TableLedger.connect("payments", connection_string=connection_string, endpoint=None)
    try:
        await ledger.ensure_table()
        await write(ledger, scheme, rows)
        cpu, started = cpu_seconds(azurite_pid)[0], perf_counter()
        await write(ledger, scheme, payments)
        cpu, elapsed = cpu_seconds(azurite_pid)[0] - cpu, perf_counter() - started
    finally:
        await ledger.close()
    print(
        f"{scheme:>8} RowKey, {rows:6d} rows before: Azurite {1000 * cpu / payments:5.2f} CPU ms per payment"
        f" (insert + merge), {payments / elapsed:4.0f} payments/s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", default="1000,5000,10000", help="rows already in the ledger, comma-separated"
    )
    parser.add_argument("--payments", type=int, default=1000, help="payments measured at each size")
    args = parser.parse_args()
    for rows in (int(value) for value in args.rows.split(",")):
        for scheme in SCHEMES:
            with launched("azurite") as platform:
                port = platform.port("azurite", "table")
                settings = platform_env({"host": "127.0.0.1", "azurite.ports.table": str(port)})
                connection_string = settings["PAYMENT_TABLES_CONNECTION_STRING"]
                asyncio.run(measure(connection_string, listening(port), scheme, rows, args.payments))


if __name__ == "__main__":
    main()
