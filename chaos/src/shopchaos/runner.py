"""Run experiments against the local platform (started detached if none runs), one after the other, and
write each Chaos Toolkit journal plus one Markdown report under the results directory.

Whatever happens (an experiment fails, Ctrl-C), every fault rule added and every component paused is put
back before the runner exits, and it says what it put back."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaoslib.experiment import run_experiment  # type: ignore[import-untyped]  # chaoslib ships no types
from shopctl.commands import running_state
from shopctl.ports import free_port
from shopctl.workspace import Workspace

from shopchaos import load, runlog, undo
from shopchaos.report import Row, markdown
from shopchaos.validate import load_experiment

# Everything but the storefront, whose build takes longer than the experiments and which no order needs.
DEFAULT_COMPONENTS = ("order", "payment", "payment-worker", "notification")
EXIT_FAILED, EXIT_INTERRUPTED = 1, 130


def say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Outcome:
    rows: list[Row]
    interrupted: bool
    results_dir: Path


def _shopctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopctl", *args],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )


def ensure_platform(workspace: Workspace, components: list[str], free_ports: bool) -> bool:
    """Start the platform detached unless one runs; True when this call started it."""
    if running_state(workspace) is not None:
        say(f"using the platform running with state in {workspace.state_dir}")
        return False
    overrides = []
    if free_ports:
        for component in workspace.resolve(components):
            overrides += [f"--port={component.name}.{name}={free_port()}" for name in component.ports]
    say(f"starting the platform ({', '.join(components)} and their dependencies) ...")
    started = time.monotonic()
    done = _shopctl("up", "--detach", *components, *overrides)
    if done.returncode != 0:
        raise RuntimeError(f"the platform did not start:\n{done.stdout}\n{done.stderr}")
    say(f"platform ready in {time.monotonic() - started:.1f} s")
    return True


def run_one(path: Path, results_dir: Path) -> tuple[Row, bool]:
    experiment = load_experiment(path)
    log = runlog.reset()
    load.forget()
    undo.reset_history()
    say(f"--- {path.stem}: {experiment['title']}")
    journal: dict[str, Any] = run_experiment(experiment, settings={})
    interrupted = journal.get("status") == "interrupted" or _signalled(journal)
    if not interrupted:
        load.stop_orders()
        leftovers = undo.undo_all()
        for line in leftovers:
            say(f"left behind by the experiment, now {line}")
    (results_dir / f"{path.stem}.journal.json").write_text(json.dumps(journal, indent=2, default=str))
    row = Row.from_run(path.stem, str(experiment["title"]), journal, log)
    recovery = f"{row.recovery_seconds:.1f} s" if row.recovery_seconds is not None else "-"
    say(f"{'PASS' if row.passed else 'FAIL'} {path.stem}: {row.invariants}; recovery {recovery}")
    return row, interrupted


def _signalled(journal: dict[str, Any]) -> bool:
    """chaoslib turns SIGTERM inside a probe into that probe's failure; the run must stop all the same."""
    runs = [
        *(journal.get("run") or []),
        *((journal.get("steady_states") or {}).get("after") or {}).get("probes", []),
    ]
    return any("InterruptExecution" in "".join(run.get("exception") or []) for run in runs)


def run_all(
    paths: list[Path],
    workspace: Workspace,
    results_root: Path,
    components: list[str],
    free_ports: bool,
    keep_platform: bool,
) -> Outcome:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("chaostoolkit").setLevel(logging.INFO)
    results_dir = results_root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    interrupted = False
    started = False
    try:
        started = ensure_platform(workspace, components, free_ports)
        for path in paths:
            row, interrupted = run_one(path, results_dir)
            rows.append(row)
            if interrupted:
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        load.stop_orders(wait_seconds=5 if interrupted else 120)
        undo.undo_all()
        if interrupted:
            put_back = undo.history()
            say(
                "interrupted (Ctrl-C): "
                + ("put back what the run had changed:" if put_back else "nothing to put back")
            )
            for line in put_back:
                say(f"  {line}")
        report = results_dir / "report.md"
        report.write_text(markdown(rows, results_dir.name))
        say(f"journals and report in {results_dir}")
        if started and not keep_platform:
            _shopctl("down")
    return Outcome(rows, interrupted, results_dir)
