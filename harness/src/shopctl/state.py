"""The run state under `.shop/run/state.json`: who supervises, which pids, which ports.

It lets `status`, `logs` and `down` work from another shell, and `down` clean up even after the
supervisor itself was killed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil


@dataclass
class ComponentState:
    pid: int | None
    status: str
    ports: dict[str, int]
    urls: dict[str, str]
    health: str
    log_file: str


@dataclass
class RunState:
    supervisor_pid: int
    status: str  # starting | ready | failed | stopping
    error: str = ""
    # The supervisor's control socket (`shopctl restart|kill|pause|resume` talk to it); "" when none.
    control: str = ""
    components: dict[str, ComponentState] = field(default_factory=dict)

    def supervisor_alive(self) -> bool:
        return pid_alive(self.supervisor_pid)


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def state_file(state_dir: Path) -> Path:
    return state_dir / "run" / "state.json"


def write_state(path: Path, state: RunState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(state), indent=2))
    temporary.replace(path)  # atomic: readers never see half a file


def read_state(path: Path) -> RunState | None:
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    components = {name: ComponentState(**value) for name, value in raw.pop("components", {}).items()}
    return RunState(**raw, components=components)
