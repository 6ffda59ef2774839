"""Every seed and every crash saved by `make fuzz` goes through its target again: none may raise.

A crash file under ``crashes/<target>/`` stays there after its fix, so this test keeps the fix in place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from emulator_fuzz.corpus import corpus_dir, crash_dir, inputs
from emulator_fuzz.errors import FuzzFindingError
from emulator_fuzz.targets import TARGETS


def _cases() -> list[tuple[str, Path]]:
    return [
        (target, path)
        for target in sorted(TARGETS)
        for directory in (corpus_dir(target), crash_dir(target))
        for path in inputs(directory)
    ]


CASES = _cases()


def test_every_target_has_a_seed_corpus() -> None:
    seeded = {target for target, path in CASES if path.parent == corpus_dir(target)}
    assert seeded == set(TARGETS)


@pytest.mark.parametrize(
    ("target", "path"),
    CASES,
    ids=[f"{target}/{path.parent.parent.name}/{path.name}" for target, path in CASES],
)
def test_input_is_handled_as_documented(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())


def test_saved_crash_fails_again_without_its_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay bites: with the field check of `decode_record` switched off, the saved frame crash
    (an open whose max-frame-size is a binary) raises again."""
    from amqp_core import performatives

    crashes = list(inputs(crash_dir("frame")))
    assert crashes, "no saved frame crash"
    monkeypatch.setattr(performatives, "_check_field", lambda *_args: None)
    failures = 0
    for path in crashes:
        try:
            TARGETS["frame"](path.read_bytes())
        except (ValueError, TypeError, AttributeError):
            failures += 1
    assert failures > 0


def test_a_broken_promise_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A target reports a parser that returns but breaks its promise (here: the SQL time bound)."""
    from emulator_fuzz.targets import sql

    monkeypatch.setattr(sql, "TIME_LIMIT_S", -1.0)
    with pytest.raises(FuzzFindingError, match="to parse and evaluate"):
        TARGETS["sql"](b"\x00a = 1")
