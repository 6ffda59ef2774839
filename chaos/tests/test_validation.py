"""Experiment files that must be refused before anything runs: each broken copy of a real experiment is
reported with its file, the activity and what is wrong; a run with one of them applies no fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml
from shopchaos.cli import EXPERIMENTS
from shopchaos.validate import validate
from shopctl.workspace import PLATFORM_FILE, Workspace

if TYPE_CHECKING:
    from conftest import RunningPlatform

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = list(Workspace.open(REPO / PLATFORM_FILE).platform.components)
SOURCE = EXPERIMENTS / "servicebus-server-busy.yaml"


def broken_copy(tmp_path: Path, change: Any) -> Path:
    experiment = yaml.safe_load(SOURCE.read_text())
    change(experiment)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


def fault_step(experiment: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = next(a for a in experiment["method"] if a["provider"]["func"] == "add_fault")
    return step


def test_every_shipped_experiment_is_valid() -> None:
    files = sorted(EXPERIMENTS.glob("*.yaml"))
    assert len(files) >= 12
    assert {str(p) for f in files for p in validate(f, COMPONENTS)} == set()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda e: fault_step(e)["provider"].update(func="add_faults"),
            "method[2] 'server-busy-on-30-percent-of-sends': unknown action shopchaos.faults.add_faults; "
            "known in shopchaos.faults: add_fault, fault_rules, remove_faults",
        ),
        (
            lambda e: fault_step(e)["provider"]["arguments"].update(probability=1.5),
            "fault rule probability: Input should be less than or equal to 1",
        ),
        (
            lambda e: fault_step(e)["provider"]["arguments"].update(action="explode"),
            "fault rule action: Input should be 'error', 'detach', 'latency'",
        ),
        (
            lambda e: fault_step(e)["provider"]["arguments"].update(emulator="cosmos"),
            "emulator: unknown 'cosmos'; known: servicebus, eventhubs",
        ),
        (
            lambda e: e["method"].insert(
                0,
                {
                    "type": "action",
                    "name": "kill-it",
                    "provider": {
                        "type": "python",
                        "module": "shopchaos.processes",
                        "func": "kill",
                        "arguments": {"component": "paymnet-worker", "signal": "SIGNOPE"},
                    },
                },
            ),
            "method[0] 'kill-it': component: unknown 'paymnet-worker'; known: azurite, cosmos",
        ),
        (
            lambda e: e["method"].insert(
                0,
                {
                    "type": "action",
                    "name": "kill-it",
                    "provider": {
                        "type": "python",
                        "module": "shopchaos.processes",
                        "func": "kill",
                        "arguments": {"component": "payment-worker", "signal": "SIGNOPE"},
                    },
                },
            ),
            "method[0] 'kill-it': unknown signal 'SIGNOPE'",
        ),
        (
            lambda e: e["method"][0]["provider"]["arguments"].update(sed=3),
            "shopchaos.load.start_orders: got an unexpected keyword argument 'sed'",
        ),
        (lambda e: e.pop("title"), "experiment: experiment requires a title"),
    ],
    ids=[
        "unknown-action",
        "probability",
        "fault-action",
        "emulator",
        "component",
        "signal",
        "argument",
        "title",
    ],
)
def test_a_broken_experiment_is_refused_naming_the_activity(
    tmp_path: Path, change: Any, expected: str
) -> None:
    path = broken_copy(tmp_path, change)
    problems = [str(p) for p in validate(path, COMPONENTS)]
    assert any(expected in problem and problem.startswith(f"{path}: ") for problem in problems), problems


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "does-not-exist.yaml"
    (problem,) = validate(path, COMPONENTS)
    assert str(problem).startswith(f"{path}: file: ")


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("title: x\nmethod:\n  - type: action\n   name: oops\n")
    (problem,) = validate(path, COMPONENTS)
    assert "line 4" in str(problem)


def test_a_run_with_an_invalid_file_applies_nothing(platform: RunningPlatform, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(SOURCE.read_text())
    bad = broken_copy(tmp_path / "..", lambda e: fault_step(e)["provider"]["arguments"].update(count=0))
    done = platform.chaos("run", str(good), str(bad))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "fault rule count: Input should be greater than or equal to 1" in done.stderr
    assert "nothing was run and no fault applied" in done.stderr
    state = json.loads(platform.workspace.state_path.read_text())
    port = state["components"]["servicebus"]["ports"]["http"]
    assert httpx.get(f"http://127.0.0.1:{port}/faults").json()["rules"] == []
