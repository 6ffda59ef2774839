"""Both emulators, as real processes, keep serving an official SDK client while hostile sockets hammer them.

Random, truncated, oversized (4 GiB announced, megabytes sent) and slow-loris (one byte a second)
connections run against both emulators for `ABUSE_SECONDS`; an azure-servicebus and an azure-eventhub
client keep doing send/receive round trips meanwhile. The long form is `make fuzz-abuse`.
"""

from __future__ import annotations

from emulator_fuzz.abuse import MAX_ROUND_TRIP_S, MAX_RSS_GROWTH_MB, AbuseReport, MemoryFigures, run_abuse
from emulator_fuzz.abusers import AbuseStats

ABUSE_SECONDS = 12.0


def test_sdk_clients_see_no_error_or_delay_and_memory_stays_bounded() -> None:
    report = run_abuse(ABUSE_SECONDS)
    print(report.describe())
    assert report.broken_bounds() == []
    # The abuse did happen, every kind of it, on both emulators.
    for kind in ("random", "truncated", "oversized", "slow"):
        assert report.stats.connections[kind] >= 2, report.stats.connections
    assert report.stats.connections["random"] > 20
    for latencies in report.round_trips.values():
        assert len(latencies) >= 5


def _report(**overrides: object) -> AbuseReport:
    values: dict[str, object] = {
        "seconds": 1.0,
        "round_trips": {"servicebus": [0.01], "eventhubs": [0.02]},
        "errors": [],
        "memory": {"servicebus": MemoryFigures(50.0, 60.0, 55.0)},
        "stats": AbuseStats(),
    }
    values.update(overrides)
    return AbuseReport(**values)  # type: ignore[arg-type]


def test_the_bounds_bite() -> None:
    assert _report().broken_bounds() == []
    slow = _report(round_trips={"servicebus": [0.01, MAX_ROUND_TRIP_S + 0.5], "eventhubs": [0.02]})
    assert slow.broken_bounds() == [f"servicebus: slowest round trip {MAX_ROUND_TRIP_S + 0.5:.2f} s > 5.0 s"]
    starved = _report(round_trips={"servicebus": [0.01], "eventhubs": []})
    assert starved.broken_bounds() == ["eventhubs: no round trip completed"]
    errored = _report(errors=["servicebus: ServiceBusConnectionError: lost"])
    assert errored.broken_bounds() == ["SDK error: servicebus: ServiceBusConnectionError: lost"]
    growing = _report(memory={"eventhubs": MemoryFigures(50.0, 50.0 + MAX_RSS_GROWTH_MB + 1, 52.0)})
    assert growing.broken_bounds() == [f"eventhubs: RSS grew {MAX_RSS_GROWTH_MB + 1:.1f} MiB > 64.0 MiB"]
