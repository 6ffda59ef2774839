"""Process faults through `shopctl` (the same commands an operator types): kill with a signal, restart,
pause (SIGSTOP) and resume. A paused component is remembered until resumed, so `undo_all()` resumes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from shopchaos import runlog, undo
from shopchaos.platform import ChaosError, LocalPlatform

__all__ = ["ensure_running", "kill", "pause", "restart", "resume"]

# Components whose state another component keeps in memory only: restarting the first one means restarting
# (re-seeding) the second one too. The Cosmos DB server keeps everything in memory; the product service
# recreates its database and seeds the catalog when it starts (chaos/README.md, "Restarts").
RESEED_AFTER: dict[str, tuple[str, ...]] = {"cosmos": ("product",)}


def known_component(name: str) -> str:
    names = LocalPlatform.current().component_names()
    if name not in names:
        raise ChaosError(f"component: unknown {name!r}; known: {', '.join(names)}")
    return name


def _shopctl(*args: str, timeout: float = 180) -> dict[str, Any]:
    """Run `shopctl ACTION ... --json`; its outcome, or a ChaosError with shopctl's own message."""
    done = subprocess.run(
        [sys.executable, "-m", "shopctl", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        check=False,
    )
    if not done.stdout.strip():
        raise ChaosError(f"shopctl {' '.join(args)}: {done.stderr.strip() or f'exit code {done.returncode}'}")
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if done.returncode != 0:
        raise ChaosError(f"shopctl {' '.join(args)}: {outcome.get('detail') or outcome}")
    return outcome


def kill(component: str, signal: str = "SIGKILL") -> dict[str, Any]:
    """Signal the component's process group; it stays down until `restart`."""
    known_component(component)
    runlog.fault_applied(f"{signal} {component}")
    return _shopctl("kill", component, "--signal", signal)


def restart(component: str) -> dict[str, Any]:
    """Stop (SIGTERM) and start the component, or start it if it is down; waits until it is ready.
    Restarts what keeps its state in it too (see RESEED_AFTER)."""
    known_component(component)
    running = LocalPlatform.current().state().components[component].status == "ready"
    if running:  # restarting a running component is the fault; restarting a killed one is the recovery
        runlog.fault_applied(f"restart {component}")
    outcome = _shopctl("restart", component)
    for dependent in RESEED_AFTER.get(component, ()):
        outcome.setdefault("also", []).append(_shopctl("restart", dependent))
    runlog.recovered()
    return outcome


def pause(component: str) -> dict[str, Any]:
    """SIGSTOP the component: its connections stay open, it answers nothing."""
    known_component(component)
    runlog.fault_applied(f"pause {component}")
    outcome = _shopctl("pause", component)
    undo.remember(
        f"pause:{component}",
        undo.Undo(f"resumed {component} (paused by the experiment)", lambda: _resume(component)),
    )
    return outcome


def _resume(component: str) -> dict[str, Any]:
    outcome = _shopctl("resume", component)
    undo.forget(f"pause:{component}")
    return outcome


def resume(component: str) -> dict[str, Any]:
    """SIGCONT a paused component and wait until it is ready again."""
    known_component(component)
    outcome = _resume(component)
    runlog.recovered()
    return outcome


def ensure_running(component: str) -> dict[str, Any]:
    """Rollback: start the component if an experiment left it down; a running one is left alone."""
    known_component(component)
    entry = LocalPlatform.current().state().components[component]
    if entry.status in ("ready", "paused"):
        return {"component": component, "action": "none", "status": entry.status}
    return _shopctl("restart", component)
