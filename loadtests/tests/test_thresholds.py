"""The thresholds file: the committed one holds the issue's goals, and every kind of mistake is refused
naming the file and line. The verdict prints each threshold with its measured value."""

from __future__ import annotations

from pathlib import Path

import pytest
from shoploads import routes
from shoploads.measure import EntryFigures, Measured
from shoploads.thresholds import ThresholdsError, load_thresholds
from shoploads.verdict import judge

COMMITTED = Path(__file__).resolve().parents[1] / "thresholds.yaml"
VALID = """\
orders_per_second_min: 50
error_rate_max: 0
saga_p95_ms: 1000
endpoints:
  POST /orders:
    p95_ms: 250
"""


def test_committed_thresholds_are_the_goals_of_the_load_gate() -> None:
    thresholds = load_thresholds(COMMITTED)
    assert thresholds.orders_per_second_min == 50
    assert thresholds.error_rate_max == 0
    assert thresholds.saga_p95_ms == 1000
    assert thresholds.endpoints[routes.POST_ORDER] == {"p95_ms": 250}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_endpoint_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("POST /orders:", "POST /order:"))
    with pytest.raises(ThresholdsError, match=rf"^{path}:5: unknown endpoint 'POST /order'"):
        load_thresholds(path)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("p95_ms: 250", "p95_ms: 250ms", 6, "POST /orders p95_ms must be a number, got '250ms'"),
        ("p95_ms: 250", "p95_ms: -250", 6, "POST /orders p95_ms must be more than zero, got -250"),
        ("p95_ms: 250", "p95_ms: 0", 6, "POST /orders p95_ms must be more than zero, got 0"),
        ("p95_ms: 250", "p95_ms: [250]", 6, "POST /orders p95_ms must be a number"),
        ("p95_ms: 250", "p90_ms: 250", 6, "POST /orders: unknown limit 'p90_ms'"),
        ("saga_p95_ms: 1000", "saga_p95_ms: true", 3, "saga_p95_ms must be a number, got 'true'"),
        ("saga_p95_ms: 1000", "saga_p95_ms: .nan", 3, "saga_p95_ms must be more than zero"),
        ("error_rate_max: 0", "error_rate_max: 5", 2, "error_rate_max must be at most 1.0, got 5"),
        ("orders_per_second_min: 50", "orders_per_second: 50", 1, "unknown key 'orders_per_second'"),
    ],
)
def test_malformed_limit_is_refused_naming_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    path = _write(tmp_path, VALID.replace(old, new))
    with pytest.raises(ThresholdsError) as refused:
        load_thresholds(path)
    assert str(refused.value).startswith(f"{path}:{line}: {message}")


def test_missing_file_and_non_mapping_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match=r"absent\.yaml"):
        load_thresholds(tmp_path / "absent.yaml")
    with pytest.raises(ThresholdsError, match=r":1: expected a mapping"):
        load_thresholds(_write(tmp_path, "- 50\n"))


def _measured(orders_per_second: float, post_p95: float, saga_p95: float, failures: int) -> Measured:
    def entry(name: str, p95: float) -> EntryFigures:
        return EntryFigures(name, 100, 0, p95 / 2, p95, p95 * 1.2, 10.0)

    return Measured(
        duration_s=60,
        requests=1000,
        failures=failures,
        error_rate=failures / 1000,
        orders_placed=int(orders_per_second * 60),
        orders_per_second=orders_per_second,
        entries={
            routes.POST_ORDER: entry(routes.POST_ORDER, post_p95),
            routes.SAGA: entry(routes.SAGA, saga_p95),
        },
    )


def test_verdict_passes_when_every_figure_is_within_its_limit(tmp_path: Path) -> None:
    checks = judge(load_thresholds(_write(tmp_path, VALID)), _measured(55, 240, 900, 0))
    assert [c.passed for c in checks] == [True, True, True, True]


def test_verdict_names_each_missed_threshold_with_its_measured_value(tmp_path: Path) -> None:
    checks = judge(load_thresholds(_write(tmp_path, VALID)), _measured(31.5, 420, 1800, 3))
    lines = [c.line() for c in checks]
    assert not any(c.passed for c in checks)
    assert lines[0].startswith("FAIL  orders/s")
    assert ">= 50" in lines[0]
    assert "measured 31.5" in lines[0]
    assert "measured 0.30% (3 of 1000)" in lines[1]
    assert "measured 1800 ms" in lines[2]
    assert lines[3].startswith("FAIL  p95 POST /orders")
    assert "<= 250 ms" in lines[3]
    assert "measured 420 ms" in lines[3]


def test_an_endpoint_that_was_never_requested_fails_as_not_measured(tmp_path: Path) -> None:
    path = _write(tmp_path, "endpoints:\n  GET /categories: {p95_ms: 100}\n")
    (check,) = judge(load_thresholds(path), _measured(55, 240, 900, 0))
    assert not check.passed
    assert "not measured" in check.line()
