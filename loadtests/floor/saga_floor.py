"""The floor under the load gate's CPU per order: what the calls one order makes to Azure services cost on
this machine with nothing else around them, the SDK client's CPU and the emulator's.

    .venv/bin/python loadtests/floor/saga_floor.py [--calls 2000] [--rounds 3]      (make load-floor)

Starts Azurite, the Cosmos DB server and our Service Bus and Event Hubs emulators on free ports
(`shopctl.testing.launched`), then makes each kind of call `--calls` times, one kind at a time, from this
process (the Python services' calls, `python_legs.py`) or from Node (order's, `node_legs.mjs`), and reads
the CPU the caller and the emulator spent (user + system, from the kernel). Multiplied by how many of each
one order makes (`per_order.py`), the sum is what the platform must spend per order before any of its own
work: HTTP between the services, validation, domain logic, logging, the load generator. Compare it with the
CPU per order `make load-gate` prints. The whole measurement runs `--rounds` times against the same
emulators; the table holds each call's median and the last line each round's total, since this machine's
speed varies from one minute to the next. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import psutil
import yaml
from shopctl.ports import listener_pid
from shopctl.testing import LaunchedPlatform, launched

sys.path.insert(0, str(Path(__file__).resolve().parent))
import per_order  # this folder's modules, beside the script
from python_legs import CosmosLegs, ServiceBusLegs, TableLegs, receive_events

REPO = Path(__file__).resolve().parents[2]
NODE_LEGS = Path(__file__).resolve().parent / "node_legs.mjs"
EMULATORS = ("azurite", "cosmos", "servicebus", "eventhubs")
# Calls of each kind made before the clock starts, so that connections are open, caches warm and the Node
# emulators' code compiled (with fewer, the figures come out up to a third higher).
WARM_UP = 200


@dataclass(frozen=True)
class Row:
    call: str
    caller: str  # the service that makes it
    emulator: str  # the emulator that answers it
    per_order: float
    client_ms: float  # CPU per call
    emulator_ms: float  # CPU per call

    @property
    def order_ms(self) -> float:
        return self.per_order * (self.client_ms + self.emulator_ms)


def settings(platform: LaunchedPlatform) -> dict[str, str]:
    """The services' connection settings from harness/platform.yaml (the emulators' public keys), pointed
    at the emulators this run started."""
    addresses = {
        "host": "127.0.0.1",
        "cosmos.ports.http": str(platform.port("cosmos", "http")),
        "azurite.ports.table": str(platform.port("azurite", "table")),
        "servicebus.ports.amqp": str(platform.port("servicebus", "amqp")),
        "eventhubs.ports.amqp": str(platform.port("eventhubs", "amqp")),
    }
    components = yaml.safe_load((REPO / "harness" / "platform.yaml").read_text())["components"]
    wanted = {
        "cosmos_endpoint": ("product", "PRODUCT_COSMOS_ENDPOINT"),
        "cosmos_key": ("product", "PRODUCT_COSMOS_KEY"),
        "tables": ("payment-worker", "PAYMENT_TABLES_CONNECTION_STRING"),
        "service_bus": ("payment-worker", "PAYMENT_SERVICEBUS_CONNECTION_STRING"),
        "event_hubs": ("order", "ORDER_EVENTHUBS_CONNECTION_STRING"),
    }
    filled = {}
    for name, (component, key) in wanted.items():
        text = str(components[component]["env"][key])
        for placeholder, address in addresses.items():
            text = text.replace("{" + placeholder + "}", address)
        filled[name] = text
    return filled


def own_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


def cpu_ms(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system) * 1000


def listening(port: int) -> int:
    pid = listener_pid(port)
    if pid is None:
        raise SystemExit(f"nothing listens on port {port}")
    return pid


class Meter:
    """CPU of this process and of the emulators around a piece of work, per call."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = pids

    async def python(
        self, emulator: str, n: int, work: Callable[[int], Awaitable[None]]
    ) -> tuple[float, float]:
        """`work(n)` in this process: (client, emulator) CPU ms per call."""
        mine, theirs = own_cpu_ms(), cpu_ms(self.pids[emulator])
        await work(n)
        return (own_cpu_ms() - mine) / n, (cpu_ms(self.pids[emulator]) - theirs) / n

    def node(self, *args: str) -> dict[str, tuple[float, float]]:
        """`node_legs.mjs` with `args`: each leg's (client, emulator) CPU ms per call."""
        done = subprocess.run(
            ["node", str(NODE_LEGS), *args, json.dumps(dict(self.pids))],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if done.returncode != 0:
            raise SystemExit(f"node_legs.mjs {args[0]} failed:\n{done.stderr[-2000:]}")
        legs = {}
        for line in done.stdout.splitlines():
            result = json.loads(line)
            calls = float(result["calls"])
            legs[str(result["leg"])] = (
                float(result["clientMs"]) / calls,
                float(sum(result["emulators"].values())) / calls,
            )
        return legs


async def measure(platform: LaunchedPlatform, n: int) -> list[Row]:
    config = settings(platform)
    ports = (("cosmos", "http"), ("azurite", "table"), ("servicebus", "amqp"), ("eventhubs", "amqp"))
    meter = Meter({name: listening(platform.port(name, port)) for name, port in ports})
    rows: list[Row] = []

    cosmos = CosmosLegs(config["cosmos_endpoint"], config["cosmos_key"])
    await cosmos.open()
    try:
        for call, per, work in (
            ("Cosmos DB create", per_order.COSMOS_CREATE, cosmos.create),
            ("Cosmos DB patch", per_order.COSMOS_PATCH, cosmos.patch),
            ("Cosmos DB replace", per_order.COSMOS_REPLACE, cosmos.replace),
        ):
            await work(WARM_UP)
            rows.append(Row(call, "product", "cosmos", per, *await meter.python("cosmos", n, work)))
    finally:
        await cosmos.close()

    tables = TableLegs(config["tables"])
    await tables.open()
    try:
        await tables.insert(WARM_UP)
        insert = await meter.python("azurite", n, tables.insert)
        merge = await meter.python("azurite", n, tables.merge)
    finally:
        await tables.close()
    rows.append(Row("Table insert", "payment", "azurite", per_order.TABLE_INSERT_PAYMENT, *insert))
    rows.append(Row("Table merge", "payment", "azurite", per_order.TABLE_MERGE, *merge))
    rows.append(Row("Table insert", "notification", "azurite", per_order.TABLE_INSERT_NOTIFICATION, *insert))

    # order sends PaymentRequested and its events; payment receives the requests and sends the outcomes;
    # order receives those; notification reads the events.
    sent = meter.node("send", config["service_bus"], config["event_hubs"], str(n), str(WARM_UP))
    bus = ServiceBusLegs(config["service_bus"])
    try:
        requests = await meter.python("servicebus", n, bus.receive_and_complete)
        outcomes = await meter.python("servicebus", n, bus.send)
    finally:
        await bus.close()
    received = meter.node("receive", config["service_bus"], str(n))
    events = await meter.python("eventhubs", n, lambda count: receive_events(config["event_hubs"], count))
    messages, hub_events = per_order.SERVICE_BUS_MESSAGES, per_order.EVENT_HUBS_EVENTS
    rows += [
        Row("Service Bus send", "order", "servicebus", messages, *sent["service-bus-send"]),
        Row("Service Bus receive + complete", "payment", "servicebus", messages, *requests),
        Row("Service Bus send", "payment", "servicebus", messages, *outcomes),
        Row(
            "Service Bus receive + complete",
            "order",
            "servicebus",
            messages,
            *received["service-bus-receive"],
        ),
        Row("Event Hubs send", "order", "eventhubs", hub_events, *sent["event-hubs-send"]),
        Row("Event Hubs receive", "notification", "eventhubs", hub_events, *events),
    ]
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        f"{'call':<32} {'made by':<13} {'per order':>9} {'client ms':>10} {'emulator ms':>12} {'ms/order':>9}"
    ]
    for row in rows:
        lines.append(
            f"{row.call:<32} {row.caller:<13} {row.per_order:>9.1f} {row.client_ms:>10.3f} "
            f"{row.emulator_ms:>12.3f} {row.order_ms:>9.2f}"
        )
    client = sum(row.per_order * row.client_ms for row in rows)
    emulators = sum(row.per_order * row.emulator_ms for row in rows)
    lines.append(
        f"{'total':<32} {'':<13} {'':>9} {client:>10.2f} {emulators:>12.2f} {client + emulators:>9.2f}"
    )
    lines.append("(client and emulator ms: CPU per call; ms/order: calls per order times both)")
    lines.append("")
    lines.append("the floor per process, CPU ms per order (compare with the table `make load-gate` prints):")
    floor: dict[str, float] = {}
    for row in rows:
        floor[row.caller] = floor.get(row.caller, 0.0) + row.per_order * row.client_ms
        floor[row.emulator] = floor.get(row.emulator, 0.0) + row.per_order * row.emulator_ms
    for process, ms in sorted(floor.items(), key=lambda item: -item[1]):
        lines.append(f"{process:<16} {ms:>6.2f}")
    return "\n".join(lines)


def median_rows(rounds: list[list[Row]]) -> list[Row]:
    """Each call's median CPU per call over the rounds (every round measures the same calls in order)."""
    return [
        replace(
            same[0],
            client_ms=statistics.median(row.client_ms for row in same),
            emulator_ms=statistics.median(row.emulator_ms for row in same),
        )
        for same in zip(*rounds, strict=True)
    ]


async def measure_rounds(platform: LaunchedPlatform, n: int, count: int) -> list[list[Row]]:
    return [await measure(platform, n) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls of each kind (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="measure it all this many times (default 3)")
    args = parser.parse_args()
    with launched(*EMULATORS) as platform:
        rounds = asyncio.run(measure_rounds(platform, args.calls, args.rounds))
    print(table(median_rows(rounds)))
    totals = ", ".join(f"{sum(row.order_ms for row in rows):.2f}" for rows in rounds)
    print(f"\nms per order in each round: {totals} (the table: each call's median over the rounds)")


if __name__ == "__main__":
    main()
