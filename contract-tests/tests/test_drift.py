"""The committed pacts are what the consumer tests write today: both sides regenerate their pacts into a
scratch directory (``PACT_OUTPUT_DIR``) and each must equal the committed one, up to what varies from run
to run (the writing library's version, interaction order). A consumer change that was not followed by
regenerating and committing the pacts fails here, before a provider is verified against a stale contract.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from contract_gate.pacts import COMMITTED_PACTS, OUTPUT_DIR_VARIABLE, load_pact, normalized, pact_files

REPO = Path(__file__).resolve().parents[2]
# Which consumer tests write a pact: the Python ones (pact-python) or the TypeScript workspace (pact-js).
PYTHON_CONSUMERS = {"payment", "notification"}
COMMANDS = {
    "python": [
        str(REPO / ".venv/bin/pytest"),
        "contract-tests/consumers/python",
        "-q",
        "-p",
        "no:cacheprovider",
    ],
    "typescript": ["npm", "test", "--silent", "--workspace", "@contoso-shop/contract-tests"],
}

Regenerate = Callable[[str], Path]


def side(path: Path) -> str:
    return "python" if load_pact(path).consumer in PYTHON_CONSUMERS else "typescript"


def regenerate(side: str, out: Path) -> None:
    """Runs one side's consumer tests into ``out``; fails (and restores the file) if one of them wrote into
    the committed pacts instead: this check must not change what it checks."""
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in pact_files(COMMITTED_PACTS)}
    command = COMMANDS[side]
    try:
        done = subprocess.run(
            command,
            cwd=REPO,
            env={**os.environ, OUTPUT_DIR_VARIABLE: str(out)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        touched = [
            name
            for name, (_, mtime) in before.items()
            if not (COMMITTED_PACTS / name).is_file() or (COMMITTED_PACTS / name).stat().st_mtime_ns != mtime
        ]
        for name in touched:
            (COMMITTED_PACTS / name).write_bytes(before[name][0])
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert not touched, (
        f"the {side} consumer tests wrote {touched} into {COMMITTED_PACTS}, not ${OUTPUT_DIR_VARIABLE}"
    )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Regenerate:
    """The scratch directory one side's pacts were regenerated into (each side runs once per module; a
    side that failed fails every test that needs it, with the same reason)."""
    done: dict[str, Path | AssertionError] = {}

    def get(side: str) -> Path:
        if side not in done:
            out = tmp_path_factory.mktemp(f"pacts-{side}")
            try:
                regenerate(side, out)
                done[side] = out
            except AssertionError as failure:
                done[side] = failure
        outcome = done[side]
        if isinstance(outcome, AssertionError):
            raise outcome
        return outcome

    return get


def test_each_side_regenerates_exactly_its_committed_pacts(regenerated: Regenerate) -> None:
    for which in COMMANDS:
        committed = sorted(p.name for p in pact_files(COMMITTED_PACTS) if side(p) == which)
        assert sorted(p.name for p in pact_files(regenerated(which))) == committed, which


@pytest.mark.parametrize("path", pact_files(COMMITTED_PACTS), ids=lambda p: p.name)
def test_regenerated_pact_equals_the_committed_one(regenerated: Regenerate, path: Path) -> None:
    fresh = regenerated(side(path)) / path.name
    assert fresh.is_file(), f"the consumer tests no longer write {path.name}"
    committed = json.dumps(normalized(load_pact(path).document), indent=1, sort_keys=True).splitlines()
    current = json.dumps(normalized(load_pact(fresh).document), indent=1, sort_keys=True).splitlines()
    diff = "\n".join(difflib.unified_diff(committed, current, "committed", "regenerated", lineterm=""))
    assert not diff, f"{path.name} drifted from its consumer tests; run `make contract` and commit:\n{diff}"


def test_drift_is_caught(tmp_path: Path) -> None:
    """The comparison above sees a changed expectation (and ignores the writing library's version)."""
    document = load_pact(COMMITTED_PACTS / "payment-order.json").document
    changed = json.loads(json.dumps(document))
    changed["metadata"]["pactRust"] = {"ffi": "9.9.9"}
    assert normalized(changed) == normalized(document)
    changed["interactions"][0]["metadata"]["subject"] = "PaymentRequestedV2"
    assert normalized(changed) != normalized(document)
